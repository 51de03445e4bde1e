package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.stackcompanion.node.crypto.Hashes;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON setup of the node. Encoding is deterministic: record components in declaration
 * order, no pretty printing, so equal messages have equal bytes on every node.
 */
public final class Codec {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Codec() {
    }

    /** The shared mapper, for other JSON the node writes (genesis, status, verdicts). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(Message message) {
        try {
            return MAPPER.writerFor(Message.class).writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    public static Message decode(byte[] bytes) throws MalformedMessageException {
        try {
            Message m = MAPPER.readValue(bytes, Message.class);
            if (m == null) {
                throw new MalformedMessageException("malformed message: no message (JSON null)", null);
            }
            return m;
        } catch (IOException | RuntimeException e) {
            throw new MalformedMessageException("malformed message: " + firstLine(e.getMessage()), e);
        }
    }

    /** Any JSON value as a tree, for humans (export, verdicts). */
    public static JsonNode tree(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] toBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /** What a client signs: the request without its signature. */
    public static byte[] signingBytes(Request r) {
        return toBytes(new SignedPart(r.identifier(), r.reqId(), r.operation()));
    }

    /** The request's digest (hex SHA-256 of its signing bytes): its name in batches. */
    public static String digest(Request r) {
        return Hashes.sha256Hex(signingBytes(r));
    }

    private record SignedPart(String identifier, long reqId, Operation operation) {
    }

    /**
     * What a node signs of its VIEW_CHANGE: everything but the signature (a VIEW_CHANGE without
     * checkpoints and pre-prepared batches, as made before they were carried, signs the bytes it did then).
     */
    public static byte[] signingBytes(ViewChange vc) {
        return toBytes(new SignedViewChange("VIEW_CHANGE", vc.viewNo(), vc.node(), vc.stableCheckpoint(), vc.prepared(),
                vc.checkpoints(), vc.preprepared()));
    }

    private record SignedViewChange(String op, int viewNo, String node, long stableCheckpoint, java.util.List<PrePrepare> prepared,
                                    @JsonInclude(JsonInclude.Include.NON_NULL) java.util.List<Long> checkpoints,
                                    @JsonInclude(JsonInclude.Include.NON_NULL) java.util.List<BatchId> preprepared) {
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
