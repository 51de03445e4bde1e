package io.stackcompanion.node.message;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

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
                new Status("Node1", 2, "Node3", 17, 40, "aa".repeat(32), List.of("Node2", "Node4")));
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
