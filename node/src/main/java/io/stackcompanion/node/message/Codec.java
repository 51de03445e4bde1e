package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.recorder.JsonLinesExporter;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The node's one message codec and its one JSON setup. Two wire forms, both deterministic (equal
 * messages have equal bytes on every node):
 * <ul>
 *   <li>JSON ({@link #encode}): record components in declaration order, no pretty printing. The client
 *   stack's form (what every client speaks), the form stored in the node's store, and the form
 *   signatures ({@link #signingBytes}) and batch digests are computed over;</li>
 *   <li>binary ({@link #encodeForNodeStack}, format {@value #BINARY_FORMAT}, see {@link BinaryCodec}):
 *   what a node sends other nodes, for the messages that have it.</li>
 * </ul>
 * A payload is self-describing: JSON starts with {@code '{'}, binary with its format byte.
 * {@link #decode} reads both, forever, so recordings of either kind stay readable.
 */
public final class Codec {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    // Made once: a writer or reader for the root type resolves the type and prefetches its serializer when
    // made, which showed in the client stack thread's profile when made per call; both are immutable, for any thread.
    private static final ObjectWriter MESSAGE_WRITER = MAPPER.writerFor(Message.class);
    private static final ObjectReader MESSAGE_READER = MAPPER.readerFor(Message.class);

    private Codec() {
    }

    /** The shared mapper, for other JSON the node writes (genesis, status, verdicts). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The first byte of a binary payload (its format version); a JSON payload starts with '{'. */
    public static final byte BINARY_FORMAT = BinaryCodec.FORMAT;

    /** {@code message} as JSON: the client stack's form, the store's, and what digests are computed over. */
    public static byte[] encode(Message message) {
        byte[] plain = PlainJson.encode(message); // the hot client-stack messages, byte for byte as below
        if (plain != null) {
            return plain;
        }
        return jackson(message);
    }

    /** {@code message} as Jackson writes it: {@link #encode} without the hand-written shortcut (for tests that compare them). */
    static byte[] jackson(Message message) {
        try {
            return MESSAGE_WRITER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    /**
     * {@code message} as the node stack sends it: binary where its type has a binary form
     * ({@link #hasBinaryForm}), JSON otherwise (and for the rare message whose strings UTF-8 cannot
     * carry: a lone surrogate from a JSON escape).
     */
    public static byte[] encodeForNodeStack(Message message) {
        if (BinaryCodec.hasForm(message)) {
            try {
                return BinaryCodec.encode(message);
            } catch (BinaryCodec.NoBinaryForm e) {
                // falls back to JSON, which carries any Java string
            }
        }
        return encode(message);
    }

    /** {@code message} in the binary form; {@link IllegalArgumentException} if it has none. */
    public static byte[] encodeBinary(Message message) {
        try {
            return BinaryCodec.encode(message);
        } catch (BinaryCodec.NoBinaryForm e) {
            throw new IllegalArgumentException("no binary form: " + e.getMessage(), e);
        }
    }

    /** Whether {@code message}'s type is sent binary on the node stack. */
    public static boolean hasBinaryForm(Message message) {
        return BinaryCodec.hasForm(message);
    }

    /** Whether {@code payload} is a binary message (it starts with {@link #BINARY_FORMAT}). */
    public static boolean isBinary(byte[] payload) {
        return payload.length > 0 && payload[0] == BINARY_FORMAT;
    }

    /**
     * {@code message} in the form {@code original} is in (binary if it is binary and {@code message}
     * has the form, else JSON): for tools that rewrite recorded messages and keep their format.
     */
    public static byte[] encodeLike(byte[] original, Message message) {
        return isBinary(original) ? encodeForNodeStack(message) : encode(message);
    }

    /** A JSON or a binary message; anything else is {@link MalformedMessageException}. */
    public static Message decode(byte[] bytes) throws MalformedMessageException {
        if (isBinary(bytes)) {
            return BinaryCodec.decode(bytes);
        }
        if (bytes.length > 0 && bytes[0] != '{' && bytes[0] < 0x20 && bytes[0] != '\t' && bytes[0] != '\n' && bytes[0] != '\r') {
            // Neither JSON nor a binary format this node knows (a newer node's?).
            throw new MalformedMessageException("malformed message: it starts with byte " + (bytes[0] & 0xFF)
                    + ", neither JSON nor binary format " + BINARY_FORMAT + " (a newer node's?)", null);
        }
        Message plain = PlainJson.read(bytes); // REQUEST, REQACK, REPLY as we write them: exactly what Jackson reads
        if (plain != null) {
            return plain;
        }
        return jacksonDecode(bytes);
    }

    /** A JSON message as Jackson reads it: {@link #decode} without the hand-written shortcut. */
    static Message jacksonDecode(byte[] bytes) throws MalformedMessageException {
        try {
            Message m = MESSAGE_READER.readValue(bytes);
            if (m == null) {
                throw new MalformedMessageException("malformed message: no message (JSON null)", null);
            }
            return m;
        } catch (IOException | RuntimeException e) {
            throw new MalformedMessageException("malformed message: " + firstLine(e.getMessage()), e);
        }
    }

    /**
     * Any JSON value as a tree, for humans (export, verdicts); a binary message as the tree of its
     * JSON form, exactly what the message would have been as JSON.
     *
     * @throws IllegalArgumentException for a malformed binary message
     */
    public static JsonNode tree(byte[] bytes) {
        try {
            if (isBinary(bytes)) {
                return MAPPER.readTree(encode(BinaryCodec.decode(bytes)));
            }
            return MAPPER.readTree(bytes);
        } catch (MalformedMessageException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A recorded payload as {@code recording.sh export} shows it: a binary message as its JSON form,
     * otherwise as the recorder's default decoder does (JSON as JSON, anything else as base64).
     * Throws for a malformed binary message (the exporter then shows it as base64 with the error).
     */
    public static JsonNode readable(byte[] payload) {
        return isBinary(payload) ? tree(payload) : JsonLinesExporter.DEFAULT_PAYLOAD_DECODER.apply(payload);
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
        byte[] plain = PlainJson.signingBytes(r);
        return plain != null ? plain : jacksonSigningBytes(r);
    }

    /** {@link #signingBytes} as Jackson writes them (for tests that compare). */
    static byte[] jacksonSigningBytes(Request r) {
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
