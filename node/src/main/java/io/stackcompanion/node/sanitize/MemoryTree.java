package io.stackcompanion.node.sanitize;

import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.store.MerkleTree;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 6962 Merkle tree held in memory (every complete aligned subtree), over the pool's ledger as
 * the sanitizer learns it: its root at any size and its consistency proofs are those a node's
 * {@code Ledger} gives for the same transactions.
 */
final class MemoryTree implements MerkleTree.Nodes {
    private final List<List<byte[]>> levels = new ArrayList<>();

    void append(byte[] leaf) {
        byte[] hash = MerkleTree.leafHash(leaf);
        for (int level = 0; ; level++) {
            if (levels.size() == level) {
                levels.add(new ArrayList<>());
            }
            List<byte[]> nodes = levels.get(level);
            nodes.add(hash);
            if (nodes.size() % 2 != 0) {
                return;
            }
            hash = MerkleTree.nodeHash(nodes.get(nodes.size() - 2), hash);
        }
    }

    long size() {
        return levels.isEmpty() ? 0 : levels.get(0).size();
    }

    @Override
    public byte[] node(int level, long index) {
        return levels.get(level).get((int) index);
    }

    String rootHex(long size) {
        return Hashes.hex(MerkleTree.root(this, size));
    }

    List<String> consistencyProofHex(long oldSize, long newSize) {
        return MerkleTree.consistencyProof(this, oldSize, newSize).stream().map(Hashes::hex).toList();
    }
}
