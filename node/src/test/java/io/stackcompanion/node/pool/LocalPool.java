package io.stackcompanion.node.pool;

import io.stackcompanion.node.Node;
import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.client.NodeUnavailableException;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.pool.Firewall;
import io.stackcompanion.node.stack.NodeStack;
import io.stackcompanion.node.tools.PoolSetup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

/**
 * A pool of real nodes in this JVM: real sockets on free ports, real RocksDB in a temporary folder,
 * real clients, and a {@link Firewall} on every node's sending seam. Closing it stops every node and
 * client it started, also after a failed test.
 */
public final class LocalPool implements AutoCloseable {
    private final Path baseDir;
    private final NodeConfig config;
    private final PoolGenesis genesis;
    private final Map<String, Node> running = new LinkedHashMap<>();
    private final List<Client> clients = new ArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final Firewall firewall = new Firewall();
    private final ScheduledExecutorService firewallTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "firewall-delays");
        t.setDaemon(true);
        return t;
    });

    public LocalPool(Path baseDir, int n, NodeConfig config) {
        this.baseDir = baseDir;
        this.config = config;
        try {
            this.genesis = PoolSetup.init(baseDir, n, "127.0.0.1", OptionalInt.empty()).genesis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path baseDir() {
        return baseDir;
    }

    public PoolGenesis genesis() {
        return genesis;
    }

    public List<String> names() {
        return genesis.names();
    }

    public LocalPool startAll() {
        names().forEach(this::start);
        return this;
    }

    public synchronized void start(String name) {
        start(name, NodeStack.tagged());
    }

    /** Starts node {@code name} with its node stack made by {@code nodeStacks} (e.g. one without frame tags). */
    public synchronized void start(String name, NodeStack.Maker nodeStacks) {
        if (running.containsKey(name)) {
            throw new IllegalStateException(name + " is already running");
        }
        running.put(name, Node.start(baseDir, name, config, failures::add,
                stacks -> new FirewalledStacks(name, stacks, firewall, firewallTimer), nodeStacks));
    }

    /**
     * The firewall between the nodes (drop, delay, duplicate, rewrite by node and message type),
     * applied to every node-to-node message a core sends; open until a rule is added.
     */
    public Firewall firewall() {
        return firewall;
    }

    public synchronized void stop(String name) {
        Node node = running.remove(name);
        if (node != null) {
            node.close();
        }
    }

    public synchronized boolean isRunning(String name) {
        return running.containsKey(name);
    }

    /** Waits until every running node is connected to every other running node. */
    public void awaitConnected(Duration timeout) {
        await(timeout, "every running node connected to every other", () -> {
            List<String> up;
            synchronized (this) {
                up = List.copyOf(running.keySet());
            }
            for (String n : up) {
                Optional<Status> s = status(n);
                if (s.isEmpty() || !s.get().connected().containsAll(up.stream().filter(o -> !o.equals(n)).toList())) {
                    return false;
                }
            }
            return true;
        });
    }

    public Client newClient() {
        Client c = new Client(genesis, io.stackcompanion.node.crypto.Keys.generate(),
                Client.Options.defaults().withResendTimeout(Duration.ofSeconds(3)));
        synchronized (this) {
            clients.add(c);
        }
        return c;
    }

    /** The node's status over its client stack, or empty if it does not answer. */
    public Optional<Status> status(String name) {
        NodeInfo info = genesis.node(name).orElseThrow();
        try {
            return Optional.of(Client.status(info, Duration.ofSeconds(2)));
        } catch (NodeUnavailableException e) {
            return Optional.empty();
        }
    }

    /** Failures of node cores (broken invariants); a healthy test ends with none. */
    public List<Throwable> failures() {
        return failures;
    }

    /** Waits until every running node has ordered exactly {@code size} transactions (replicas may lag the client). */
    public void awaitLedgerSize(long size, Duration timeout) {
        await(timeout, "every running node at ledger size " + size, () -> {
            List<String> up;
            synchronized (this) {
                up = List.copyOf(running.keySet());
            }
            return up.stream().allMatch(n -> status(n).map(Status::ledgerSize).orElse(-1L) == size);
        });
    }

    /** Submits {@code n} PUTs spread over {@code clients} and waits until every one is ordered. */
    public static void orderAll(List<Client> clients, int n) throws Exception {
        List<java.util.concurrent.CompletableFuture<io.stackcompanion.node.message.Reply>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(clients.get(i % clients.size()).submit(io.stackcompanion.node.message.Operation.put("key-" + i, "value-" + i)));
        }
        java.util.concurrent.CompletableFuture.allOf(fs.toArray(java.util.concurrent.CompletableFuture[]::new))
                .get(120, java.util.concurrent.TimeUnit.SECONDS);
    }

    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    @Override
    public synchronized void close() {
        firewallTimer.shutdownNow();
        for (Client c : clients) {
            c.close();
        }
        clients.clear();
        for (Node n : running.values()) {
            n.close();
        }
        running.clear();
    }
}
