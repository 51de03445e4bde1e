package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.recording.CombinedRecorder;
import io.stackcompanion.node.recording.MergedEvent;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.sim.world.SimClient;
import io.stackcompanion.sim.world.SimulatedPool;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.Recorder;
import io.stackcompanion.recorder.RecordingClock;
import io.stackcompanion.recorder.RecordingReader;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Recordings kept in the repository ({@code src/test/resources/recordings/}), unpacked for a test. */
final class RecordingFixtures {
    private RecordingFixtures() {
    }

    /**
     * A pool base dir whose {@code node} was recorded in the deterministic simulator (real cores,
     * real RocksDB, 1-3 ms links): {@code requests} PUTs to every node, then the node stopped.
     */
    static Path simulatedPool(Path pool, String node, long seed, int requests) throws Exception {
        return simulatedPool(pool, node, seed, requests, NodeConfig.defaults(), 20);
    }

    /** Like {@link #simulatedPool(Path, String, long, int)}, on {@code config}, a request every {@code gapMillis} (0: a burst). */
    static Path simulatedPool(Path pool, String node, long seed, int requests, NodeConfig config, long gapMillis) throws Exception {
        try (SimulatedPool sim = new SimulatedPool(pool.resolve("data"), 4, seed, config)) {
            Files.createDirectories(pool);
            sim.genesis().write(pool.resolve(PoolGenesis.FILE_NAME));
            sim.record(node);
            SimClient client = new SimClient(seed);
            sim.startAll();
            sim.runFor(100);
            for (int i = 0; i < requests; i++) {
                Request r = client.put("key", "v" + i);
                for (String n : sim.names()) {
                    sim.clientSend(n, "c1", r);
                }
                sim.runFor(gapMillis);
            }
            sim.runFor(1_000);
            sim.stop(node);
        }
        return pool;
    }

    /**
     * A pool base dir whose four nodes were recorded in the deterministic simulator running PUT, GET
     * and CAS (batches of up to 2, checkpoints every 2 batches, so STATE events are recorded): first
     * unrecorded (so the initial states hold GET and CAS transactions), then recorded from a restart
     * of all nodes; Node4 stops and restarts and catches up (catch-up replies with GET and CAS), a
     * burst mixes operations in one batch, and every node stops at the end. Every key and value
     * starts with {@code cust-}; the client connects from {@code 203.0.113.7}.
     */
    static Path simulatedGetCasPool(Path pool, long seed) throws Exception {
        NodeConfig config = NodeConfig.defaults().with(io.stackcompanion.node.config.ConfigKey.CHK_FREQ, "2")
                .with(io.stackcompanion.node.config.ConfigKey.LOG_SIZE, "4")
                .with(io.stackcompanion.node.config.ConfigKey.MAX_BATCH_SIZE, "2");
        try (SimulatedPool sim = new SimulatedPool(pool.resolve("data"), 4, seed, config)) {
            Files.createDirectories(pool);
            sim.genesis().write(pool.resolve(PoolGenesis.FILE_NAME));
            SimClient client = new SimClient(seed);
            Consumer<Request> send = r -> {
                for (String n : sim.names()) {
                    if (sim.isUp(n)) {
                        sim.clientSend(n, "203.0.113.7:50123", r);
                    }
                }
                sim.runFor(300);
            };
            sim.startAll();
            sim.runFor(100);
            send.accept(client.put("cust-acct-alpha", "cust-balance-100"));
            send.accept(client.cas("cust-acct-alpha", "cust-balance-100", "cust-balance-250"));  // applies
            send.accept(client.get("cust-acct-alpha"));                                         // present
            send.accept(client.get("cust-acct-never-written"));                                 // absent
            for (String n : sim.names()) {
                sim.stop(n);
            }
            for (String n : sim.names()) {
                sim.record(n);
                sim.restart(n);
            }
            sim.runFor(500);
            send.accept(client.put("cust-acct-beta", "cust-balance-7"));
            send.accept(client.cas("cust-acct-beta", "cust-balance-999", "cust-balance-8"));     // fails: other value
            send.accept(client.cas("cust-acct-gamma", "cust-balance-7", "cust-balance-9"));      // fails: absent, never creates
            send.accept(client.get("cust-acct-gamma"));                                         // absent
            send.accept(client.cas("cust-acct-beta", "cust-balance-7", "cust-balance-8"));       // applies
            sim.stop("Node4");
            send.accept(client.get("cust-acct-beta"));
            send.accept(client.cas("cust-acct-alpha", "cust-balance-250", "cust-balance-7"));    // applies: two keys, equal values
            send.accept(client.put("cust-acct-delta", "cust-balance-delta-1"));
            send.accept(client.get("cust-acct-alpha"));
            sim.restart("Node4");
            sim.runFor(2_000);
            // A burst: operations on one key in one batch read what the one before them wrote.
            for (Request r : java.util.List.of(client.put("cust-acct-epsilon", "cust-balance-e1"),
                    client.get("cust-acct-epsilon"),
                    client.cas("cust-acct-epsilon", "cust-balance-e1", "cust-balance-e2"),
                    client.cas("cust-acct-epsilon", "cust-balance-e1", "cust-balance-e3"),
                    client.get("cust-acct-epsilon"), client.get("cust-acct-delta"))) {
                for (String n : sim.names()) {
                    sim.clientSend(n, "203.0.113.7:50124", r);
                }
            }
            sim.runFor(2_000);
            for (String n : sim.names()) {
                sim.stop(n);
            }
        }
        return pool;
    }

