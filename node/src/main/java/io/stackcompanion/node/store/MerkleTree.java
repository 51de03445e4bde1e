package io.stackcompanion.node.store;

import io.stackcompanion.node.crypto.Hashes;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * RFC 6962 Merkle tree hashing, proofs and their verification.
 *
 * <p>Leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right), the root of the
 * empty tree = SHA-256(""). Leaves are indexed from 0 here, as in the RFC ({@link Ledger} seqNo
 * {@code s} is leaf {@code s - 1}).
 *
 * <p>Roots and proofs are computed from {@link Nodes}: the stored hashes of complete, aligned
 * subtrees, addressed by (level, index). The RFC's recursion only ever splits off such subtrees, so
 * any root or proof costs O(log n) lookups and hashes, never a walk over all leaves.
 */
public final class MerkleTree {

    /** Size in bytes of every hash in the tree. */
    public static final int HASH_SIZE = 32;

    private static final byte[] EMPTY_ROOT = Hashes.sha256(new byte[0]);
    // Proof checks may run on any thread (tests, tools); the core itself is single-threaded.
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Hashes::sha256);

    /**
     * Read access to the hash of the complete subtree covering leaves
     * {@code [index << level, (index + 1) << level)}; level 0 holds the leaf hashes.
     */
    @FunctionalInterface
    public interface Nodes {
        /** The 32-byte hash; implementations throw if it is missing (a corrupted store). */
        byte[] node(int level, long index);
    }

    private MerkleTree() {
    }

    /** The root of the empty tree, SHA-256 of the empty string (a fresh copy). */
    public static byte[] emptyRoot() {
        return EMPTY_ROOT.clone();
    }

    /** SHA-256(0x00 || leaf). */
    public static byte[] leafHash(byte[] leaf) {
        MessageDigest md = SHA256.get();
        md.update((byte) 0);
        return md.digest(leaf);
    }

    /** SHA-256(0x01 || left || right). */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest md = SHA256.get();
        md.update((byte) 1);
        md.update(left);
        return md.digest(right);
    }

    /** The root of a tree holding {@code leaves} (raw leaf data, not hashes); O(n) hashes. */
    public static byte[] rootOf(List<byte[]> leaves) {
        Frontier frontier = Frontier.EMPTY;
        for (byte[] leaf : leaves) {
            frontier = frontier.append(leafHash(leaf), Frontier.NO_SINK);
        }
        return frontier.root();
    }

    /** The root of the first {@code size} leaves; O(log size). */
    public static byte[] root(Nodes nodes, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("tree size " + size + " is negative");
        }
        return size == 0 ? emptyRoot() : hashRange(nodes, 0, size);
    }

    /**
     * The audit path of leaf {@code leafIndex} in the tree of the first {@code treeSize} leaves
     * (RFC 6962 section 2.1.1), ordered from the leaf upwards.
     */
    public static List<byte[]> inclusionProof(Nodes nodes, long leafIndex, long treeSize) {
        if (leafIndex < 0 || leafIndex >= treeSize) {
            throw new IllegalArgumentException(
                    "leaf " + leafIndex + " is not in a tree of size " + treeSize);
        }
        List<byte[]> proof = new ArrayList<>();
        path(nodes, leafIndex, 0, treeSize, proof);
        return proof;
    }

    /**
     * The consistency proof between the trees of the first {@code oldSize} and {@code newSize}
     * leaves (RFC 6962 section 2.1.2); empty when {@code oldSize} is 0 or equals {@code newSize}.
     */
    public static List<byte[]> consistencyProof(Nodes nodes, long oldSize, long newSize) {
        if (oldSize < 0 || oldSize > newSize) {
            throw new IllegalArgumentException(
                    "no consistency proof from size " + oldSize + " to size " + newSize);
        }
        if (oldSize == 0 || oldSize == newSize) {
            return Collections.emptyList();
        }
        List<byte[]> proof = new ArrayList<>();
        subproof(nodes, oldSize, 0, newSize, true, proof);
        return proof;
    }

    /**
     * Whether {@code proof} shows that the leaf with hash {@code leafHash} sits at {@code leafIndex}
     * in the tree of size {@code treeSize} whose root is {@code root} (RFC 9162 section 2.1.3.2).
     * Never throws on bad input: anything malformed is simply not verified.
     */
    public static boolean verifyInclusion(
            byte[] leafHash, long leafIndex, long treeSize, List<byte[]> proof, byte[] root) {
        if (!isHash(leafHash) || !isHash(root) || proof == null
                || leafIndex < 0 || leafIndex >= treeSize) {
            return false;
        }
        long fn = leafIndex;
        long sn = treeSize - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0 || !isHash(p)) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /**
     * Whether {@code proof} shows that the tree of size {@code newSize} with root {@code newRoot}
     * extends the tree of size {@code oldSize} with root {@code oldRoot} (RFC 9162 section 2.1.4.2).
     * Equal sizes need equal roots and an empty proof; size 0 needs the empty root and an empty
     * proof. Never throws on bad input.
     */
    public static boolean verifyConsistency(
            long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, List<byte[]> proof) {
        if (!isHash(oldRoot) || !isHash(newRoot) || proof == null
                || oldSize < 0 || oldSize > newSize) {
            return false;
        }
        if (oldSize == newSize) {
            return proof.isEmpty() && MessageDigest.isEqual(oldRoot, newRoot);
        }
        if (oldSize == 0) {
            return proof.isEmpty() && MessageDigest.isEqual(oldRoot, EMPTY_ROOT);
        }
        if (proof.isEmpty()) {
            return false;
        }
        for (byte[] p : proof) {
            if (!isHash(p)) {
                return false;
            }
        }
        List<byte[]> path = proof;
        if (Long.bitCount(oldSize) == 1) {
            // The old tree is a complete subtree of the new one: its root starts the path.
            path = new ArrayList<>(proof.size() + 1);
            path.add(oldRoot);
            path.addAll(proof);
        }
        long fn = oldSize - 1;
        long sn = newSize - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, oldRoot) && MessageDigest.isEqual(sr, newRoot);
    }

    /** MTH(D[from:to]); every range the RFC recursion reaches starts at a multiple of its size's ceiling power of 2. */
    static byte[] hashRange(Nodes nodes, long from, long to) {
        long n = to - from;
        if (Long.bitCount(n) == 1 && from % n == 0) {
            int level = Long.numberOfTrailingZeros(n);
            return nodes.node(level, from >>> level);
        }
        long k = largestPowerOfTwoBelow(n);
        return nodeHash(hashRange(nodes, from, from + k), hashRange(nodes, from + k, to));
    }

    private static void path(Nodes nodes, long m, long from, long to, List<byte[]> out) {
        if (to - from == 1) {
            return;
        }
        long k = largestPowerOfTwoBelow(to - from);
        if (m < from + k) {
            path(nodes, m, from, from + k, out);
            out.add(hashRange(nodes, from + k, to));
        } else {
            path(nodes, m, from + k, to, out);
            out.add(hashRange(nodes, from, from + k));
        }
    }

    private static void subproof(Nodes nodes, long m, long from, long to, boolean complete, List<byte[]> out) {
        if (m == to) {
            if (!complete) {
                out.add(hashRange(nodes, from, to));
            }
            return;
        }
        long k = largestPowerOfTwoBelow(to - from);
        if (m <= from + k) {
            subproof(nodes, m, from, from + k, complete, out);
            out.add(hashRange(nodes, from + k, to));
        } else {
            subproof(nodes, m, from + k, to, false, out);
            out.add(hashRange(nodes, from, from + k));
        }
    }

    /** The largest power of 2 strictly smaller than {@code n} (n >= 2), the RFC's split point. */
    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }

    private static boolean isHash(byte[] h) {
        return h != null && h.length == HASH_SIZE;
    }
}
