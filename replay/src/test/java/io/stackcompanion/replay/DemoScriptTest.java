package io.stackcompanion.replay;

import io.stackcompanion.node.scripts.Scripts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command, as a user runs it: four node processes record, one is killed with
 * SIGKILL and restarted, the pool stops, and every node's replay must match its recording.
 */
class DemoScriptTest {
    @TempDir
    Path dir;

    @AfterEach
    void noNodeOutlivesTheTest() throws Exception {
        Path base = dir.resolve("demo");
        Scripts.downAndSweep(base);
    }

    @Test
    void theDemoRecordsKillsRestartsAndReplaysEveryNodeToAMatch() throws Exception {
        Path base = dir.resolve("demo");
        Scripts.Result demo = Scripts.run(900, "demo.sh", "--base-dir", base.toString(), "--requests", "200");
        assertThat(demo.exitCode()).as(demo.toString()).isZero();
        assertThat(demo.stdout()).contains("Node1: ", "Node3: ");
        assertThat(demo.stdout().split("MATCH: the replay reproduced the recording exactly", -1)).hasSize(5);

        // The killed node's recording, as the demo's own verify and stats showed it (demo.sh stops at the
        // first failing step): it verifies, and shows both starts and the unclean stop.
        assertThat(demo.stdout().lines().filter(l -> l.startsWith("ok ") && l.contains(base.resolve("data/Node3/recorder/node") + " (")))
                .as(demo.toString()).hasSize(1);
        Map<String, Integer> nodeStack = eventsPerKind(demo.stdout(), "Node3", "node");
        assertThat(nodeStack).as(demo.toString()).isNotEmpty();
        assertThat(nodeStack).containsEntry("STARTED", 2).containsEntry("UNCLEAN_STOP", 1).containsEntry("STOPPED", 1);

        // The replayed node's log lines up with the original node.log: the core's lines, in order,
        // with the recorded time (not the replay's wall time), at the node's configured level.
        // (demo.sh wrote each replayed node's log beside its node.log.)
        Path log = base.resolve("data/Node2/replay.log");
        List<LogLine> original = coreLines(base.resolve("data/Node2/node.log"));
        List<LogLine> replayed = coreLines(log);
        // At least: started, catches up, connected to each of the 3 others, caught up.
        assertThat(original).as("the core's INFO lines in node.log").hasSizeGreaterThanOrEqualTo(6);
        assertThat(replayed).extracting(LogLine::text).containsExactlyElementsOf(original.stream().map(LogLine::text).toList());
        for (int i = 0; i < original.size(); i++) {
            long apart = Duration.between(original.get(i).time(), replayed.get(i).time()).abs().toMillis();
            assertThat(apart).as("recorded time of %s vs its original time", replayed.get(i)).isLessThan(1_000);
        }
        assertThat(Files.readString(log)).contains("[#");
    }

    /** The events per kind {@code recording.sh stats} printed for one stack of one node. */
    private static Map<String, Integer> eventsPerKind(String stdout, String node, String stack) {
        Map<String, Integer> kinds = new TreeMap<>();
        boolean in = false;
        for (String line : stdout.lines().toList()) {
            if (!line.startsWith(" ")) {
                in = line.matches(node + "\\s+" + stack + "\\s.*");
            } else if (in) {
                String[] kindAndCount = line.strip().split("\\s+");
                kinds.put(kindAndCount[0], Integer.parseInt(kindAndCount[1]));
            }
        }
        return kinds;
    }

    /** A log line: its time, and level + logger + message. */
    private record LogLine(LocalDateTime time, String text) {
    }

    private static final Pattern LINE = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) (\\S+)\\s+\\[[^\\]]*\\] (\\S+) - (.*)$");

    /** The lines the core logged (its loggers are {@code ...core.X}), from a node.log or a replayed log. */
    private static List<LogLine> coreLines(Path file) throws Exception {
        List<LogLine> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            Matcher m = LINE.matcher(l);
            if (m.matches() && m.group(3).contains("core.")) {
                out.add(new LogLine(LocalDateTime.parse(m.group(1).replace(' ', 'T')), m.group(2) + " " + m.group(3) + " - " + m.group(4)));
            }
        }
        return out;
    }
}
