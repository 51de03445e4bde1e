package io.stackcompanion.node.message;

/** Asks for ledger transactions {@code from..to} (1-based, inclusive) of the ledger of {@code targetSize}. */
public record CatchupReq(long from, long to, long targetSize) implements Message {
}
