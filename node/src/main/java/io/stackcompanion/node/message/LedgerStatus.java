package io.stackcompanion.node.message;

/**
 * A catching-up node's committed ledger ({@code size}, {@code root} hex). With {@code targetSize}
 * -1 it asks for the peer's whole ledger; otherwise for the peer's ledger at that size.
 */
public record LedgerStatus(long size, String root, long targetSize) implements Message {
}
