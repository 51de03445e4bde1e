package io.stackcompanion.node.store;

import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.store.State.Write;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeStoreTest {

    @TempDir
    Path tmp;

    /** One ordered batch as the core writes it: ledger, state, seqNo and meta together. */
    static void orderBatch(NodeStore store, int batchNo) {
        List<byte[]> txns = LedgerTest.txns(batchNo * 3, 3);
        store.ledger().appendUncommitted(txns);
        store.state().applyUncommitted(List.of(Write.put("batch", String.valueOf(batchNo)),
                Write.put("key" + batchNo, "v" + batchNo)));
        try (StoreBatch batch = store.newBatch()) {
            store.ledger().commitOldest(txns.size(), batch);
            store.state().commitOldest(batch);
            for (int i = 0; i < txns.size(); i++) {
                store.putSeqNo(("client:" + (batchNo * 3 + i)).getBytes(), batchNo * 3L + i + 1, batch);
            }
            store.putMeta("lastOrdered", String.valueOf(batchNo).getBytes(), batch);
            store.write(batch);
        }
    }

    @Test
    void ledgerStateSeqNoAndMetaOfOneBatchAreWrittenTogether() {
        Path dir = tmp.resolve("data/Alpha");
        byte[] ledgerRoot;
        byte[] stateRoot;
        try (NodeStore store = NodeStore.openNode(dir)) {
            for (int b = 0; b < 5; b++) {
                orderBatch(store, b);
            }
            // A batch that never gets written leaves no trace.
            store.ledger().appendUncommitted(LedgerTest.txns(100, 2));
            store.state().applyUncommitted(List.of(Write.put("batch", "lost")));
            try (StoreBatch batch = store.newBatch()) {
                store.ledger().commitOldest(2, batch);
                store.state().commitOldest(batch);
                store.putMeta("lastOrdered", "lost".getBytes(), batch);
            }
            ledgerRoot = store.ledger().root();
            stateRoot = store.state().root();
        }
        assertThat(dir.resolve("db/CURRENT")).exists();
        try (NodeStore store = NodeStore.openNode(dir)) {
            assertThat(store.ledger().size()).isEqualTo(15);
            assertThat(store.ledger().uncommittedCount()).isZero();
            assertThat(Hashes.hex(store.ledger().root())).isEqualTo(Hashes.hex(ledgerRoot));
            assertThat(Hashes.hex(store.state().root())).isEqualTo(Hashes.hex(stateRoot));
            assertThat(store.state().get("batch")).isEqualTo("4");
            assertThat(new String(store.getMeta("lastOrdered"), StandardCharsets.UTF_8)).isEqualTo("4");
            assertThat(store.seqNoOf("client:14".getBytes())).isEqualTo(OptionalLong.of(15));
            assertThat(store.seqNoOf("client:15".getBytes())).isEmpty();
            assertThat(store.getMeta("never")).isNull();
        }
    }

    @Test
    void aCheckpointOpensAsTheSameStore() {
        try (NodeStore store = NodeStore.open(tmp.resolve("db"))) {
            for (int b = 0; b < 4; b++) {
                orderBatch(store, b);
            }
            Path target = tmp.resolve("recorder/initial");
            store.checkpoint(target);
            orderBatch(store, 4);
            assertThatThrownBy(() -> store.checkpoint(target)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("already exists");
            try (NodeStore copy = NodeStore.open(target)) {
                assertThat(copy.ledger().size()).isEqualTo(12);
                assertThat(Hashes.hex(copy.ledger().root())).isEqualTo(Hashes.hex(store.ledger().rootAt(12)));
                assertThat(copy.state().get("batch")).isEqualTo("3");
                assertThat(Hashes.hex(copy.state().recomputeRoot())).isEqualTo(Hashes.hex(copy.state().root()));
            }
        }
    }

    @Test
    void aSmallFootprintStoreHoldsTheSameDataAndOpensAsANodesStore() {
        Path dir = tmp.resolve("data/Sim");
        String root;
        try (NodeStore store = NodeStore.openNode(dir, NodeStore.Footprint.SMALL)) {
            for (int b = 0; b < 300; b++) {
                orderBatch(store, b);
            }
            root = Hashes.hex(store.ledger().root());
        }
        try (NodeStore store = NodeStore.openNode(dir)) {
            assertThat(store.ledger().size()).isEqualTo(900);
            assertThat(Hashes.hex(store.ledger().root())).isEqualTo(root);
            assertThat(store.state().get("batch")).isEqualTo("299");
        }
        try (NodeStore store = NodeStore.openNode(dir, NodeStore.Footprint.SMALL)) {
            assertThat(Hashes.hex(store.ledger().root())).isEqualTo(root);
        }
    }

    @Test
    void aFolderThatIsNotANodeStoreGetsAOneLineError() throws Exception {
        Path notes = tmp.resolve("notes");
        Files.createDirectories(notes);
        Files.writeString(notes.resolve("todo.txt"), "buy milk");
        assertOneLineError(notes, "is not a node store");

        Path file = tmp.resolve("file");
        Files.writeString(file, "x");
        assertOneLineError(file, "is a file");

        Path otherDb = tmp.resolve("other");
        try (Options options = new Options().setCreateIfMissing(true);
             RocksDB db = RocksDB.open(options, otherDb.toString())) {
            db.put("k".getBytes(), "v".getBytes());
        }
        assertOneLineError(otherDb, "not a node store");

        Path corrupted = tmp.resolve("corrupted");
        NodeStore.open(corrupted).close();
        try (var files = Files.list(corrupted)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("MANIFEST")).toList()) {
                Files.write(f, new byte[] {1, 2, 3});
            }
        }
        assertOneLineError(corrupted, "corrupted");
    }

    @Test
    void aStoreInUseIsReportedAsSuch() {
        Path dir = tmp.resolve("db");
        try (NodeStore store = NodeStore.open(dir)) {
            assertOneLineError(dir, "in use by another process");
            assertThat(store.ledger().size()).isZero();
        }
    }

    @Test
    void reservedMetaNamesAndForeignBatchesAreRefused() {
        try (NodeStore a = NodeStore.open(tmp.resolve("a"));
             NodeStore b = NodeStore.open(tmp.resolve("b"));
             StoreBatch batch = a.newBatch()) {
            assertThatThrownBy(() -> a.putMeta("store.stateRoot", new byte[32], batch))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.write(batch)).isInstanceOf(IllegalArgumentException.class);
            a.write(batch);
            assertThatThrownBy(() -> a.putMeta("x", new byte[1], batch)).isInstanceOf(IllegalStateException.class);
        }
    }

    private static void assertOneLineError(Path dir, String fragment) {
        assertThatThrownBy(() -> NodeStore.open(dir).close())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(fragment)
                .hasMessageContaining(dir.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