    /** Unpacks {@code recordings/NAME} (a tar.gz of {@code pool_genesis.json} and {@code data/<node>/recorder}) into {@code dir}. */
    static Path unpack(String name, Path dir) throws Exception {
        Path archive = dir.resolve(name);
        try (InputStream in = RecordingFixtures.class.getResourceAsStream("/recordings/" + name)) {
            assertThat(in).as("test resource recordings/" + name).isNotNull();
            Files.copy(in, archive);
        }
        // GNU tar keeps a killed writer's journal segments sparse (64 MiB each, mostly holes).
        Process tar = new ProcessBuilder("tar", "-xzSf", archive.toString(), "-C", dir.toString()).inheritIO().start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        Files.delete(archive);
        return dir;
    }

    /**
     * Rewrites {@code node}'s recording in {@code pool} as another build would have made it, with
     * {@code change} applied to the configuration every STARTED event records: each event of both
     * stacks is written again by the real recorder, in the recorded order, at its recorded time, so
     * the chains and seals are sound and {@code verify} accepts the result.
     */
    static void rewriteRecordedConfig(Path pool, String node, Consumer<ObjectNode> change) throws Exception {
        Path recorder = pool.resolve("data").resolve(node).resolve("recorder");
        Path rewritten = Files.createDirectories(pool.resolve("rewritten-" + node));
        long[] now = {0};
        RecordingClock clock = RecordingClock.of(0, () -> now[0]);
        try (RecordingReader n = RecordingReader.open(recorder.resolve(NodeRecording.NODE_STACK));
             RecordingReader c = RecordingReader.open(recorder.resolve(NodeRecording.CLIENT_STACK));
             Recorder nodeOut = Recorder.open(rewritten.resolve(NodeRecording.NODE_STACK), n.metadata(), clock, 1 << 20);
             Recorder clientOut = Recorder.open(rewritten.resolve(NodeRecording.CLIENT_STACK), c.metadata(), clock, 1 << 20);
             CombinedRecorder merged = new CombinedRecorder(n, c)) {
            Map<StackName, Recorder> out = Map.of(StackName.NODE, nodeOut, StackName.CLIENT, clientOut);
            while (merged.hasNext()) {
                MergedEvent e = merged.next();
                byte[] payload = e.event().payload();
                if (e.event().kind() == EventKind.STARTED) {
                    ObjectNode start = (ObjectNode) Codec.mapper().readTree(payload);
                    change.accept((ObjectNode) start.get("config"));
                    payload = Codec.mapper().writeValueAsBytes(start);
                }
                now[0] = e.event().timeNanos();
                clock.now();
                out.get(e.stack()).append(e.event().timeNanos(), e.event().kind(), e.event().peers(), payload);
            }
        }
        for (String stack : new String[] {NodeRecording.NODE_STACK, NodeRecording.CLIENT_STACK}) {
            FileTrees.deleteQuietly(recorder.resolve(stack));
            Files.move(rewritten.resolve(stack), recorder.resolve(stack));
        }
        Files.delete(rewritten);
    }
}
