package io.stackcompanion.node.store;

import io.stackcompanion.node.crypto.Hashes;

import java.util.Arrays;

/**
 * A root hash (the ledger's Merkle root or the state's root) as a value: copied in and out, compared
 * by content, shown as hex. What {@link State#applyUncommitted} returns, and half of a
 * {@link LedgerPreview}.
 */
public record Root(byte[] bytes) {
    public Root {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The root as lowercase hex. */
    public String hex() {
        return Hashes.hex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Root other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
