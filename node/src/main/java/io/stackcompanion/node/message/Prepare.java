package io.stackcompanion.node.message;

/** A replica accepted the PRE-PREPARE whose digest is {@code digest}. */
public record Prepare(int viewNo, long ppSeqNo, String digest) implements Message {
}
