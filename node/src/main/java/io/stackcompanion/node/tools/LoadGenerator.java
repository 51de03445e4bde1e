package io.stackcompanion.node.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.client.ClientHistory;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends N signed requests (PUTs, or a mix of PUT, GET and CAS over a small key set) to a pool from
 * C clients, measures them and, if asked, writes the client history. Request k (0-based) goes from
 * client {@code k % C}; its key and ~100-byte value are derived from the seed and k, so two runs with
 * the same seed write the same data. With a rate, request k is due at {@code start + k / rate}
 * (open loop, fixed schedule) and its latency counts from that due time, so a pool that falls behind
 * shows it in the latency; without one each client keeps its in-flight cap full and latency counts
 * from the send.
 */
public final class LoadGenerator {
    private static final int VALUE_BYTES = 100;
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    /**
     * What to send.
     *
     * @param requests       total requests N
     * @param clients        clients C sharing them (each its own key and connections)
     * @param rate           total requests per second; empty = as fast as the in-flight cap allows
     * @param requestTimeout a request not ordered within this counts as failed
     * @param maxInFlight    per client
     * @param seed           decides keys and values
     * @param mix            the share of PUT, GET and CAS
     * @param keys           how many keys the requests share ({@code k0..k<keys-1>}); 0 = a key of
     *                       its own for each request (only with an all-PUT mix)
     * @param history        where to write the client history (JSON Lines), or null
     */
    public record Settings(int requests, int clients, OptionalDouble rate, Duration requestTimeout,
                           int maxInFlight, long seed, Mix mix, int keys, Path history) {
        public Settings {
            Objects.requireNonNull(rate, "rate");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(mix, "mix");
            if (keys < 0 || keys == 0 && !mix.allPut()) {
                throw new IllegalArgumentException("a mix with GET or CAS needs a key set (keys >= 1)");
            }
            if (requests < 1 || clients < 1 || maxInFlight < 1) {
                throw new IllegalArgumentException("requests, clients and maxInFlight must be at least 1");
            }
            if (rate.isPresent() && !(rate.getAsDouble() > 0)) {
                throw new IllegalArgumentException("rate must be positive");
            }
        }
    }

    /** The share (in percent, summing to 100) of each operation type. */
    public record Mix(int put, int get, int cas) {
        public static final Mix ALL_PUT = new Mix(100, 0, 0);

        public Mix {
            if (put < 0 || get < 0 || cas < 0 || put + get + cas != 100) {
                throw new IllegalArgumentException("the shares must be at least 0 and sum to 100");
            }
        }

        boolean allPut() {
            return put == 100;
        }

        /** The type for a roll in 0..99. */
        String type(int roll) {
            return roll < put ? Operation.PUT : roll < put + get ? Operation.GET : Operation.CAS;
        }
    }

    /** Latency of the ordered requests, in milliseconds. */
    public record Latency(double p50, double p99, double max) {
    }

    /**
     * The outcome. {@code failures} holds the first few failure messages (for the human summary; the
     * JSON line leaves them out).
     */
    public record Result(int sent, int ordered, int failed, double durationS, double throughputPerS,
                         Latency latencyMs, List<String> failures) {
        public Result {
            failures = List.copyOf(failures);
        }

        /** The one-line JSON object {@code load.sh --json} prints last. */
        public String toJson() {
            ObjectNode o = Codec.mapper().createObjectNode();
            o.put("sent", sent).put("ordered", ordered).put("failed", failed)
                    .put("durationS", durationS).put("throughputPerS", throughputPerS);
            o.putObject("latencyMs").put("p50", latencyMs.p50()).put("p99", latencyMs.p99()).put("max", latencyMs.max());
            return new String(Codec.toBytes(o), StandardCharsets.UTF_8);
        }
    }

    private static final int FAILURES_KEPT = 5;
    /** Enough Ed25519 signatures for the JIT to compile the signing path (~0.1 s once compiled). */
    private static final int WARM_UP_SIGNATURES = 1000;

    private final PoolGenesis genesis;
    private final Settings settings;

