package io.stackcompanion.replay;

import io.stackcompanion.node.scripts.Scripts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * replay.sh's and ReplayMain's arguments are checked before anything is unpacked, created or
 * replayed: {@code --set} keys and values, {@code --until-event}, {@code --work-dir}, help. No
 * recording is needed: every case fails before one would be read.
 */
class ReplayArgumentsTest {
    @TempDir
    Path dir;

    private static CollectRecordingsTest.Run replay(String... args) {
        return CollectRecordingsTest.replay(args);
    }

    @Test
    void setRefusesUnknownKeysAndBadValuesNamingSetAsTheSource() throws Exception {
        String rec = dir.toString();
        Map<String, String> cases = Map.of(
                "NO_SUCH_KEY=1", "error: unknown configuration key NO_SUCH_KEY in --set; the keys and their defaults are listed in config/node.properties",
                "MAX_BATCH_SIZE=abc", "error: MAX_BATCH_SIZE=abc (from --set) is not a whole number",
                "MAX_BATCH_SIZE=-3", "error: MAX_BATCH_SIZE=-3 (from --set) is outside 1..100000",
                "LOG_LEVEL=LOUD", "error: LOG_LEVEL=LOUD (from --set) is not one of TRACE, DEBUG, INFO, WARN, ERROR",
                "MAX_BATCH_SIZE", "error: --set takes KEY=VALUE, not 'MAX_BATCH_SIZE'");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            CollectRecordingsTest.Run r = replay("--recording", rec, "--node", "Node1", "--set", c.getKey());
            assertThat(r.exit()).as(c.getKey()).isEqualTo(2);
            assertThat(r.err()).as(c.getKey()).isEqualTo(c.getValue() + "\n").doesNotContain("-D");
            assertThat(r.out()).isEmpty();
        }
        assertThat(listing(dir)).isEmpty();
    }

    @Test
    void untilEventMustBeAnEventIndex() {
        for (String bad : List.of("-1", "x", "1.5")) {
            CollectRecordingsTest.Run r = replay("--recording", dir.toString(), "--node", "Node1", "--until-event", bad);
            assertThat(r.exit()).as(bad).isEqualTo(2);
            assertThat(r.err()).as(bad).isEqualTo("error: --until-event takes an event index, a whole number from 0 (the first event), not '"
                    + bad + "'\n");
        }
    }

    @Test
    void aMissingRecordingOrAFullWorkDirIsRefusedBeforeAnArchiveIsUnpacked() throws Exception {
        CollectRecordingsTest.Run missing = replay("--recording", dir.resolve("nowhere.tar.gz").toString(), "--node", "Node1");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: --recording " + dir.resolve("nowhere.tar.gz") + " does not exist;").hasLineCount(1);

        Path work = Files.createDirectories(dir.resolve("work"));
        Files.writeString(work.resolve("keep.txt"), "mine");
        Path archive = Files.writeString(dir.resolve("rec.tar.gz"), "not really an archive");
        CollectRecordingsTest.Run full = replay("--recording", archive.toString(), "--node", "Node1", "--work-dir", work.toString());
        assertThat(full.exit()).isEqualTo(2);
        assertThat(full.err()).isEqualTo("error: --work-dir " + work + " is not an empty folder; give an empty or new folder\n");
        assertThat(Files.readString(work.resolve("keep.txt"))).isEqualTo("mine");
    }

    @Test
    void helpGoesToStdoutWithExitZero() {
        for (String flag : List.of("-h", "--help")) {
            CollectRecordingsTest.Run r = replay(flag);
            assertThat(r.exit()).isZero();
            assertThat(r.out()).startsWith("usage: replay.sh --recording FILE|DIR --node NAME").contains("--set");
            assertThat(r.err()).isEmpty();
        }
        CollectRecordingsTest.Run stray = replay("--recording", dir.toString(), "--node", "Node1", "stray");
        assertThat(stray.exit()).isEqualTo(2);
        assertThat(stray.err()).isEqualTo("error: unexpected argument 'stray' (try --help)\n");
    }

    /** As a real process: the script passes a known key on, ReplayMain refuses its value; no temp folder is made. */
    @Test
    void replayShRefusesABadSetValueInOneLineAndCreatesNothing() throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Scripts.Result r = Scripts.runIn(cwd, 60, Map.of("SC_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -Djava.io.tmpdir=" + tmp),
                "replay.sh", "--recording", ".", "--node", "Node1", "--set", "MAX_BATCH_WAIT_MS=soon", "--json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).isEqualTo("error: MAX_BATCH_WAIT_MS=soon (from --set) is not a whole number\n");
        assertThat(r.stdout()).isEmpty();
        assertThat(listing(cwd)).isEmpty();
        assertThat(listing(tmp)).isEmpty();
    }

    private static List<Path> listing(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }
}
