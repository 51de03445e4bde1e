package io.stackcompanion.replay;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.sim.SimClient;
import io.stackcompanion.node.sim.SimulatedPool;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
        try (SimulatedPool sim = new SimulatedPool(pool.resolve("data"), 4, seed, NodeConfig.defaults())) {
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
                sim.runFor(20);
            }
            sim.runFor(1_000);
            sim.stop(node);
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
}
