package io.stackcompanion.node.pool;

import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Faults on four real nodes with real sockets, RocksDB and clients: the primary stopped under load. */
class PoolFaultsTest {
    private static final int REQUESTS = 900;

    @RegisterExtension
    final LocalPoolExtension pools = new LocalPoolExtension();

    @Test
    void stoppingThePrimaryUnderLoadChangesTheViewAndEveryRequestCompletesOnce() throws Exception {
        LocalPool pool = pools.start(4, NodeConfig.defaults());
        List<Client> clients = List.of(pool.newClient(), pool.newClient(), pool.newClient());
        List<CompletableFuture<Reply>> futures = new CopyOnWriteArrayList<>();
        AtomicLong done = new AtomicLong();
        Thread submitter = new Thread(() -> {
            for (int i = 0; i < REQUESTS; i++) {
                CompletableFuture<Reply> f = clients.get(i % 3).submit(Operation.put("key-" + i, "value-" + i));
                f.whenComplete((r, e) -> done.incrementAndGet());
                futures.add(f);
                if (i % 10 == 9) {
                    try {
                        Thread.sleep(20); // about 300 requests a second: load, not a burst
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "submitter");
        submitter.start();
        LocalPool.await(Duration.ofSeconds(60), "a third of the requests ordered", () -> done.get() >= REQUESTS / 3);

        long sizeAtLoss = pool.status("Node2").orElseThrow().ledgerSize();
        long lostAt = System.nanoTime();
        pool.stop("Node1");
        // Time from the loss to the first batch ordered in the new view (seen through status polls).
        long[] firstInNewView = {0};
        long[] sizeAtNewView = {-1};
        LocalPool.await(Duration.ofSeconds(60), "a batch ordered in a view after 0", () -> {
            Optional<Status> s = pool.status("Node2");
            if (s.isEmpty() || s.get().viewNo() < 1) {
                return false;
            }
            if (sizeAtNewView[0] < 0) {
                sizeAtNewView[0] = Math.max(sizeAtLoss, s.get().ledgerSize());
                return false;
            }
            if (s.get().ledgerSize() > sizeAtNewView[0]) {
                firstInNewView[0] = System.nanoTime();
                return true;
            }
            return false;
        });
        System.out.printf("view change: the first batch of the new view was ordered %d ms after the primary stopped%n",
                TimeUnit.NANOSECONDS.toMillis(firstInNewView[0] - lostAt));

        submitter.join(TimeUnit.SECONDS.toMillis(120));
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        assertThat(futures).hasSize(REQUESTS);
        assertThat(futures.stream().map(f -> f.join().seqNo()).distinct()).hasSize(REQUESTS);

        List<String> live = List.of("Node2", "Node3", "Node4");
        LocalPool.await(Duration.ofSeconds(30), "the live nodes at ledger size " + REQUESTS, () -> live.stream()
                .allMatch(n -> pool.status(n).map(Status::ledgerSize).orElse(0L) == REQUESTS));
        List<Status> statuses = live.stream().map(n -> pool.status(n).orElseThrow()).toList();
        assertThat(statuses).extracting(Status::ledgerRoot).containsOnly(statuses.get(0).ledgerRoot());
        assertThat(statuses).extracting(Status::viewNo).allMatch(v -> v >= 1).containsOnly(statuses.get(0).viewNo());

        // The old primary restarts on its data, catches up and agrees.
        long restartedAt = System.nanoTime();
        pool.start("Node1");
        LocalPool.await(Duration.ofSeconds(30), "Node1 caught up", () -> pool.status("Node1")
                .map(s -> s.ledgerSize() == REQUESTS && s.ledgerRoot().equals(statuses.get(0).ledgerRoot())
                        && s.viewNo() == statuses.get(0).viewNo()).orElse(false));
        System.out.printf("restart: Node1 answered with the pool's ledger %d ms after its start%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt));
        Reply after = pool.newClient().submit(Operation.put("after", "restart")).get(60, TimeUnit.SECONDS);
        assertThat(after.seqNo()).isEqualTo(REQUESTS + 1);
        LocalPool.await(Duration.ofSeconds(30), "Node1 orders the new request", () -> pool.status("Node1")
                .map(s -> s.ledgerSize() == REQUESTS + 1).orElse(false));
        assertThat(pool.failures()).isEmpty();
    }
}
