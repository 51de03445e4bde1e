package io.stackcompanion.node.store;

import java.util.Arrays;

/**
 * The right edge of a Merkle tree: the hashes of the complete aligned subtrees that make up the
 * first {@code size} leaves, one per set bit of {@code size}, largest (leftmost) first. Immutable,
 * so a speculative append can fork it and a discard simply drops the fork.
 */
final class Frontier {

    /** Receives every complete subtree hash an append creates, for persisting. */
    @FunctionalInterface
    interface NodeSink {
        void node(int level, long index, byte[] hash);
    }

    static final NodeSink NO_SINK = (level, index, hash) -> { };
    static final Frontier EMPTY = new Frontier(0, new byte[0][]);

    private final long size;
    private final byte[][] subtrees;
    private byte[] root;

    private Frontier(long size, byte[][] subtrees) {
        this.size = size;
        this.subtrees = subtrees;
    }

    /** Rebuilds the frontier of a tree of {@code size} leaves from its stored subtree hashes. */
    static Frontier load(long size, MerkleTree.Nodes nodes) {
        byte[][] subtrees = new byte[Long.bitCount(size)][];
        long start = 0;
        int i = 0;
        for (int level = 63; level >= 0; level--) {
            if ((size >>> level & 1) == 1) {
                subtrees[i++] = nodes.node(level, start >>> level);
                start += 1L << level;
            }
        }
        return new Frontier(size, subtrees);
    }

    long size() {
        return size;
    }

    /** The frontier after appending one leaf; every new complete subtree goes to {@code sink}. */
    Frontier append(byte[] leafHash, NodeSink sink) {
        int merges = Long.numberOfTrailingZeros(~size); // trailing 1 bits: subtrees the new leaf completes
        byte[][] next = Arrays.copyOf(subtrees, subtrees.length - merges + 1);
        long index = size;
        byte[] hash = leafHash;
        sink.node(0, index, hash);
        for (int level = 1; level <= merges; level++) {
            hash = MerkleTree.nodeHash(subtrees[subtrees.length - level], hash);
            index >>>= 1;
            sink.node(level, index, hash);
        }
        next[next.length - 1] = hash;
        return new Frontier(size + 1, next);
    }

    /** The tree's root: the subtrees folded from the right; cached, as the frontier never changes. */
    byte[] root() {
        if (root == null) {
            if (subtrees.length == 0) {
                root = MerkleTree.emptyRoot();
            } else {
                byte[] acc = subtrees[subtrees.length - 1];
                for (int i = subtrees.length - 2; i >= 0; i--) {
                    acc = MerkleTree.nodeHash(subtrees[i], acc);
                }
                root = acc;
            }
        }
        return root.clone();
    }
}
