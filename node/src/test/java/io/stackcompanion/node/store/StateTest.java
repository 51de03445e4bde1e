package io.stackcompanion.node.store;

import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.store.State.Write;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateTest {

    static final String ZERO = "00".repeat(32);

    @TempDir
    Path tmp;

    static void apply(NodeStore store, List<Write> writes) {
        store.state().applyUncommitted(writes);
        try (StoreBatch batch = store.newBatch()) {
            store.state().commitOldest(batch);
            store.write(batch);
        }
    }

    @Test
    void emptyStateHasTheZeroRootAndDeletingEverythingReturnsToIt() {
        try (NodeStore store = NodeStore.open(tmp.resolve("db"))) {
            State state = store.state();
            assertThat(Hashes.hex(state.root())).isEqualTo(ZERO);
            apply(store, List.of(Write.put("a", "1"), Write.put("b", "2")));
            assertThat(Hashes.hex(state.root())).isNotEqualTo(ZERO);
            apply(store, List.of(Write.delete("a"), Write.delete("b"), Write.delete("never-there")));
            assertThat(Hashes.hex(state.root())).isEqualTo(ZERO);
            assertThat(state.get("a")).isNull();
        }
    }

    @Test
    void uncommittedWritesAreVisibleAndPreviewsAreTheRootsAfterCommit() {
        try (NodeStore store = NodeStore.open(tmp.resolve("db"))) {
            State state = store.state();
            apply(store, List.of(Write.put("k", "v0")));
            byte[] committed = state.root();

            Root first = state.applyUncommitted(List.of(Write.put("k", "v1"), Write.put("x", "1")));
            Root second = state.applyUncommitted(List.of(Write.put("k", "v2"), Write.delete("x")));
            assertThat(state.get("k")).isEqualTo("v2");
            assertThat(state.get("x")).isNull();
            assertThat(new String(state.getCommitted("k".getBytes()))).isEqualTo("v0");
            assertThat(Hashes.hex(state.root())).isEqualTo(Hashes.hex(committed));
            assertThat(Hashes.hex(state.uncommittedRoot())).isEqualTo(second.hex());

            try (StoreBatch batch = store.newBatch()) {
                state.commitOldest(batch);
                assertThat(Hashes.hex(state.root())).as("nothing moves before the write").isEqualTo(Hashes.hex(committed));
                store.write(batch);
            }
            assertThat(Hashes.hex(state.root())).isEqualTo(first.hex());
            assertThat(new String(state.getCommitted("x".getBytes()))).isEqualTo("1");
            assertThat(state.get("x")).as("still deleted in the uncommitted unit").isNull();

            state.discardUncommitted();
            assertThat(state.get("k")).isEqualTo("v1");
            assertThat(state.get("x")).isEqualTo("1");
            assertThat(Hashes.hex(state.uncommittedRoot())).isEqualTo(first.hex());
            assertThat(Hashes.hex(state.recomputeRoot())).isEqualTo(first.hex());
        }
    }

    @Test
    void rootSurvivesAReopenAndMatchesAFullRecomputation() {
        Path dir = tmp.resolve("db");
        byte[] root;
        try (NodeStore store = NodeStore.open(dir)) {
            Random random = new Random(3);
            for (int b = 0; b < 20; b++) {
                List<Write> writes = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    String key = "key" + random.nextInt(200);
                    writes.add(random.nextInt(5) == 0 ? Write.delete(key) : Write.put(key, "value" + random.nextInt()));
                }
                apply(store, writes);
            }
            root = store.state().root();
            assertThat(Hashes.hex(store.state().recomputeRoot())).isEqualTo(Hashes.hex(root));
        }
        try (NodeStore store = NodeStore.open(dir)) {
            assertThat(Hashes.hex(store.state().root())).isEqualTo(Hashes.hex(root));
            assertThat(Hashes.hex(store.state().recomputeRoot())).isEqualTo(Hashes.hex(root));
        }
    }

    @Test
    void twoStoresFedTheSameWritesHaveEqualRootsAndTheRootIgnoresWriteOrder() {
        Random random = new Random(11);
        List<Write> writes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            writes.add(Write.put(("key" + i).getBytes(), ("value" + random.nextLong()).getBytes()));
        }
        List<Write> shuffled = new ArrayList<>(writes);
        Collections.shuffle(shuffled, random);
        try (NodeStore a = NodeStore.open(tmp.resolve("a"));
             NodeStore b = NodeStore.open(tmp.resolve("b"));
             NodeStore c = NodeStore.open(tmp.resolve("c"))) {
            for (int i = 0; i < writes.size(); i += 50) {
                apply(a, writes.subList(i, i + 50));
                apply(b, writes.subList(i, i + 50));
            }
            apply(c, shuffled);
            assertThat(Hashes.hex(a.state().root())).isEqualTo(Hashes.hex(b.state().root()));
            assertThat(Hashes.hex(c.state().root())).as("same final key-values in another order")
                    .isEqualTo(Hashes.hex(a.state().root()));
            apply(c, List.of(Write.put("key7", "something else")));
            assertThat(Hashes.hex(c.state().root())).isNotEqualTo(Hashes.hex(a.state().root()));
        }
    }

    @Test
    void theEncodingIsUnambiguous() {
        try (NodeStore a = NodeStore.open(tmp.resolve("a"));
             NodeStore b = NodeStore.open(tmp.resolve("b"))) {
            apply(a, List.of(Write.put("ab", "c")));
            apply(b, List.of(Write.put("a", "bc")));
            assertThat(Hashes.hex(a.state().root())).isNotEqualTo(Hashes.hex(b.state().root()));
        }
    }

    @Test
    void catchUpWritesAndAbandonedBatches() {
        try (NodeStore store = NodeStore.open(tmp.resolve("db"))) {
            State state = store.state();
            try (StoreBatch batch = store.newBatch()) {
                Root preview = state.applyCommitted(List.of(Write.put("a", "1")), batch);
                store.write(batch);
                assertThat(Hashes.hex(state.root())).isEqualTo(preview.hex());
            }
            byte[] root = state.root();
            try (StoreBatch batch = store.newBatch()) {
                state.applyCommitted(List.of(Write.put("a", "2")), batch);
            }
            assertThat(state.get("a")).isEqualTo("1");
            assertThat(state.uncommittedCount()).isZero();
            assertThat(Hashes.hex(state.root())).isEqualTo(Hashes.hex(root));

            state.applyUncommitted(List.of(Write.put("b", "1")));
            try (StoreBatch batch = store.newBatch()) {
                state.commitOldest(batch);
                assertThatThrownBy(() -> state.commitOldest(batch)).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(state::discardUncommitted).isInstanceOf(IllegalStateException.class);
            }
            assertThat(state.uncommittedCount()).isEqualTo(1);
        }
    }

    @Test
    void additionWrapsModulo2To256() {
        byte[] acc = Hashes.unhex("ff".repeat(32));
        byte[] one = new byte[32];
        one[31] = 1;
        State.add(acc, one);
        assertThat(Hashes.hex(acc)).isEqualTo(ZERO);
        State.subtract(acc, one);
        assertThat(Hashes.hex(acc)).isEqualTo("ff".repeat(32));
    }

    @Test
    void stateWritesPerSecond() {
        try (NodeStore store = NodeStore.open(tmp.resolve("db"))) {
            Random random = new Random(5);
            int batches = 100;
            int perBatch = 100;
            long start = 0;
            for (int b = 0; b < batches; b++) {
                if (b == batches / 2) {
                    start = System.nanoTime(); // the first half warms up the JIT
                }
                List<Write> writes = new ArrayList<>(perBatch);
                for (int i = 0; i < perBatch; i++) {
                    byte[] value = new byte[150];
                    random.nextBytes(value);
                    writes.add(Write.put(("did:" + random.nextInt(2000)).getBytes(), value));
                }
                apply(store, writes);
            }
            long elapsed = System.nanoTime() - start;
            System.out.printf("state: %d writes in %d-write batches in %d ms: %.0f writes/s%n",
                    batches / 2 * perBatch, perBatch, elapsed / 1_000_000, batches / 2 * perBatch * 1e9 / elapsed);
            assertThat(Hashes.hex(store.state().recomputeRoot())).isEqualTo(Hashes.hex(store.state().root()));
        }
    }
}
