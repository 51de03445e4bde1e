package io.stackcompanion.node.message;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodecTest {
    private static final Request REQUEST = new Request("aWQ=", 7, Operation.put("k", "v"), "c2ln");

    static List<Message> everyKind() {
        return List.of(REQUEST,
                new ReqAck("aWQ=", 7),
                new Reject("aWQ=", 7, "bad signature"),
                new Reply("aWQ=", 7, 12, "ab".repeat(32)),
                new Propagate(List.of(REQUEST, new Request("aWQ=", 8, Operation.put("k2", ""), "c2ln"))),
                new PrePrepare(2, 17, 1_767_225_600_123L, List.of("d1", "d2"), 40, "aa".repeat(32), "bb".repeat(32)),
                new Prepare(2, 17, "cc".repeat(32)),
                new Commit(2, 17, "cc".repeat(32)),
                new GetStatus(),
                new GetStatus(true),
                new Status("Node1", 2, "Node3", 17, 40, "aa".repeat(32), List.of("Node2", "Node4")),
                new Status("Node1", 2, "Node3", 17, 40, "aa".repeat(32), List.of("Node2", "Node4"),
                        Map.of("Node2", Map.of("equivocation", 3L, "bad-pre-prepare", 1L), "clients", Map.of("malformed", 2L))));
    }

    @Test
    void statusQuestionsAndAnswersWithoutRejectionCountsKeepTheirBytes() throws Exception {
        // What every recording before the counts holds: these bytes must decode, and encode again, unchanged.
        String question = "{\"op\":\"GET_STATUS\"}";
        String answer = "{\"op\":\"STATUS\",\"name\":\"Node1\",\"viewNo\":0,\"primary\":\"Node1\",\"lastOrderedPpSeqNo\":3,"
                + "\"ledgerSize\":3,\"ledgerRoot\":\"ab\",\"connected\":[\"Node2\"]}";
        for (String old : List.of(question, answer)) {
            assertThat(new String(Codec.encode(Codec.decode(old.getBytes(StandardCharsets.UTF_8))), StandardCharsets.UTF_8))
                    .isEqualTo(old);
        }
        assertThat(Codec.decode(question.getBytes(StandardCharsets.UTF_8))).isEqualTo(new GetStatus(null));
        assertThat(new String(Codec.encode(new GetStatus(true)), StandardCharsets.UTF_8))
                .isEqualTo("{\"op\":\"GET_STATUS\",\"withRejected\":true}");
        // Counts are sorted by sender, then reason, however they came.
        Status counted = new Status("Node1", 0, "Node1", 3, 3, "ab", List.of(),
                Map.of("Node3", Map.of("malformed", 1L), "Node2", Map.of("equivocation", 3L, "bad-pre-prepare", 1L)));
        assertThat(new String(Codec.encode(counted), StandardCharsets.UTF_8)).endsWith(
                "\"rejected\":{\"Node2\":{\"bad-pre-prepare\":1,\"equivocation\":3},\"Node3\":{\"malformed\":1}}}");
    }

    @Test
    void aViewChangeWithoutCheckpointsAndPrePreparedBatchesKeepsItsBytesAndSignedBytes() throws Exception {
        // What a recording made before VIEW_CHANGEs carried them holds: the same bytes, signed and encoded.
        PrePrepare pp = new PrePrepare(0, 1, 5, List.of("d1"), 1, "aa", "bb");
        String pps = "[" + new String(Codec.encode(pp), StandardCharsets.UTF_8) + "]";
        String old = "{\"op\":\"VIEW_CHANGE\",\"viewNo\":1,\"node\":\"Node1\",\"stableCheckpoint\":0,\"prepared\":" + pps
                + ",\"signature\":\"c2ln\"}";
        ViewChange decoded = (ViewChange) Codec.decode(old.getBytes(StandardCharsets.UTF_8));
        assertThat(decoded.hasEvidence()).isFalse();
        assertThat(new String(Codec.encode(decoded), StandardCharsets.UTF_8)).isEqualTo(old);
        assertThat(new String(Codec.signingBytes(decoded), StandardCharsets.UTF_8))
                .isEqualTo("{\"op\":\"VIEW_CHANGE\",\"viewNo\":1,\"node\":\"Node1\",\"stableCheckpoint\":0,\"prepared\":" + pps + "}");

        ViewChange withEvidence = new ViewChange(1, "Node1", 0, List.of(pp), List.of(0L, 5L), List.of(new BatchId(0, 1, "cc")), "c2ln");
        assertThat(Codec.decode(Codec.encode(withEvidence))).isEqualTo(withEvidence);
        assertThat(new String(Codec.signingBytes(withEvidence), StandardCharsets.UTF_8))
                .endsWith("\"prepared\":" + pps + ",\"checkpoints\":[0,5],\"preprepared\":[{\"viewNo\":0,\"ppSeqNo\":1,\"digest\":\"cc\"}]}");
        assertThat(new String(Codec.encode(withEvidence), StandardCharsets.UTF_8))
                .endsWith(",\"checkpoints\":[0,5],\"preprepared\":[{\"viewNo\":0,\"ppSeqNo\":1,\"digest\":\"cc\"}],\"signature\":\"c2ln\"}");
    }

    @Test
    void everyMessageKindRoundTripsToAnEqualMessage() throws Exception {
        for (Message m : everyKind()) {
            assertThat(Codec.decode(Codec.encode(m))).as(m.getClass().getSimpleName()).isEqualTo(m);
        }
    }

    @Test
    void encodingIsDeterministicAndNamesTheKind() {
        for (Message m : everyKind()) {
            assertThat(Codec.encode(m)).isEqualTo(Codec.encode(m));
        }
        assertThat(new String(Codec.encode(new Prepare(1, 2, "d")), StandardCharsets.UTF_8))
                .isEqualTo("{\"op\":\"PREPARE\",\"viewNo\":1,\"ppSeqNo\":2,\"digest\":\"d\"}");
    }

    @Test
    void malformedPayloadsAreRejectedWithAMessageNotACrash() {
        for (String bad : List.of("", "not json", "{}", "{\"op\":\"NOPE\"}", "{\"op\":\"PREPARE\",\"viewNo\":\"x\"}",
                "{\"op\":\"PREPARE\",\"viewNo\":1,\"ppSeqNo\":2,\"digest\":\"d\",\"extra\":1}",
                "{\"op\":\"PREPARE\",\"viewNo\":1,\"ppSeqNo\":2,\"digest\":\"d\"} trailing", "[1,2]", "null")) {
            assertThatThrownBy(() -> Codec.decode(bad.getBytes(StandardCharsets.UTF_8)))
                    .as(bad).isInstanceOf(MalformedMessageException.class).hasMessageStartingWith("malformed message");
        }
    }

    @Test
    void theSignedPartExcludesTheSignatureAndTheDigestNamesTheRequest() {
        Request resigned = new Request(REQUEST.identifier(), REQUEST.reqId(), REQUEST.operation(), "b3RoZXI=");
        assertThat(Codec.signingBytes(resigned)).isEqualTo(Codec.signingBytes(REQUEST));
        assertThat(Codec.digest(resigned)).isEqualTo(Codec.digest(REQUEST)).hasSize(64);
        Request other = new Request(REQUEST.identifier(), REQUEST.reqId(), Operation.put("k", "w"), REQUEST.signature());
        assertThat(Codec.digest(other)).isNotEqualTo(Codec.digest(REQUEST));
    }
}
