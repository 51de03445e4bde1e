package io.stackcompanion.node.store;

import io.stackcompanion.node.crypto.Hashes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A node killed with SIGKILL in the middle of ordering leaves ledger, state and meta in agreement. */
class KilledWriterTest {

    @TempDir
    Path tmp;

    /** The child process: orders batches as fast as it can, announcing each, until it is killed. */
    public static void main(String[] args) {
        try (NodeStore store = NodeStore.open(Path.of(args[0]))) {
            for (int b = 0; ; b++) {
                NodeStoreTest.orderBatch(store, b);
                System.out.println(b);
                System.out.flush();
            }
        }
    }

    @Test
    void sigkillNeverLeavesLedgerAndStateDisagreeing() throws Exception {
        Path dir = tmp.resolve("db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                KilledWriterTest.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            int announced = -1;
            while (announced < 40 && (line = out.readLine()) != null) {
                if (line.matches("\\d+")) {
                    announced = Integer.parseInt(line);
                }
            }
            assertThat(announced).as("the child wrote batches before being killed").isGreaterThanOrEqualTo(40);
            child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no close()
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }

        try (NodeStore store = NodeStore.open(dir)) {
            int last = Integer.parseInt(new String(store.getMeta("lastOrdered"), StandardCharsets.UTF_8));
            assertThat(last).isGreaterThanOrEqualTo(40);
            long size = store.ledger().size();
            assertThat(size).as("ledger size after batch %d", last).isEqualTo(3L * (last + 1));
            assertThat(store.state().get("batch")).isEqualTo(String.valueOf(last));
            assertThat(store.state().get("key" + (last + 1))).isNull();
            assertThat(store.seqNoOf(("client:" + (size - 1)).getBytes())).isEqualTo(OptionalLong.of(size));
            assertThat(store.seqNoOf(("client:" + size).getBytes())).isEmpty();
            assertThat(Hashes.hex(store.state().recomputeRoot())).isEqualTo(Hashes.hex(store.state().root()));
            assertThat(Hashes.hex(store.ledger().root()))
                    .isEqualTo(Hashes.hex(MerkleTree.rootOf(store.ledger().txns(1, size))));
            NodeStoreTest.orderBatch(store, last + 1);
            assertThat(store.ledger().size()).isEqualTo(size + 3);
        }
    }
}
