package io.stackcompanion.node.store;

import io.stackcompanion.node.crypto.Hashes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LedgerTest {

    @TempDir
    Path tmp;

    static List<byte[]> txns(int from, int count) {
        List<byte[]> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(("{\"txn\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Appends and commits {@code txns} as one ordered batch. */
    static void order(NodeStore store, List<byte[]> txns) {
        store.ledger().appendUncommitted(txns);
        try (StoreBatch batch = store.newBatch()) {
            store.ledger().commitOldest(txns.size(), batch);
            store.write(batch);
        }
    }

    @Test
    void committedLedgerReproducesTheRfc6962Roots() {
        try (NodeStore store = NodeStore.open(tmp.resolve("db"))) {
            Ledger ledger = store.ledger();
            assertThat(Hashes.hex(ledger.root())).isEqualTo(Hashes.hex(MerkleTreeTest.ROOTS.get(0)));
            for (int i = 0; i < 8; i++) {
                order(store, List.of(MerkleTreeTest.LEAVES.get(i)));
                assertThat(ledger.size()).isEqualTo(i + 1);
                assertThat(Hashes.hex(ledger.root())).isEqualTo(Hashes.hex(MerkleTreeTest.ROOTS.get(i + 1)));
            }
            for (int n = 0; n <= 8; n++) {
                assertThat(Hashes.hex(ledger.rootAt(n))).isEqualTo(Hashes.hex(MerkleTreeTest.ROOTS.get(n)));
            }
            for (MerkleTreeTest.ConsistencyVector v : MerkleTreeTest.CONSISTENCY) {
                assertThat(MerkleTreeTest.hexList(ledger.consistencyProof(v.oldSize(), v.newSize())))
                        .isEqualTo(MerkleTreeTest.hexList(v.proof()));
            }
            for (MerkleTreeTest.InclusionVector v : MerkleTreeTest.INCLUSION) {
                assertThat(MerkleTreeTest.hexList(ledger.inclusionProof(v.index() + 1, v.size())))
                        .isEqualTo(MerkleTreeTest.hexList(v.proof()));
            }
        }
    }

    @Test
    void proofsFromTheStoreVerifyForEveryHistoricSize() {
        try (NodeStore store = NodeStore.open(tmp.resolve("db"))) {
            Ledger ledger = store.ledger();
            Random random = new Random(7);
            int next = 0;
            while (ledger.size() < 70) {
                int count = 1 + random.nextInt(9);
                order(store, txns(next, count));
                next += count;
            }
            long size = ledger.size();
            for (long n = 1; n <= size; n++) {
                byte[] root = ledger.rootAt(n);
                for (long seqNo = 1; seqNo <= n; seqNo += 3) {
                    byte[] leafHash = MerkleTree.leafHash(ledger.txn(seqNo));
                    assertThat(MerkleTree.verifyInclusion(leafHash, seqNo - 1, n, ledger.inclusionProof(seqNo, n), root))
                            .as("txn %d in %d", seqNo, n).isTrue();
                }
                for (long old = 0; old <= n; old += 5) {
                    assertThat(MerkleTree.verifyConsistency(old, n, ledger.rootAt(old), root, ledger.consistencyProof(old, n)))
                            .as("consistency %d..%d", old, n).isTrue();
                }
            }
            // What catch-up does: a node at size 20 checks the txns it receives against a proof to the new root.
            List<byte[]> received = ledger.txns(21, size);
            assertThat(received).hasSize((int) size - 20);
            assertThat(new String(received.get(0), StandardCharsets.UTF_8)).isEqualTo("{\"txn\":20}");
            List<byte[]> all = new ArrayList<>(ledger.txns(1, 20));
            all.addAll(received);
            assertThat(Hashes.hex(MerkleTree.rootOf(all))).isEqualTo(Hashes.hex(ledger.root()));
        }
    }

    @Test
    void rootsAndProofsSurviveAReopen() {
        Path dir = tmp.resolve("db");
        byte[] root;
        List<byte[]> proof;
        try (NodeStore store = NodeStore.open(dir)) {
            for (int i = 0; i < 13; i++) {
                order(store, txns(i * 7, 7));
            }
            root = store.ledger().root();
            proof = store.ledger().consistencyProof(37, 91);
        }
        try (NodeStore store = NodeStore.open(dir)) {
            assertThat(store.ledger().size()).isEqualTo(91);
            assertThat(Hashes.hex(store.ledger().root())).isEqualTo(Hashes.hex(root));
            assertThat(MerkleTreeTest.hexList(store.ledger().consistencyProof(37, 91))).isEqualTo(MerkleTreeTest.hexList(proof));
            order(store, txns(91, 1));
            assertThat(store.ledger().size()).isEqualTo(92);
            assertThat(MerkleTree.verifyConsistency(91, 92, root, store.ledger().root(),
                    store.ledger().consistencyProof(91, 92))).isTrue();
        }
    }

    @Test
    void uncommittedPreviewsAreTheRootsAfterCommitAndDiscardReverts() {
        try (NodeStore store = NodeStore.open(tmp.resolve("db"))) {
            Ledger ledger = store.ledger();
            order(store, txns(0, 5));
            byte[] committedRoot = ledger.root();

            LedgerPreview first = ledger.appendUncommitted(txns(5, 3));
            LedgerPreview second = ledger.appendUncommitted(txns(8, 4));
            assertThat(first.size()).isEqualTo(8);
            assertThat(second.size()).isEqualTo(12);
            assertThat(ledger.size()).isEqualTo(5);
            assertThat(ledger.uncommittedSize()).isEqualTo(12);
            assertThat(Hashes.hex(ledger.uncommittedRoot())).isEqualTo(second.rootHex());
            assertThat(Hashes.hex(ledger.root())).isEqualTo(Hashes.hex(committedRoot));

            try (StoreBatch batch = store.newBatch()) {
                ledger.commitOldest(3, batch);
                assertThat(ledger.size()).as("nothing moves before the write").isEqualTo(5);
                store.write(batch);
            }
            assertThat(ledger.size()).isEqualTo(8);
            assertThat(Hashes.hex(ledger.root())).isEqualTo(first.rootHex());
            assertThat(ledger.uncommittedCount()).isEqualTo(4);

            ledger.discardUncommitted();
            assertThat(ledger.uncommittedSize()).isEqualTo(8);
            assertThat(Hashes.hex(ledger.uncommittedRoot())).isEqualTo(first.rootHex());

            // Re-proposed after a view change, the same txns give the same root.
            LedgerPreview again = ledger.appendUncommitted(txns(8, 4));
            assertThat(again).isEqualTo(second);
            try (StoreBatch batch = store.newBatch()) {
                ledger.commitOldest(2, batch);
                ledger.commitOldest(2, batch);
                store.write(batch);
            }
            assertThat(Hashes.hex(ledger.root())).isEqualTo(second.rootHex());
            assertThat(new String(ledger.txn(12), StandardCharsets.UTF_8)).isEqualTo("{\"txn\":11}");
        }
    }

    @Test
    void anAbandonedBatchChangesNothingAndItsTxnsCanBeCommittedLater() {
        Path dir = tmp.resolve("db");
        try (NodeStore store = NodeStore.open(dir)) {
            Ledger ledger = store.ledger();
            LedgerPreview preview = ledger.appendUncommitted(txns(0, 4));
            try (StoreBatch batch = store.newBatch()) {
                ledger.commitOldest(4, batch);
                assertThatThrownBy(ledger::discardUncommitted).isInstanceOf(IllegalStateException.class);
                try (StoreBatch other = store.newBatch()) {
                    assertThatThrownBy(() -> ledger.commitOldest(1, other)).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("another unwritten batch");
                }
                // closed without write
            }
            assertThat(ledger.size()).isZero();
            assertThat(ledger.uncommittedCount()).isEqualTo(4);
            try (StoreBatch batch = store.newBatch()) {
                ledger.commitOldest(4, batch);
                store.write(batch);
            }
            assertThat(Hashes.hex(ledger.root())).isEqualTo(preview.rootHex());
            try (StoreBatch batch = store.newBatch()) {
                assertThatThrownBy(() -> ledger.commitOldest(1, batch)).isInstanceOf(IllegalArgumentException.class);
            }
        }
        try (NodeStore store = NodeStore.open(dir)) {
            assertThat(store.ledger().size()).isEqualTo(4);
        }
    }

    @Test
    void appendCommittedForCatchUp() {
        try (NodeStore source = NodeStore.open(tmp.resolve("source"));
             NodeStore lagging = NodeStore.open(tmp.resolve("lagging"))) {
            order(source, txns(0, 30));
            order(lagging, txns(0, 10));
            byte[] oldRoot = lagging.ledger().root();
            List<byte[]> proof = source.ledger().consistencyProof(10, 30);
            assertThat(MerkleTree.verifyConsistency(10, 30, oldRoot, source.ledger().root(), proof)).isTrue();

            try (StoreBatch batch = lagging.newBatch()) {
                LedgerPreview preview = lagging.ledger().appendCommitted(source.ledger().txns(11, 30), batch);
                assertThat(preview.rootHex()).isEqualTo(Hashes.hex(source.ledger().root()));
                lagging.write(batch);
            }
            assertThat(lagging.ledger().size()).isEqualTo(30);
            assertThat(Hashes.hex(lagging.ledger().root())).isEqualTo(Hashes.hex(source.ledger().root()));

            try (StoreBatch batch = lagging.newBatch()) {
                lagging.ledger().appendCommitted(txns(30, 2), batch);
            }
            assertThat(lagging.ledger().uncommittedCount()).as("abandoned catch-up append is dropped").isZero();
            assertThat(lagging.ledger().uncommittedSize()).isEqualTo(30);
        }
    }

    @Test
    void manyAppendsStayFastAndCorrect() {
        try (NodeStore store = NodeStore.open(tmp.resolve("db"))) {
            Ledger ledger = store.ledger();
            Random random = new Random(1);
            byte[] payload = new byte[200];
            int batches = 100;
            int perBatch = 100;
            long start = System.nanoTime();
            for (int b = 0; b < batches; b++) {
                List<byte[]> batchTxns = new ArrayList<>(perBatch);
                for (int i = 0; i < perBatch; i++) {
                    random.nextBytes(payload);
                    batchTxns.add(payload.clone());
                }
                LedgerPreview preview = ledger.appendUncommitted(batchTxns);
                try (StoreBatch batch = store.newBatch()) {
                    ledger.commitOldest(perBatch, batch);
                    store.write(batch);
                }
                assertThat(preview.size()).isEqualTo(ledger.size());
            }
            long elapsed = System.nanoTime() - start;
            long total = (long) batches * perBatch;
            System.out.printf("ledger: %d appends of 200-byte txns in %d-txn batches (with roots) in %d ms: %.0f txns/s%n",
                    total, perBatch, elapsed / 1_000_000, total * 1e9 / elapsed);

            long proofStart = System.nanoTime();
            for (long seqNo = 1; seqNo <= total; seqNo += 97) {
                List<byte[]> proof = ledger.inclusionProof(seqNo, total);
                assertThat(proof.size()).isLessThanOrEqualTo(14);
            }
            byte[] root = ledger.root();
            assertThat(MerkleTree.verifyConsistency(4321, total, ledger.rootAt(4321), root,
                    ledger.consistencyProof(4321, total))).isTrue();
            System.out.printf("ledger: %d inclusion proofs over %d txns in %d ms%n",
                    total / 97 + 1, total, (System.nanoTime() - proofStart) / 1_000_000);
        }
    }
}
