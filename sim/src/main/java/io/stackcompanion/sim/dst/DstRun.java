package io.stackcompanion.sim.dst;

import io.stackcompanion.node.client.ClientHistory;
import io.stackcompanion.node.config.ConfigKey;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.core.Txn;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.store.Ledger;
import io.stackcompanion.sim.world.SimClient;
import io.stackcompanion.sim.world.SimulatedPool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One seed's run: a pool of real cores and stores on simulated time, simulated clients issuing PUT,
 * GET and CAS on a few keys, the seed's faults until the fault window ends, then a healed pool that
 * must answer everything within the liveness bound; at the end the checkers ({@link Checks}). Every
 * choice comes from the seed, so the same seed gives the same run: {@link DstResult#traceHash()} is
 * a hash of everything that crossed every core's boundary.
 */
public final class DstRun {
    /** Simulated time after the faults heal (or after its invoke, if later) within which every operation must be answered. */
    public static final long LIVENESS_BOUND_NANOS = 60_000_000_000L;
    /** After the workload, how long the replicas get to reach the same ledger before the checks. */
    static final long SETTLE_NANOS = 30_000_000_000L;
    private static final long MS = 1_000_000L;
    /**
     * More inputs than this for one node within one second of simulated time is a message storm (a
     * busy node here handles a few thousand): the run stops with a liveness failure rather than
     * spinning for hours.
     */
    static final int STORM_INPUTS_PER_SECOND = 20_000;

    /**
     * What to run.
     *
     * @param seed     the seed: everything else follows from it
     * @param requests operations in all (when {@code seconds} is 0)
     * @param seconds  simulated seconds of workload instead (0: use {@code requests})
     * @param nodes    pool size, 4 (f=1) or 7 (f=2)
     * @param faults   pinned faults, or null: the seed chooses (swarm)
     * @param plant    a planted weakness, or null (the test that the swarm, with Byzantine nodes, finds
     *                 a pool so weakened; {@code --plant})
     */
    public record Options(long seed, int requests, int seconds, int nodes, Set<Fault> faults, Weakness plant) {
        public Options {
            if (nodes != 4 && nodes != 7) {
                throw new IllegalArgumentException("a pool of 4 or 7 nodes, not " + nodes);
            }
        }

        public Options(long seed, int requests, int seconds, int nodes, Set<Fault> faults) {
            this(seed, requests, seconds, nodes, faults, null);
        }
    }

    private final Options options;
    private final Path dir;
    private final boolean record;

    /**
     * @param dir    where the nodes' stores go ({@code dir/data/<node>/}); with {@code record}, their
     *               recordings too, and the pool's genesis file, as a pool's base dir holds them
     */
    public DstRun(Options options, Path dir, boolean record) {
        this.options = options;
        this.dir = dir;
        this.record = record;
    }

    public DstResult run() {
        long wallStart = System.nanoTime();
        long seed = options.seed();
        SplittableRandom master = new SplittableRandom(seed);
        SplittableRandom planRandom = master.split();
        SplittableRandom netRandom = master.split();
        SplittableRandom faultRandom = master.split();
        SplittableRandom workRandom = master.split();
        SplittableRandom configRandom = master.split();
        SplittableRandom byzantineRandom = master.split(); // after the others: they stay what they were
        SplittableRandom censorRandom = master.split(); // after byzantineRandom, for the same reason
        long windowMillis = options.seconds() > 0 ? options.seconds() * 2_000L / 3 : 5_000L + planRandom.nextLong(25_000L);
        FaultPlan plan = FaultPlan.draw(planRandom, options.faults(), windowMillis);
        NodeConfig config = config(configRandom, seed);
        int n = options.nodes();
        int f = (n - 1) / 3;
        MessageDigest traceHash = Hashes.sha256();
        Map<String, Request> signed = new LinkedHashMap<>(); // identifier/reqId -> the request a client signed
        List<ClientHistory.Entry> history = new ArrayList<>();
        List<String> livenessFailures = new ArrayList<>();
        int[] issued = {0};
        int[] rejectedOrTimedOut = {0};
        long heal = SimulatedPool.EPOCH + windowMillis * MS;
        long workloadEnd = options.seconds() > 0 ? SimulatedPool.EPOCH + options.seconds() * 1_000L * MS : Long.MAX_VALUE;
        int keys = 2 + workRandom.nextInt(4);
        int mixPut = 30 + workRandom.nextInt(50);
        int mixGet = workRandom.nextInt(100 - mixPut);
        try (SimulatedPool pool = new SimulatedPool(dir.resolve("data"), n, seed, config)) {
            if (record) {
                try {
                    Files.createDirectories(dir);
                    pool.genesis().write(dir.resolve(PoolGenesis.FILE_NAME));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the pool genesis in " + dir + ": " + e.getMessage(), e);
                }
                pool.names().forEach(pool::record);
            }
            if (options.plant() != null) {
                options.plant().plantIn(pool);
            }
            pool.traceTo(t -> {
                traceHash.update((t.time() + " " + t.node() + " " + t.what() + "\n").getBytes(StandardCharsets.UTF_8));
                if (t.bytes() != null) {
                    traceHash.update(t.bytes());
                }
            });
            DstNetwork network = new DstNetwork(plan, netRandom, pool::now);
            Set<String> liars = new java.util.TreeSet<>();
            String byzantine = "";
            if (plan.has(Fault.BYZANTINE)) {
                List<String> names = new ArrayList<>(pool.names());
                while (liars.size() < f) {
                    liars.add(names.remove(byzantineRandom.nextInt(names.size())));
                }
                ByzantineNetwork lying = new ByzantineNetwork(network, byzantineRandom, liars, pool::signer);
                byzantine = String.join(", ", liars) + " lie: " + lying.describe();
                pool.network(lying);
                if (lying.tells(io.stackcompanion.sim.byzantine.Liar.Lie.FORGED_NEW_VIEW)) {
                    liars.forEach(pool::plantLyingNewViews);
                }
                if (censorRandom.nextBoolean()) { // half the seeds: the liars' cores censor a client as primaries
                    liars.forEach(pool::plantCensoring);
                    byzantine += "; as primary, censors the first client whose request it must cut";
                }
                int equivocation = censorRandom.nextInt(4); // half the seeds: the liars' cores equivocate as primaries
                if (equivocation >= 2) {
                    boolean split = equivocation == 2;
                    liars.forEach(node -> pool.plantEquivocation(node, split));
                    byzantine += split ? "; as primary, sends f replicas each batch and the others another valid one"
                            : "; as primary, sends every replica its own valid batch";
                }
            } else {
                pool.network(network);
            }
            if (plan.has(Fault.SKEW)) {
                for (String node : pool.names()) {
                    pool.clock(node, (faultRandom.nextLong(2_000L) - 1_000L) * MS, faultRandom.nextLong(401L) - 200L);
                }
            }
            Faults faults = new Faults(pool, plan, faultRandom, f - liars.size(), heal, network);
            Set<String> probed = new java.util.TreeSet<>();
            DstClient.Workload workload = new DstClient.Workload() {
                private int written;

                @Override
                public Operation next(DstClient client, SplittableRandom r) {
                    if (faults.healed() && pool.now() >= workloadEnd || issued[0] >= options.requests() && options.seconds() == 0) {
                        // After the workload, with the faults healed: one PUT per client, which must be answered (liveness).
                        return faults.healed() && probed.add(client.name())
                                ? Operation.put("k" + r.nextInt(keys), client.name() + "-probe") : null;
                    }
                    if (pool.now() >= workloadEnd) {
                        return null;
                    }
                    int k = issued[0]++;
                    String key = "k" + r.nextInt(keys);
                    int roll = r.nextInt(100);
                    Operation op;
                    if (roll < mixPut) {
                        op = Operation.put(key, client.name() + "-v" + (++written));
                    } else if (roll < mixPut + mixGet) {
                        op = Operation.get(key);
                    } else {
                        String expected = client.known.get(key);
                        op = Operation.cas(key, expected == null ? "never-written" : expected, client.name() + "-v" + (++written));
                    }
                    return op;
                }

                @Override
                public void signed(DstClient client, Request request) {
                    signed.put(request.identifier() + "/" + request.reqId(), request); // validity checks the ledgers against these
                }

                @Override
                public void completed(DstClient client, Request request, ClientHistory.Entry entry) {
                    history.add(entry);
                }

                @Override
                public void gaveUp(DstClient client, Request request, ClientHistory.Entry entry) {
                    history.add(entry);
                    rejectedOrTimedOut[0]++;
                    long from = Math.max(entry.invoke(), faults.healedAt());
                    if (faults.healed() && entry.returned() - from >= LIVENESS_BOUND_NANOS) {
                        livenessFailures.add(client.name() + "'s request " + request.reqId() + " ("
                                + describe(request.operation()) + ", invoked at " + seconds(entry.invoke())
                                + ") got no reply quorum within " + LIVENESS_BOUND_NANOS / 1_000_000_000L
                                + " s of simulated time after the faults healed at " + seconds(faults.healedAt()));
                    }
                }
            };
            int clientCount = 2 + workRandom.nextInt(4);
            List<DstClient> clients = new ArrayList<>();
            Map<String, DstClient> byConnection = new TreeMap<>();
            for (int i = 1; i <= clientCount; i++) {
                DstClient c = new DstClient("c" + i, new SimClient(seed * 1000 + 500 + i), pool, workRandom.split(), workload,
                        f + 1, LIVENESS_BOUND_NANOS);
                clients.add(c);
                byConnection.put(c.connection(), c);
            }
            pool.clientMessagesTo(m -> {
                DstClient c = byConnection.get(m.connection());
                if (c != null) {
                    c.receive(m.node(), m.message());
                }
            });
            Map<String, long[]> window = new TreeMap<>(); // node -> {second, inputs in it}
            long[] busiest = {0};
            pool.afterEachInput((node, index) -> {
                long second = (pool.now() - SimulatedPool.EPOCH) / 1_000_000_000L;
                long[] w = window.computeIfAbsent(node, k -> new long[2]);
                if (w[0] != second) {
                    w[0] = second;
                    w[1] = 0;
                }
                busiest[0] = Math.max(busiest[0], w[1] + 1);
                if (++w[1] == STORM_INPUTS_PER_SECOND) {
                    livenessFailures.add(node + " handled " + STORM_INPUTS_PER_SECOND + " inputs within one second of simulated time ("
                            + seconds(pool.now()) + "): a message storm");
                }
            });
            pool.startAll();
            faults.start();
            for (DstClient c : clients) {
                c.start();
            }
            // The workload under faults, until every client is done (or an operation outlives the liveness bound).
            runWhileBusy(pool, clients, livenessFailures);
            // Then the faults heal (if the window has not ended yet) and each client's probe must be answered.
            faults.healNow();
            for (DstClient c : clients) {
                c.resume();
            }
            runWhileBusy(pool, clients, livenessFailures);
            // The replicas settle: all on the same ledger size, or the settle time is over.
            long settleEnd = pool.now() + SETTLE_NANOS;
            while (livenessFailures.isEmpty() && pool.now() < settleEnd && !sameLedgerSize(pool, liars)) {
                pool.runUntil(pool.now() + 100 * MS);
            }
            long simulatedNanos = pool.now() - SimulatedPool.EPOCH;
            Map<String, List<Txn>> ledgers = new TreeMap<>();
            Map<String, Integer> views = new TreeMap<>();
            for (String node : pool.names()) {
                if (pool.isUp(node) && !liars.contains(node)) { // the checks are about the honest nodes
                    ledgers.put(node, txns(pool.store(node).ledger()));
                    views.put(node, pool.core(node).status().viewNo());
                }
            }
            List<Checks.Check> checks = Checks.all(history, signed, ledgers, livenessFailures, f, pool.verifier());
            String hash = Hashes.hex(traceHash.digest()); // of the run, before a recorded pool's stops
            if (record) {
                for (String node : pool.names()) {
                    if (pool.isUp(node)) {
                        pool.stop(node); // the recordings end with a STOPPED and the last state
                    }
                }
            }
            return new DstResult(options, plan, byzantine, config, clientCount, keys, history, ledgers, views, checks,
                    rejectedOrTimedOut[0], busiest[0], simulatedNanos, System.nanoTime() - wallStart, hash);
        }
    }

    private static void runWhileBusy(SimulatedPool pool, List<DstClient> clients, List<String> livenessFailures) {
        while (livenessFailures.isEmpty() && !clients.stream().allMatch(DstClient::done)) { // a storm stops it too
            pool.runUntil(pool.now() + 100 * MS);
        }
    }

    private static boolean sameLedgerSize(SimulatedPool pool, Set<String> liars) {
        return pool.names().stream().filter(n -> !liars.contains(n)).map(n -> pool.store(n).ledger().size()).distinct().count() == 1;
    }

    /** The pool's configuration for this seed: small checkpoints and batches so that catch-up and watermarks matter. */
    private static NodeConfig config(SplittableRandom r, long seed) {
        long chk = List.of(5L, 10L, 20L).get(r.nextInt(3));
        return NodeConfig.defaults()
                .with(ConfigKey.CHK_FREQ, Long.toString(chk))
                .with(ConfigKey.LOG_SIZE, Long.toString(chk * 3))
                .with(ConfigKey.MAX_BATCH_SIZE, Long.toString(1 + r.nextInt(10)))
                .with(ConfigKey.MAX_BATCH_WAIT_MS, Long.toString(5 + r.nextInt(45)))
                .with(ConfigKey.RANDOM_SEED, Long.toString(seed));
    }

    private static List<Txn> txns(Ledger ledger) {
        List<Txn> out = new ArrayList<>();
        long size = ledger.size();
        for (long s = 1; s <= size; s++) {
            try {
                out.add(Codec.mapper().readValue(ledger.txn(s), Txn.class));
            } catch (IOException e) {
                throw new IllegalStateException("ledger transaction " + s + " does not parse: " + e.getMessage(), e);
            }
        }
        return out;
    }

    static String describe(Operation op) {
        return switch (op.type()) {
            case Operation.PUT -> "PUT " + op.key() + " " + op.value();
            case Operation.GET -> "GET " + op.key();
            default -> "CAS " + op.key() + " " + op.expected() + "->" + op.value();
        };
    }

    static String seconds(long simulatedTime) {
        return String.format(java.util.Locale.ROOT, "%.3f s", (simulatedTime - SimulatedPool.EPOCH) / 1e9);
    }
}
