package io.stackcompanion.node.scenario;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.core.Txn;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.pool.Firewall;
import io.stackcompanion.sim.world.SimClient;
import io.stackcompanion.sim.world.SimulatedPool;
import io.stackcompanion.node.store.NodeStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * A {@link Cluster} on the simulator: a {@link SimulatedPool} of real cores on simulated time, one
 * thread, the same run for the same seed. Waiting runs the simulation (in steps of at most
 * {@value #STEP_MILLIS} ms of simulated time); a workload's client sends at simulated times between
 * the pool's events. Its firewall applies to every node-to-node message.
 */
public final class SimulatedCluster implements Cluster {
    private static final long STEP_MILLIS = 10;
    /** The real client's resend timeout in the pools the scenarios run. */
    private static final long RESEND_NANOS = 3_000_000_000L;

    private final SimulatedPool pool;
    private final Firewall firewall = new Firewall();
    private final long seed;
    private final int f;
    private final List<SimLoad> loads = new ArrayList<>();
    private int nextKey;
    private int workloads;

    public SimulatedCluster(Path dir, int nodes, long seed, NodeConfig config) {
        this.pool = new SimulatedPool(dir, nodes, seed, config);
        // The firewall's delays add to the seeded link delay, so a run stays the same for the same seed.
        pool.network((from, to, message, payload, delivery) -> firewall.pass(from, to, message, payload,
                (bytes, extraDelayMillis) -> delivery.after(pool.linkDelay() + extraDelayMillis * 1_000_000L, bytes)));
        this.seed = seed;
        this.f = (nodes - 1) / 3;
    }

    /** The simulator underneath, for what only it can tell (its trace, what a node sent to clients). */
    public SimulatedPool pool() {
        return pool;
    }

    @Override
    public String kind() {
        return "simulator";
    }

    @Override
    public List<String> names() {
        return pool.names();
    }

    @Override
    public void startAll() {
        pool.startAll();
        runFor(Duration.ofMillis(100));
    }

    @Override
    public void stop(String node) {
        pool.stop(node);
    }

    @Override
    public void kill(String node) {
        pool.kill(node);
    }

    @Override
    public void restart(String node) {
        pool.restart(node);
    }

    @Override
    public Optional<NodeState> state(String node) {
        if (!pool.isUp(node)) {
            return Optional.empty();
        }
        Status s = pool.core(node).status();
        return Optional.of(new NodeState(node, s.viewNo(), s.ledgerSize(), s.ledgerRoot()));
    }

    @Override
    public Workload load(int requests, int ratePerSecond) {
        // Each workload its own client (key), the same for the same seed.
        SimLoad load = new SimLoad(new SimClient(seed * 7919 + ++workloads), requests, 1_000_000_000L / ratePerSecond);
        loads.add(load);
        return load;
    }

    @Override
    public long millis() {
        return (pool.now() - SimulatedPool.EPOCH) / 1_000_000L;
    }

    @Override
    public void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = pool.now() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (pool.now() >= deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s of simulated time waiting for " + what
                        + "; nodes: " + states().values());
            }
            runTo(Math.min(deadline, pool.now() + STEP_MILLIS * 1_000_000L));
        }
    }

    @Override
    public void runFor(Duration duration) {
        runTo(pool.now() + duration.toNanos());
    }

    /** Runs the pool to simulated time {@code until}, the workloads' clients sending when they are due. */
    private void runTo(long until) {
        while (true) {
            long next = Long.MAX_VALUE;
            SimLoad due = null;
            for (SimLoad l : loads) {
                long at = l.nextEvent();
                if (at < next) {
                    next = at;
                    due = l;
                }
            }
            if (due == null || next > until) {
                break;
            }
            pool.runUntil(next);
            due.fire(pool.now());
        }
        pool.runUntil(until);
    }

    @Override
    public Firewall firewall() {
        return firewall;
    }

    @Override
    public Optional<Map<String, Long>> ledgerPositions(String node) {
        NodeStore store = pool.store(node);
        long size = store.ledger().size();
        Map<String, Long> out = new TreeMap<>();
        for (byte[] leaf : size == 0 ? List.<byte[]>of() : store.ledger().txns(1, size)) {
            try {
                Txn txn = Codec.mapper().readValue(leaf, Txn.class);
                out.put(txn.identifier() + "/" + txn.reqId(), txn.seqNo());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.of(out);
    }

    @Override
    public Optional<String> stateValue(String node, String key) {
        return Optional.ofNullable(pool.store(node).state().get(key));
    }

    @Override
    public OptionalLong repliesSent(String node) {
        return OptionalLong.of(pool.clientInbox().stream().filter(m -> m.node().equals(node) && m.message() instanceof Reply).count());
    }

    @Override
    public void close() {
        pool.close();
    }

    /**
     * A client on simulated time that sends as the real one does: each request to every node, again
     * to every node after the resend timeout while fewer than f+1 nodes gave the same reply.
     */
    private final class SimLoad implements Workload {
        private final SimClient client;
        private final String connection;
        private final int requests;
        private final long gapNanos;
        private final List<Request> sent = new ArrayList<>();
        private final Map<Long, Long> resendAt = new TreeMap<>();
        private final Map<Long, Map<String, Set<String>>> votes = new HashMap<>();
        private final Map<Long, Reply> confirmed = new TreeMap<>();
        private long nextSendAt;
        private int inboxRead;

        SimLoad(SimClient client, int requests, long gapNanos) {
            this.client = client;
            this.connection = "c" + client.identifier().hashCode();
            this.requests = requests;
            this.gapNanos = gapNanos;
            this.nextSendAt = pool.now();
        }

        @Override
        public int requests() {
            return requests;
        }

        long nextEvent() {
            long next = sent.size() < requests ? nextSendAt : Long.MAX_VALUE;
            for (long at : resendAt.values()) {
                next = Math.min(next, at);
            }
            return next;
        }

        void fire(long now) {
            absorbReplies();
            if (sent.size() < requests && nextSendAt <= now) {
                Request r = client.put("k" + nextKey, "value-" + nextKey);
                nextKey++;
                sent.add(r);
                toAll(r);
                resendAt.put(r.reqId(), now + RESEND_NANOS);
                nextSendAt += gapNanos;
            }
            for (Request r : sent) {
                Long at = resendAt.get(r.reqId());
                if (at != null && at <= now) {
                    toAll(r);
                    resendAt.put(r.reqId(), now + RESEND_NANOS);
                }
            }
        }

        private void toAll(Request r) {
            for (String n : pool.names()) {
                pool.clientSend(n, connection, r);
            }
        }

        private void absorbReplies() {
            List<SimulatedPool.ClientMessage> inbox = pool.clientInbox();
            for (; inboxRead < inbox.size(); inboxRead++) {
                SimulatedPool.ClientMessage m = inbox.get(inboxRead);
                if (m.message() instanceof Reply r && r.identifier().equals(client.identifier())) {
                    Set<String> nodes = votes.computeIfAbsent(r.reqId(), x -> new HashMap<>())
                            .computeIfAbsent(r.seqNo() + "/" + r.txnHash(), x -> new TreeSet<>());
                    nodes.add(m.node());
                    if (nodes.size() >= f + 1 && !confirmed.containsKey(r.reqId())) {
                        confirmed.put(r.reqId(), r);
                        resendAt.remove(r.reqId());
                    }
                }
            }
        }

        @Override
        public Outcome finish(Duration timeout) {
            await("all " + requests + " requests confirmed by f+1 nodes", timeout, () -> {
                absorbReplies();
                return confirmed.size() == requests;
            });
            loads.remove(this);
            Map<String, Long> seqNos = new TreeMap<>();
            confirmed.forEach((reqId, r) -> seqNos.put(r.identifier() + "/" + reqId, r.seqNo()));
            return new Outcome(requests, confirmed.size(), 0, seqNos);
        }
    }
}
