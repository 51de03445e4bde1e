package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.tools.CollectMain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A recording stores the configuration its node ran with, and the replay rebuilds it: a key this
 * build does not know (a newer build made the recording) is refused, naming the key and the
 * recording, unless the user opts in with {@code --ignore-unknown-config}, and then the verdict says
 * which keys were ignored. A recorded value this build refuses names the recording as its source;
 * a {@code --set} value, {@code --set}.
 */
class RecordedConfigTest {
    private static final String NODE = "Node1";

    @TempDir
    static Path dir;
    /** A simulator recording rewritten as a newer build with one more key would have made it. */
    private static Path newer;
    /** The same recording, as made by a build whose value of a known key this build refuses. */
    private static Path outOfRange;

    @BeforeAll
    static void record() throws Exception {
        newer = RecordingFixtures.simulatedPool(dir.resolve("newer"), NODE, 11, 3);
        outOfRange = dir.resolve("out-of-range");
        FileTreesCopy.copy(newer, outOfRange);
        RecordingFixtures.rewriteRecordedConfig(newer, NODE, config -> config.put("FROM_A_NEWER_BUILD", "7"));
        RecordingFixtures.rewriteRecordedConfig(outOfRange, NODE, config -> config.put("MAX_BATCH_SIZE", "0"));
        for (Path pool : new Path[] {newer, outOfRange}) {
            CollectRecordingsTest.Run v = CollectRecordingsTest.recording("verify", pool.toString());
            assertThat(v.exit()).as("the rewritten recording is sound: " + v).isZero();
        }
    }

    @Test
    void aKeyThisBuildDoesNotKnowIsRefusedNamingItTheRecordingAndWhatToDo() {
        CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", newer.toString(), "--node", NODE);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: the recording of " + NODE + " in " + newer.resolve("data/" + NODE + "/recorder")
                + " was made with configuration key FROM_A_NEWER_BUILD=7, which this build does not know (a newer Stack"
                + " Companion recorded it); replay it with the build that recorded it, or pass --ignore-unknown-config to"
                + " replay as if it were not set\n");
        assertThat(r.out()).doesNotContain("MATCH", "DIVERGED");
    }

    @Test
    void fromAnArchiveTheErrorNamesTheArchiveNotTheFolderItWasUnpackedInto() {
        Path archive = dir.resolve("newer.tar.gz");
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        java.io.PrintStream quiet = new java.io.PrintStream(sink, true, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(CollectMain.run(new String[] {"--base-dir", newer.toString(), "--node", NODE, "--out", archive.toString()},
                quiet, quiet, false)).as(sink.toString(java.nio.charset.StandardCharsets.UTF_8)).isZero();
        CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", archive.toString(), "--node", NODE);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: the recording of " + NODE + " in " + archive)
                .contains(" was made with configuration key FROM_A_NEWER_BUILD=7, ").doesNotContain("replay-archive-").hasLineCount(1);
    }

    @Test
    void withIgnoreUnknownConfigItReplaysAndTheVerdictListsWhatWasIgnored() throws Exception {
        CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", newer.toString(), "--node", NODE,
                "--ignore-unknown-config", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("ignored recorded configuration this build does not know (--ignore-unknown-config):"
                + " {FROM_A_NEWER_BUILD=7}", "MATCH");
        String[] lines = r.out().strip().split("\n");
        JsonNode verdict = Codec.mapper().readTree(lines[lines.length - 1]);
        assertThat(verdict.get("ignoredConfig").toString()).isEqualTo("{\"FROM_A_NEWER_BUILD\":\"7\"}");
        assertThat(verdict.get("matches").asBoolean()).isTrue();
    }

    @Test
    void aRecordedValueThisBuildRefusesNamesTheRecordingAsItsSource() {
        CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", outOfRange.toString(), "--node", NODE);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: MAX_BATCH_SIZE=0 (from the recording of " + NODE + " in "
                + outOfRange.resolve("data/" + NODE + "/recorder") + ") is outside 1..100000\n");
    }

    @Test
    void aSetValueThatClashesWithARecordedOneNamesEachLayer() {
        // CHK_FREQ=200 alone is fine; with the recorded LOG_SIZE (300) it is not, and the message says
        // which layer each value came from.
        CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", newer.toString(), "--node", NODE,
                "--ignore-unknown-config", "--set", "CHK_FREQ=200");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: LOG_SIZE=300 (from the recording of " + NODE + " in "
                + newer.resolve("data/" + NODE + "/recorder") + ") must be at least 2 * CHK_FREQ=200 (from --set),"
                + " or the primary stalls before a checkpoint can become stable\n");
    }

    /** A plain recursive copy of a pool folder. */
    private static final class FileTreesCopy {
        static void copy(Path from, Path to) throws Exception {
            try (var paths = Files.walk(from)) {
                for (Path p : (Iterable<Path>) paths::iterator) {
                    Files.copy(p, to.resolve(from.relativize(p).toString()));
                }
            }
        }
    }
}
