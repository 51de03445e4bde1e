package io.stackcompanion.node.store;

import io.stackcompanion.node.crypto.Hashes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class MerkleTreeTest {

    // The Certificate Transparency reference vectors (transparency-dev/merkle proof/verify_test.go).
    static final List<byte[]> LEAVES = hexes("", "00", "10", "2021", "3031", "40414243",
            "5051525354555657", "606162636465666768696a6b6c6d6e6f");
    static final List<byte[]> ROOTS = hexes(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    /** (leaf index 0-based, tree size, proof). */
    record InclusionVector(long index, long size, List<byte[]> proof) {
    }

    record ConsistencyVector(long oldSize, long newSize, List<byte[]> proof) {
    }

    static final List<InclusionVector> INCLUSION = List.of(
            new InclusionVector(0, 1, List.of()),
            new InclusionVector(0, 8, hexes(
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
            new InclusionVector(5, 8, hexes(
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
            new InclusionVector(2, 3, hexes(
                    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
            new InclusionVector(1, 5, hexes(
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")));

    static final List<ConsistencyVector> CONSISTENCY = List.of(
            new ConsistencyVector(1, 1, List.of()),
            new ConsistencyVector(1, 8, hexes(
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
            new ConsistencyVector(6, 8, hexes(
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
            new ConsistencyVector(2, 5, hexes(
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
            new ConsistencyVector(6, 7, hexes(
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")));

    /** An in-memory tree: the complete subtree hashes a Frontier emits, looked up by (level, index). */
    static final class MemoryTree {
        final Map<String, byte[]> nodes = new HashMap<>();
        Frontier frontier = Frontier.EMPTY;

        MemoryTree(List<byte[]> leaves) {
            leaves.forEach(this::append);
        }

        void append(byte[] leaf) {
            frontier = frontier.append(MerkleTree.leafHash(leaf), (l, i, h) -> nodes.put(l + "/" + i, h));
        }

        MerkleTree.Nodes nodes() {
            return (level, index) -> {
                byte[] h = nodes.get(level + "/" + index);
                if (h == null) {
                    throw new AssertionError("node " + level + "/" + index + " was never stored");
                }
                return h;
            };
        }
    }

    @Test
    void rootsMatchTheRfc6962ReferenceVectors() {
        for (int n = 0; n <= 8; n++) {
            MemoryTree tree = new MemoryTree(LEAVES.subList(0, n));
            assertThat(hex(tree.frontier.root())).as("frontier root of size %d", n).isEqualTo(hex(ROOTS.get(n)));
            assertThat(hex(MerkleTree.root(tree.nodes(), n))).as("stored root of size %d", n).isEqualTo(hex(ROOTS.get(n)));
            assertThat(hex(MerkleTree.rootOf(LEAVES.subList(0, n)))).isEqualTo(hex(ROOTS.get(n)));
        }
        MemoryTree all = new MemoryTree(LEAVES);
        for (int n = 0; n <= 8; n++) {
            assertThat(hex(MerkleTree.root(all.nodes(), n))).as("historic root of size %d", n).isEqualTo(hex(ROOTS.get(n)));
        }
    }

    @Test
    void inclusionProofsMatchTheReferenceVectorsAndVerify() {
        MemoryTree tree = new MemoryTree(LEAVES);
        for (InclusionVector v : INCLUSION) {
            List<byte[]> proof = MerkleTree.inclusionProof(tree.nodes(), v.index(), v.size());
            assertThat(hexList(proof)).as("proof for %s", v).isEqualTo(hexList(v.proof()));
            byte[] leafHash = MerkleTree.leafHash(LEAVES.get((int) v.index()));
            byte[] root = ROOTS.get((int) v.size());
            assertThat(MerkleTree.verifyInclusion(leafHash, v.index(), v.size(), v.proof(), root)).isTrue();
            assertTamperedInclusionFails(leafHash, v.index(), v.size(), v.proof(), root);
        }
    }

    @Test
    void consistencyProofsMatchTheReferenceVectorsAndVerify() {
        MemoryTree tree = new MemoryTree(LEAVES);
        for (ConsistencyVector v : CONSISTENCY) {
            List<byte[]> proof = MerkleTree.consistencyProof(tree.nodes(), v.oldSize(), v.newSize());
            assertThat(hexList(proof)).as("proof for %s", v).isEqualTo(hexList(v.proof()));
            byte[] oldRoot = ROOTS.get((int) v.oldSize());
            byte[] newRoot = ROOTS.get((int) v.newSize());
            assertThat(MerkleTree.verifyConsistency(v.oldSize(), v.newSize(), oldRoot, newRoot, v.proof())).isTrue();
            if (!v.proof().isEmpty()) {
                assertTamperedConsistencyFails(v.oldSize(), v.newSize(), oldRoot, newRoot, v.proof());
            }
        }
    }

    @Test
    void edgeCasesOfConsistencyVerification() {
        byte[] empty = ROOTS.get(0);
        byte[] some = ROOTS.get(3);
        assertThat(MerkleTree.verifyConsistency(0, 0, empty, empty, List.of())).isTrue();
        assertThat(MerkleTree.verifyConsistency(0, 3, empty, some, List.of())).isTrue();
        assertThat(MerkleTree.verifyConsistency(0, 3, some, some, List.of())).as("size 0 needs the empty root").isFalse();
        assertThat(MerkleTree.verifyConsistency(3, 3, some, some, List.of())).isTrue();
        assertThat(MerkleTree.verifyConsistency(3, 3, some, empty, List.of())).isFalse();
        assertThat(MerkleTree.verifyConsistency(3, 3, some, some, List.of(empty))).isFalse();
        assertThat(MerkleTree.verifyConsistency(3, 2, some, some, List.of())).as("time travel").isFalse();
        assertThat(MerkleTree.verifyConsistency(1, 2, ROOTS.get(1), ROOTS.get(2), List.of())).isFalse();
        assertThat(MerkleTree.verifyInclusion(ROOTS.get(1), 0, 0, List.of(), ROOTS.get(1))).isFalse();
        assertThat(MerkleTree.verifyInclusion(ROOTS.get(1), 1, 1, List.of(), ROOTS.get(1))).isFalse();
        assertThat(MerkleTree.verifyInclusion(ROOTS.get(1), 0, 1, List.of(), ROOTS.get(1))).isTrue();
        assertThat(MerkleTree.verifyInclusion(new byte[3], 0, 1, List.of(), ROOTS.get(1))).isFalse();
    }

    @Test
    void agreesWithANaiveRecursiveImplementationOnRandomTrees() {
        Random random = new Random(6962);
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            byte[] leaf = new byte[random.nextInt(40)];
            random.nextBytes(leaf);
            leaves.add(leaf);
        }
        MemoryTree tree = new MemoryTree(leaves);
        Naive naive = new Naive(leaves);
        for (int n = 1; n <= 300; n += 1 + random.nextInt(7)) {
            List<byte[]> prefix = leaves.subList(0, n);
            byte[] root = naive.mth(0, n);
            assertThat(hex(MerkleTree.root(tree.nodes(), n))).as("root of %d", n).isEqualTo(hex(root));
            assertThat(hex(new MemoryTree(prefix).frontier.root())).isEqualTo(hex(root));
            for (int probe = 0; probe < 6; probe++) {
                int m = random.nextInt(n);
                List<byte[]> proof = MerkleTree.inclusionProof(tree.nodes(), m, n);
                assertThat(hexList(proof)).as("path %d in %d", m, n).isEqualTo(hexList(naive.path(m, 0, n)));
                assertThat(MerkleTree.verifyInclusion(MerkleTree.leafHash(leaves.get(m)), m, n, proof, root)).isTrue();

                int old = 1 + random.nextInt(n);
                List<byte[]> consistency = MerkleTree.consistencyProof(tree.nodes(), old, n);
                assertThat(hexList(consistency)).as("consistency %d..%d", old, n)
                        .isEqualTo(hexList(old == n ? List.of() : naive.subproof(old, 0, n, true)));
                assertThat(MerkleTree.verifyConsistency(old, n, naive.mth(0, old), root, consistency)).isTrue();
            }
        }
    }

    @Test
    void everyProofInSmallTreesVerifiesAndTamperedOnesDoNot() {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            leaves.add(new byte[] {(byte) i, (byte) (i * 7)});
        }
        MemoryTree tree = new MemoryTree(leaves);
        for (int n = 1; n <= leaves.size(); n++) {
            byte[] root = MerkleTree.root(tree.nodes(), n);
            for (int m = 0; m < n; m++) {
                List<byte[]> proof = MerkleTree.inclusionProof(tree.nodes(), m, n);
                byte[] leafHash = MerkleTree.leafHash(leaves.get(m));
                assertThat(MerkleTree.verifyInclusion(leafHash, m, n, proof, root)).isTrue();
                assertTamperedInclusionFails(leafHash, m, n, proof, root);
            }
            for (int old = 1; old < n; old++) {
                byte[] oldRoot = MerkleTree.root(tree.nodes(), old);
                List<byte[]> proof = MerkleTree.consistencyProof(tree.nodes(), old, n);
                assertThat(MerkleTree.verifyConsistency(old, n, oldRoot, root, proof)).isTrue();
                assertTamperedConsistencyFails(old, n, oldRoot, root, proof);
            }
        }
    }

    static void assertTamperedInclusionFails(byte[] leafHash, long m, long n, List<byte[]> proof, byte[] root) {
        List<String> accepted = new ArrayList<>();
        check(accepted, "index-1", MerkleTree.verifyInclusion(leafHash, m - 1, n, proof, root));
        check(accepted, "index+1", MerkleTree.verifyInclusion(leafHash, m + 1, n, proof, root));
        check(accepted, "index^2", MerkleTree.verifyInclusion(leafHash, m ^ 2, n, proof, root));
        check(accepted, "size*2", MerkleTree.verifyInclusion(leafHash, m, n * 2, proof, root));
        check(accepted, "size/2", MerkleTree.verifyInclusion(leafHash, m, n / 2, proof, root));
        check(accepted, "wrong leaf", MerkleTree.verifyInclusion(MerkleTree.leafHash(new byte[] {9}), m, n, proof, root));
        check(accepted, "empty root", MerkleTree.verifyInclusion(leafHash, m, n, proof, MerkleTree.emptyRoot()));
        check(accepted, "trailing root", MerkleTree.verifyInclusion(leafHash, m, n, with(proof, proof.size(), root), root));
        check(accepted, "preceding root", MerkleTree.verifyInclusion(leafHash, m, n, with(proof, 0, root), root));
        for (int i = 0; i < proof.size(); i++) {
            check(accepted, "flipped " + i, MerkleTree.verifyInclusion(leafHash, m, n, flipped(proof, i), root));
        }
        if (!proof.isEmpty()) {
            check(accepted, "removed", MerkleTree.verifyInclusion(leafHash, m, n, proof.subList(0, proof.size() - 1), root));
        }
        assertThat(accepted).as("tampered inclusion proofs for %d in %d that verified", m, n).isEmpty();
    }

    static void assertTamperedConsistencyFails(long m, long n, byte[] oldRoot, byte[] newRoot, List<byte[]> proof) {
        List<String> accepted = new ArrayList<>();
        check(accepted, "old-1", m > 1 && MerkleTree.verifyConsistency(m - 1, n, oldRoot, newRoot, proof));
        check(accepted, "old+1", MerkleTree.verifyConsistency(m + 1, n, oldRoot, newRoot, proof));
        check(accepted, "old^2", MerkleTree.verifyConsistency(m ^ 2, n, oldRoot, newRoot, proof));
        check(accepted, "new*2", MerkleTree.verifyConsistency(m, n * 2, oldRoot, newRoot, proof));
        check(accepted, "new/2", MerkleTree.verifyConsistency(m, n / 2, oldRoot, newRoot, proof));
        check(accepted, "swapped roots", MerkleTree.verifyConsistency(m, n, newRoot, oldRoot, proof));
        check(accepted, "empty proof", MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, List.of()));
        check(accepted, "trailing", MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, with(proof, proof.size(), newRoot)));
        check(accepted, "preceding", MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, with(proof, 0, oldRoot)));
        check(accepted, "truncated", MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, proof.subList(0, proof.size() - 1)));
        for (int i = 0; i < proof.size(); i++) {
            check(accepted, "flipped " + i, MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, flipped(proof, i)));
        }
        assertThat(accepted).as("tampered consistency proofs %d..%d that verified", m, n).isEmpty();
    }

    private static void check(List<String> accepted, String what, boolean verified) {
        if (verified) {
            accepted.add(what);
        }
    }

    private static List<byte[]> with(List<byte[]> proof, int at, byte[] extra) {
        List<byte[]> copy = new ArrayList<>(proof);
        copy.add(at, extra);
        return copy;
    }

    private static List<byte[]> flipped(List<byte[]> proof, int i) {
        List<byte[]> copy = new ArrayList<>(proof);
        byte[] element = copy.get(i).clone();
        element[0] ^= 8;
        copy.set(i, element);
        return copy;
    }

    /**
     * RFC 6962 section 2.1, transcribed literally over ranges of the raw leaves: obviously right.
     * MTH results are memoised by range only so the random test stays fast.
     */
    static final class Naive {
        private final List<byte[]> d;
        private final Map<String, byte[]> memo = new HashMap<>();

        Naive(List<byte[]> leaves) {
            this.d = leaves;
        }

        byte[] mth(int from, int to) {
            String key = from + ":" + to;
            byte[] cached = memo.get(key);
            if (cached != null) {
                return cached;
            }
            int n = to - from;
            byte[] result;
            if (n == 0) {
                result = Hashes.sha256(new byte[0]);
            } else if (n == 1) {
                result = Hashes.sha256(concat(new byte[] {0}, d.get(from)));
            } else {
                int k = split(n);
                result = Hashes.sha256(concat(new byte[] {1}, concat(mth(from, from + k), mth(from + k, to))));
            }
            memo.put(key, result);
            return result;
        }

        /** PATH(m, D[from:to]), m relative to from. */
        List<byte[]> path(int m, int from, int to) {
            int n = to - from;
            List<byte[]> out = new ArrayList<>();
            if (n == 1) {
                return out;
            }
            int k = split(n);
            if (m < k) {
                out.addAll(path(m, from, from + k));
                out.add(mth(from + k, to));
            } else {
                out.addAll(path(m - k, from + k, to));
                out.add(mth(from, from + k));
            }
            return out;
        }

        /** SUBPROOF(m, D[from:to], b), m relative to from. */
        List<byte[]> subproof(int m, int from, int to, boolean b) {
            int n = to - from;
            List<byte[]> out = new ArrayList<>();
            if (m == n) {
                if (!b) {
                    out.add(mth(from, to));
                }
                return out;
            }
            int k = split(n);
            if (m <= k) {
                out.addAll(subproof(m, from, from + k, b));
                out.add(mth(from + k, to));
            } else {
                out.addAll(subproof(m - k, from + k, to, false));
                out.add(mth(from, from + k));
            }
            return out;
        }

        private static int split(int n) {
            int k = 1;
            while (k * 2 < n) {
                k *= 2;
            }
            return k;
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }

    static List<byte[]> hexes(String... hex) {
        return Arrays.stream(hex).map(Hashes::unhex).toList();
    }

    static String hex(byte[] b) {
        return Hashes.hex(b);
    }

    static List<String> hexList(List<byte[]> list) {
        return list.stream().map(Hashes::hex).toList();
    }
}