    public LoadGenerator(PoolGenesis genesis, Settings settings) {
        this.genesis = Objects.requireNonNull(genesis, "genesis");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The k-th request's operation with a key set: its type from the mix and its key from the seed
     * and k, a PUT's and CAS's value {@code v<k>} (so every written value is unique); a CAS expects
     * {@code known}, the value its client last saw for the key (null: it expects a value never
     * written, and does not apply).
     */
    static Operation operation(long seed, int k, Mix mix, int keys, java.util.function.Function<String, String> known) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + k);
        String type = mix.type(random.nextInt(100));
        String key = "k" + random.nextInt(keys);
        return switch (type) {
            case Operation.PUT -> Operation.put(key, "v" + k);
            case Operation.GET -> Operation.get(key);
            default -> {
                String expected = known.apply(key);
                yield Operation.cas(key, expected == null ? "never-written" : expected, "v" + k);
            }
        };
    }

    /** The k-th request's operation: same seed, same key and value. */
    public static Operation operation(long seed, int k) {
        String name = Hashes.sha256Hex((seed + "/" + k).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + k);
        char[] value = new char[VALUE_BYTES];
        for (int i = 0; i < value.length; i++) {
            value[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return Operation.put("load-" + name, new String(value));
    }

    /**
     * Sends every request and waits until each is ordered or failed.
     *
     * @param onCompleted called once per finished request (ordered or failed), from client threads
     */
    public Result run(Runnable onCompleted) throws InterruptedException {
        int n = settings.requests();
        int c = Math.min(settings.clients(), n);
        Client.Options options = Client.Options.defaults()
                .withRequestTimeout(settings.requestTimeout())
                .withMaxInFlight(settings.maxInFlight());
        double[] latencyMs = new double[n];
        Arrays.fill(latencyMs, Double.NaN);
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger ordered = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        CountDownLatch finished = new CountDownLatch(n);
        List<Client> clients = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        List<ClientHistory.Entry> history = settings.history() == null ? null : java.util.Collections.synchronizedList(new ArrayList<>());
        long origin = System.nanoTime();
        long start;
        try {
            for (int i = 0; i < c; i++) {
                clients.add(new Client(genesis, Keys.generate(), options));
            }
            warmUp(clients);
            start = System.nanoTime();
            for (int i = 0; i < c; i++) {
                int first = i;
                Client client = clients.get(i);
                Thread t = new Thread(() -> {
                    // The generator's own cap, equal to the client's: taken before the clock starts so
                    // an unpaced request's latency does not include waiting for a free slot.
                    Semaphore slots = new Semaphore(settings.maxInFlight());
                    // What this client last saw of each key (its writes, its GETs, its CASes' outcomes).
                    Map<String, String> known = new ConcurrentHashMap<>();
                    for (int k = first; k < n; k += c) {
                        int req = k;
                        long due = settings.rate().isPresent()
                                ? start + (long) (k * 1e9 / settings.rate().getAsDouble())
                                : 0;
                        try {
                            if (settings.rate().isPresent()) {
                                parkUntil(due);
                            }
                            slots.acquire();
                        } catch (InterruptedException e) {
                            // stop sending; the rest never went out and count as failed
                            synchronized (failures) {
                                keep(failures, "interrupted before sending request " + req);
                            }
                            for (int rest = req; rest < n; rest += c) {
                                onCompleted.run();
                                finished.countDown();
                            }
                            return;
                        }
                        Operation op = settings.keys() == 0
                                ? operation(settings.seed(), req)
                                : operation(settings.seed(), req, settings.mix(), settings.keys(), known::get);
                        long invoke = System.nanoTime();
                        long t0 = settings.rate().isPresent() ? due : invoke;
                        sent.incrementAndGet();
                        client.submit(op).whenComplete((reply, error) -> {
                            long returned = System.nanoTime();
                            if (history != null) {
                                history.add(new ClientHistory.Entry("c" + (first + 1), op, invoke, error == null ? reply : null, returned));
                            }
                            if (error == null) {
                                latencyMs[req] = (returned - t0) / 1e6;
                                ordered.incrementAndGet();
                                ClientHistory.learn(known, op, reply);
                            } else {
                                synchronized (failures) {
                                    keep(failures, "request " + req + ": " + describe(error));
                                }
                            }
                            slots.release();
                            onCompleted.run();
                            finished.countDown();
                        });
                    }
                }, "load-sender-" + i);
                t.setDaemon(true);
                senders.add(t);
                t.start();
            }
            finished.await();
        } finally {
            senders.forEach(Thread::interrupt);
            clients.forEach(Client::close);
        }
        double durationS = (System.nanoTime() - start) / 1e9;
        if (history != null) {
            List<ClientHistory.Entry> entries;
            synchronized (history) {
                entries = new ArrayList<>(history);
            }
            ClientHistory.write(settings.history(), entries, origin);
        }
        double[] done = Arrays.stream(latencyMs).filter(d -> !Double.isNaN(d)).sorted().toArray();
        Latency latency = new Latency(round(percentile(done, 50), 2), round(percentile(done, 99), 2),
                round(done.length == 0 ? 0 : done[done.length - 1], 2));
        int ok = ordered.get();
        List<String> kept;
        synchronized (failures) {
            kept = List.copyOf(failures);
        }
        return new Result(sent.get(), ok, n - ok, round(durationS, 3), round(ok / Math.max(durationS, 1e-9), 1), latency, kept);
    }

    /**
     * Connects every client and runs the signing path until compiled, before the clock starts: the
     * latencies measured are the pool's, not this process's start-up (a request that is due while
     * the generator still connects or signs in the interpreter would count that time).
     */
    private static void warmUp(List<Client> clients) {
        for (Client client : clients) {
            client.connect();
        }
        Operation op = Operation.put("warm-up", "x".repeat(64));
        for (int i = 0; i < WARM_UP_SIGNATURES; i++) {
            clients.get(i % clients.size()).sign(i, op);
        }
    }

    private static void keep(List<String> failures, String message) {
        if (failures.size() < FAILURES_KEPT) {
            failures.add(message);
        }
    }

    private static String describe(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void parkUntil(long deadlineNanos) throws InterruptedException {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** Nearest-rank percentile of sorted values; 0 when there are none. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }
}
