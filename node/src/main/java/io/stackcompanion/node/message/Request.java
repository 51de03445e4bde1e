package io.stackcompanion.node.message;

/**
 * A client's signed write. {@code identifier} is the client's Ed25519 public key (X.509, base64);
 * {@code signature} is base64 Ed25519 over {@link Codec#signingBytes(Request)}. A client numbers its
 * requests with {@code reqId}; (identifier, reqId) names a request for its whole life.
 */
public record Request(String identifier, long reqId, Operation operation, String signature) implements Message {
}
