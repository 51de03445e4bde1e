package io.stackcompanion.replay;

import io.stackcompanion.recorder.RecordingClock;
import io.stackcompanion.recorder.Recorder;
import io.stackcompanion.recorder.RecordingReader;
import io.stackcompanion.recorder.RecorderMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The main workflow: a developer replays a customer's incident, recorded by an earlier version of
 * the product, with the fixed code. {@code recordings/format2-pool.tgz} was recorded by Stack
 * Companion 0.1.0 (format 2, before chains and seals): Node2 SIGKILLed with its last events in a
 * version-1 journal, Node3 killed and restarted (a restart state without a digest). It still
 * verifies as far as its format allows, saying plainly what could not be checked, and replays.
 */
class LegacyRecordingTest {
    @TempDir
    Path dir;

    @BeforeEach
    void unpack() throws Exception {
        RecordingFixtures.unpack("format2-pool.tgz", dir);
    }

    @Test
    void verifySaysWhatItCouldNotCheckAndStillSaysOk() {
        CollectRecordingsTest.Run v = verify(dir.resolve("data"));
        assertThat(v.exit()).as(v.toString()).isZero();
        assertThat(v.out()).contains("before seals", "whether events are missing cannot be",
                "recorded before digests: it is readable, whether it holds what was taken cannot be checked");
        assertThat(v.out()).doesNotContain("none missing");
    }

    @Test
    void theKilledAndTheRestartedNodeReplayToAMatch() {
        for (String node : new String[] {"Node2", "Node3"}) {
            CollectRecordingsTest.Run r = replay(node);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).contains("MATCH");
        }
    }

    @Test
    void aWriterContinuingItSealsWhatItHoldsAndItStillReplays() {
        Path stack = dir.resolve("data/Node2/recorder/node");
        RecorderMetadata old;
        long events;
        try (RecordingReader r = RecordingReader.open(stack)) {
            old = r.metadata();
            events = r.countEvents();
        }
        assertThat(old.formatVersion()).isEqualTo(2);
        RecordingClock clock = RecordingClock.system();
        try (Recorder recorder = Recorder.open(stack, RecorderMetadata.create(old.nodeName(), old.stackName(),
                old.poolGenesisHash(), "test", clock), clock)) {
            assertThat(recorder.metadata().formatVersion()).isEqualTo(3);
        }
        CollectRecordingsTest.Run v = verify(stack);
        assertThat(v.exit()).as(v.toString()).isZero();
        assertThat(v.out()).contains("(" + events + " events, none missing)");
        CollectRecordingsTest.Run r = replay("Node2");
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    private static CollectRecordingsTest.Run verify(Path target) {
        return CollectRecordingsTest.recording("verify", target.toString());
    }

    private CollectRecordingsTest.Run replay(String node) {
        return CollectRecordingsTest.replay("--recording", dir.toString(), "--node", node);
    }
}
