package io.stackcompanion.node.store;

import io.stackcompanion.node.crypto.Hashes;

/**
 * The ledger's size and Merkle root after a speculative append: what a PRE-PREPARE announces and
 * what {@link Ledger#root()} will be once those transactions are committed.
 */
public record LedgerPreview(long size, byte[] root) {
    public LedgerPreview {
        root = root.clone();
    }

    @Override
    public byte[] root() {
        return root.clone();
    }

    /** The root as lowercase hex. */
    public String rootHex() {
        return Hashes.hex(root);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LedgerPreview other && size == other.size
                && java.util.Arrays.equals(root, other.root);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size) * 31 + java.util.Arrays.hashCode(root);
    }

    @Override
    public String toString() {
        return "LedgerPreview[size=" + size + ", root=" + rootHex() + "]";
    }
}
