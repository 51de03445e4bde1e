package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.CoreSnapshot;
import io.stackcompanion.node.core.CoreTap;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Prepare;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.recorder.EventCursor;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.RecordingReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replay across message formats: {@code format3-pool.tgz} was recorded when node messages crossed
 * the wire as JSON; today's core sends them binary. The replay compares by content, so the old
 * recording still matches, and a real difference of content is still reported, shown as JSON.
 */
class BinaryMessagesReplayTest {
    @TempDir
    Path dir;
    @TempDir
    Path work;

    @BeforeEach
    void unpack() throws Exception {
        RecordingFixtures.unpack("format3-pool.tgz", dir);
    }

    @Test
    void anOldJsonRecordingReplaysToAMatchWithTheBinarySendingCore() throws Exception {
        RecordingSource source = RecordingSource.find(dir, "Node2");
        int recordedJson = 0;
        try (RecordingReader reader = RecordingReader.open(source.folder().resolve(NodeRecording.NODE_STACK));
             EventCursor events = reader.iterator()) {
            while (events.hasNext()) {
                RecordedEvent e = events.next();
                if (e.kind() == EventKind.OUTGOING) {
                    assertThat(e.payload()[0]).as("the fixture's node messages are JSON").isEqualTo((byte) '{');
                    recordedJson++;
                }
            }
        }
        List<byte[]> sent = new ArrayList<>();
        Verdict v;
        try (Replayer replayer = new Replayer(source, Replayer.Options.defaults(), work, sendsTo(sent))) {
            v = replayer.run(i -> { });
        }
        assertThat(v.outcome()).as("%s", v).isEqualTo(Verdict.Outcome.MATCH);
        assertThat(v.ledgerSize()).isEqualTo(140);
        assertThat(recordedJson).isGreaterThan(100);
        assertThat(sent).hasSize(recordedJson);
        assertThat(sent).allSatisfy(p -> assertThat(Codec.isBinary(p)).isTrue());
    }

    @Test
    void aRealDifferenceOfContentIsStillReportedAsJson() throws Exception {
        // As if the recorded node had prepared another batch: its first recorded PREPARE (JSON) names
        // another digest. The replayed node sends the real one, binary; the bytes differ either way, and
        // here the content does too.
        Path recorder = dir.resolve("data/Node2/recorder");
        Path nodeStack = recorder.resolve(NodeRecording.NODE_STACK);
        Path altered = recorder.resolve("altered");
        long[] alteredSeq = {-1};
        try (RecordingReader reader = RecordingReader.open(nodeStack)) {
            reader.copyTo(altered, null, e -> {
                if (alteredSeq[0] < 0 && e.kind() == EventKind.OUTGOING && message(e.payload()) instanceof Prepare p) {
                    alteredSeq[0] = e.seq();
                    return new RecordedEvent(e.timeNanos(), e.seq(), e.kind(), e.peers(),
                            Codec.encode(new Prepare(p.viewNo(), p.ppSeqNo(), "00".repeat(32))));
                }
                return e;
            });
        }
        FileTrees.delete(nodeStack);
        Files.move(altered, nodeStack);
        assertThat(alteredSeq[0]).isPositive();

        CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", dir.toString(), "--node", "Node2", "--json");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        JsonNode d = Codec.tree(r.out().lines().reduce((a, b) -> b).orElseThrow().getBytes(StandardCharsets.UTF_8)).get("firstDivergence");
        assertThat(d.get("reason").asText()).as(d.toPrettyString()).isEqualTo("the replayed node sent a different message than the recorded node");
        JsonNode expected = d.get("expected").get("message");
        JsonNode actual = d.get("actual").get("message");
        assertThat(expected.get("op").asText()).isEqualTo("PREPARE");
        assertThat(expected.get("digest").asText()).isEqualTo("00".repeat(32));
        // The binary message the replayed node sent, shown as its JSON.
        assertThat(actual.get("op").asText()).isEqualTo("PREPARE");
        assertThat(actual.get("ppSeqNo")).isEqualTo(expected.get("ppSeqNo"));
        assertThat(actual.get("digest").asText()).hasSize(64).isNotEqualTo("00".repeat(32));
    }

    private static Message message(byte[] payload) {
        try {
            return Codec.decode(payload);
        } catch (MalformedMessageException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theSameMessageInEitherFormatIsTheSameAndAnotherIsNot() {
        PrePrepare pp = new PrePrepare(0, 1, 1_795_000_000_000L, List.of("ab".repeat(32)), 1, "cd".repeat(32), "ef".repeat(32));
        PrePrepare later = new PrePrepare(0, 1, 1_795_000_000_001L, pp.reqDigests(), 1, pp.txnRoot(), pp.stateRoot());
        assertThat(Replayer.sameMessage(Codec.encodeBinary(pp), Codec.encode(pp))).isTrue();
        assertThat(Replayer.sameMessage(Codec.encode(pp), Codec.encodeBinary(pp))).isTrue();
        assertThat(Replayer.sameMessage(Codec.encodeBinary(later), Codec.encode(pp))).isFalse();
        assertThat(Replayer.sameMessage(Codec.encodeBinary(new Prepare(0, 1, "ab")), Codec.encode(pp))).isFalse();
        assertThat(Replayer.sameMessage(new byte[]{1, 99}, new byte[]{1, 99})).isTrue(); // the same bytes, whatever they are
        assertThat(Replayer.sameMessage(new byte[]{1, 99}, Codec.encode(pp))).isFalse();
        assertThat(Replayer.json(Codec.encodeBinary(pp))).isEqualTo(Codec.tree(Codec.encode(pp)));
    }

    private static CoreTap sendsTo(List<byte[]> sent) {
        return new CoreTap() {
            @Override
            public void onInput(long time, CoreInput input) {
            }

            @Override
            public void onSend(long time, StackName stack, List<String> peers, byte[] payload) {
                if (stack == StackName.NODE) {
                    sent.add(payload);
                }
            }

            @Override
            public void onHandled(long time) {
            }

            @Override
            public void onStop(long time, Status last) {
            }

            @Override
            public void onState(long time, CoreSnapshot state) {
            }
        };
    }
}
