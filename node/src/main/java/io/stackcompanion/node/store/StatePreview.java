package io.stackcompanion.node.store;

import io.stackcompanion.node.crypto.Hashes;

import java.util.Arrays;

/** The state root after a speculative batch of writes: what the state root will be once committed. */
public record StatePreview(byte[] root) {
    public StatePreview {
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
        return o instanceof StatePreview other && Arrays.equals(root, other.root);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(root);
    }

    @Override
    public String toString() {
        return "StatePreview[root=" + rootHex() + "]";
    }
}
