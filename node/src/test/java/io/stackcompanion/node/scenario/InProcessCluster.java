package io.stackcompanion.node.scenario;

import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.pool.LocalPool;
import io.stackcompanion.node.pool.Firewall;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Cluster} of real nodes in this JVM ({@link LocalPool}: real sockets, RocksDB, the Java
 * client with its f+1 replies and resends), on the wall clock. A kill is a stop here (a JVM cannot
 * SIGKILL a part of itself). Its firewall
 * sits on each live node's sending seam.
 */
public final class InProcessCluster extends WallClockCluster {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final LocalPool pool;
    private final List<Thread> submitters = new CopyOnWriteArrayList<>();
    private int nextKey;

    public InProcessCluster(Path dir, int nodes, NodeConfig config) {
        super(Duration.ofMillis(20));
        this.pool = new LocalPool(dir, nodes, config);
    }

    @Override
    public String kind() {
        return "in-process";
    }

    @Override
    public List<String> names() {
        return pool.names();
    }

    @Override
    public void startAll() {
        pool.startAll().awaitConnected(CONNECT_TIMEOUT);
    }

    @Override
    public void stop(String node) {
        pool.stop(node);
    }

    @Override
    public void restart(String node) {
        pool.start(node);
    }

    @Override
    public Optional<NodeState> state(String node) {
        return !pool.isRunning(node) ? Optional.empty()
                : pool.status(node).map(s -> new NodeState(node, s.viewNo(), s.ledgerSize(), s.ledgerRoot()));
    }

    /** Three real clients take turns; a submitter thread keeps the rate. */
    @Override
    public Workload load(int requests, int ratePerSecond) {
        List<Client> clients = List.of(pool.newClient(), pool.newClient(), pool.newClient());
        List<CompletableFuture<Reply>> futures = new CopyOnWriteArrayList<>();
        int first = nextKey;
        nextKey += requests;
        long start = System.nanoTime();
        Thread submitter = new Thread(() -> {
            for (int i = 0; i < requests; i++) {
                long due = start + i * 1_000_000_000L / ratePerSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                int k = first + i;
                futures.add(clients.get(i % clients.size()).submit(Operation.put("k" + k, "value-" + k)));
            }
        }, "submitter");
        submitter.setDaemon(true);
        submitters.add(submitter);
        submitter.start();
        return Workload.of(requests, timeout -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                submitter.join(timeout.toMillis());
                CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for the workload");
            } catch (TimeoutException e) {
                throw new AssertionError("the workload did not finish in " + timeout.toSeconds() + " s: "
                        + futures.stream().filter(CompletableFuture::isDone).count() + " of " + requests + " answered");
            } catch (ExecutionException e) {
                // counted below as failed
            }
            Map<String, Long> seqNos = new TreeMap<>();
            long failed = 0;
            for (CompletableFuture<Reply> f : futures) {
                if (f.isCompletedExceptionally()) {
                    failed++;
                } else {
                    Reply r = f.join();
                    seqNos.put(r.identifier() + "/" + r.reqId(), r.seqNo());
                }
            }
            return new Workload.Outcome(requests, seqNos.size(), failed, seqNos);
        });
    }

    @Override
    public Firewall firewall() {
        return pool.firewall();
    }

    /** Failures of node cores (broken invariants); a healthy scenario ends with none. */
    public List<Throwable> failures() {
        return pool.failures();
    }

    @Override
    public void close() {
        submitters.forEach(Thread::interrupt);
        pool.close();
    }
}
