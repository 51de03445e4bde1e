package io.stackcompanion.replay;

import io.stackcompanion.node.scripts.Scripts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
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
}
