package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.collect.Manifest;
import io.stackcompanion.node.collect.RecordingArchive;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.pool.LocalPool;
import io.stackcompanion.node.pool.LocalPoolExtension;
import io.stackcompanion.recorder.RecordingVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Collecting from a pool that is recording under load gives a consistent copy: every recording in
 * the archive verifies, and every node replays from it to a match.
 */
class LiveCollectTest {
    @RegisterExtension
    final LocalPoolExtension pools = new LocalPoolExtension();
    @TempDir
    Path dir;

    @Test
    void aCopyTakenUnderLoadVerifiesAndReplaysToAMatch() throws Exception {
        LocalPool pool = pools.start(4, CollectRecordingsTest.RECORDING);
        List<Client> clients = List.of(pool.newClient(), pool.newClient());
        // Keep requests flowing, at most 40 in flight, until the collection is done.
        AtomicBoolean collected = new AtomicBoolean();
        List<CompletableFuture<?>> load = new CopyOnWriteArrayList<>();
        Thread loader = new Thread(() -> {
            Semaphore inFlight = new Semaphore(40);
            for (int i = 0; !collected.get(); i++) {
                try {
                    inFlight.acquire();
                } catch (InterruptedException e) {
                    return;
                }
                CompletableFuture<?> f = clients.get(i % 2).submit(Operation.put("key-" + i, "value-" + i));
                f.whenComplete((x, e) -> inFlight.release());
                load.add(f);
            }
        }, "load");
        loader.start();
        LocalPool.await(Duration.ofSeconds(60), "100 requests ordered",
                () -> pool.status("Node1").map(Status::ledgerSize).orElse(0L) >= 100);

        Path archive = dir.resolve("live.tar.gz");
        CollectRecordingsTest.Run c = CollectRecordingsTest.collect("--base-dir", pool.baseDir().toString(),
                "--out", archive.toString(), "--json");
        collected.set(true);
        loader.join();
        CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long ordered = pool.status("Node1").map(Status::ledgerSize).orElse(0L);
        pool.close();

        assertThat(c.exit()).as(c.err()).isZero();
        Path into = Files.createDirectories(dir.resolve("unpacked"));
        Manifest m = RecordingArchive.unpack(archive, into);
        assertThat(m.nodes()).hasSize(4).allMatch(Manifest.NodeEntry::live).noneMatch(Manifest.NodeEntry::endsWithStop);
        for (Manifest.NodeEntry n : m.nodes()) {
            for (String stack : List.of("node", "client")) {
                assertThat(RecordingVerifier.verify(into.resolve("data").resolve(n.name()).resolve("recorder").resolve(stack)).ok()).isTrue();
            }
            CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", archive.toString(), "--node", n.name(), "--json");
            assertThat(r.exit()).as(n.name() + ": " + r.out() + r.err()).isZero();
            JsonNode verdict = Codec.mapper().readTree(r.out().strip().lines().reduce((a, b) -> b).orElseThrow());
            assertThat(verdict.get("matches").asBoolean()).as(r.out()).isTrue();
            assertThat(verdict.get("ledgerSize").asLong()).isGreaterThanOrEqualTo(100).isLessThan(ordered);
        }
        System.out.println("live collection: " + ordered + " ordered in all; events left out per node: "
                + m.nodes().stream().map(n -> n.name() + "=" + n.eventsLeftOut()).toList());
    }
}
