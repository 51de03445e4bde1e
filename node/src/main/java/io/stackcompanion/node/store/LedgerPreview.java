package io.stackcompanion.node.store;

/**
 * The ledger's size and Merkle root after a speculative append: what a PRE-PREPARE announces and
 * what {@link Ledger#root()} will be once those transactions are committed.
 */
public record LedgerPreview(long size, Root root) {
    /** The root as lowercase hex. */
    public String rootHex() {
        return root.hex();
    }
}
