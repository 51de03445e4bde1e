package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.scripts.Scripts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

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

        // The killed node's recording: it opens, verifies, and shows both starts and the unclean stop.
        Scripts.Result verify = Scripts.run(120, "recording.sh", "verify", base.resolve("data/Node3").toString(), "--json");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        Scripts.Result stats = Scripts.run(120, "recording.sh", "stats", base.resolve("data/Node3").toString(), "--json");
        JsonNode recordings = Codec.mapper().readTree(stats.lastLine()).get("recordings");
        JsonNode nodeStack = null;
        for (JsonNode r : recordings) {
            if (r.get("stack").asText().equals("node")) {
                nodeStack = r.get("eventsPerKind");
            }
        }
        assertThat(nodeStack).as(stats.toString()).isNotNull();
        assertThat(nodeStack.get("STARTED").asInt()).isEqualTo(2);
        assertThat(nodeStack.get("UNCLEAN_STOP").asInt()).isEqualTo(1);
        assertThat(nodeStack.get("STOPPED").asInt()).isEqualTo(1);
    }
}
