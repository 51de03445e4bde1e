package io.stackcompanion.replay;

import io.stackcompanion.node.recording.NodeRecording;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The regression test of record/replay compatibility: {@code recordings/format3-pool.tgz} was
 * recorded on 2026-12-02 by a real 4-process pool (format 3): 60 requests, the primary Node1
 * SIGKILLed, a view change to Node2, 40 requests, Node1 restarted (a restart state) and caught up,
 * 40 more, the pool stopped. Every node of it must replay to a MATCH with the code of today and of
 * every later change, and verify as complete: a change to the core that alters behaviour, or to
 * the format that loses compatibility, fails here.
 */
class RecordingCompatibilityTest {
    @TempDir
    Path dir;

    @BeforeEach
    void unpack() throws Exception {
        RecordingFixtures.unpack("format3-pool.tgz", dir);
    }

    @Test
    void everyNodeReplaysToAMatch() {
        for (String node : new String[] {"Node1", "Node2", "Node3", "Node4"}) {
            CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", dir.toString(), "--node", node, "--json");
            assertThat(r.exit()).as(node + ": " + r).isZero();
            assertThat(r.out()).contains("\"matches\":true", "\"ledgerSize\":140");
        }
    }

    @Test
    void itVerifiesAsCompleteWithTheKilledPrimarysRestartState() throws Exception {
        assertThat(Files.isDirectory(dir.resolve("data/Node1/recorder").resolve(NodeRecording.RESTART_STATES))).isTrue();
        CollectRecordingsTest.Run v = CollectRecordingsTest.recording("verify", dir.toString());
        assertThat(v.exit()).as(v.toString()).isZero();
        assertThat(v.out().lines().filter(l -> l.endsWith("none missing)"))).hasSize(8);
        assertThat(v.out()).contains("restart-states/").doesNotContain("note:");
    }
}
