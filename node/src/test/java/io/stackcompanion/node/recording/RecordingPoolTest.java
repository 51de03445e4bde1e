package io.stackcompanion.node.recording;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.config.ConfigKey;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.pool.LocalPool;
import io.stackcompanion.node.pool.LocalPoolExtension;
import io.stackcompanion.node.tools.RecordingMain;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.RecordingReader;
import io.stackcompanion.recorder.RecordingStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** STACK_COMPANION=1 on a pool of real nodes: what an operator finds on disk afterwards. */
class RecordingPoolTest {
    private static final NodeConfig RECORDING = NodeConfig.defaults().with(ConfigKey.STACK_COMPANION, "1");

    @RegisterExtension
    final LocalPoolExtension pools = new LocalPoolExtension();

    @Test
    void everyNodeRecordsBothStacksWithStartsStopsAndTraffic() throws Exception {
        LocalPool pool = pools.start(4, RECORDING);
        order(pool.newClient(), 60);
        pool.awaitLedgerSize(60, Duration.ofSeconds(60));
        pool.close();

        for (String node : pool.names()) {
            Path rec = pool.baseDir().resolve("data").resolve(node).resolve("recorder");
            assertThat(rec.resolve("initial-state")).isDirectory();
            assertThat(rec.resolve("pool_genesis.json")).isRegularFile();
            Map<EventKind, Long> nodeKinds = kinds(rec.resolve("node"));
            Map<EventKind, Long> clientKinds = kinds(rec.resolve("client"));
            assertThat(nodeKinds.get(EventKind.STARTED)).as(node).isEqualTo(1);
            assertThat(nodeKinds.get(EventKind.STOPPED)).as(node).isEqualTo(1);
            assertThat(nodeKinds.get(EventKind.INITIAL_STATE)).as(node).isEqualTo(1);
            assertThat(nodeKinds.get(EventKind.CONNECTED)).as(node).isGreaterThanOrEqualTo(3);
            assertThat(nodeKinds.get(EventKind.INCOMING)).as(node).isGreaterThan(100);
            assertThat(nodeKinds.get(EventKind.OUTGOING)).as(node).isGreaterThan(60);
            assertThat(nodeKinds).doesNotContainKey(EventKind.UNCLEAN_STOP);
            // Clients: 60 requests in, at least an ack and a reply for each out.
            assertThat(clientKinds.get(EventKind.INCOMING)).as(node).isGreaterThanOrEqualTo(60);
            assertThat(clientKinds.get(EventKind.OUTGOING)).as(node).isGreaterThanOrEqualTo(120);
            assertThat(clientKinds.get(EventKind.CONNECTED)).as(node).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aRecordingIsAPlainRocksDbThatRocksdbjniAloneCanIterate() throws Exception {
        LocalPool pool = pools.start(4, RECORDING);
        order(pool.newClient(), 5);
        pool.close();

        Path client = pool.baseDir().resolve("data/Node2/recorder/client");
        RocksDB.loadLibrary();
        long events = 0;
        long previousTime = -1;
        try (Options options = new Options(); RocksDB db = RocksDB.openReadOnly(options, client.toString());
             RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                assertThat(it.key()).hasSize(16);
                long time = java.nio.ByteBuffer.wrap(it.key()).getLong();
                assertThat(time).isGreaterThanOrEqualTo(previousTime);
                previousTime = time;
                events++;
            }
        }
        assertThat(events).isGreaterThanOrEqualTo(15);
    }

    @Test
    void aRestartContinuesTheSameRecordingAndExportIsJsonLines() throws Exception {
        LocalPool pool = pools.start(4, RECORDING);
        Client client = pool.newClient();
        order(client, 10);
        pool.stop("Node3");
        pool.start("Node3");
        pool.awaitConnected(Duration.ofSeconds(30));
        order(client, 10);
        pool.close();

        Map<EventKind, Long> kinds = kinds(pool.baseDir().resolve("data/Node3/recorder/node"));
        assertThat(kinds.get(EventKind.STARTED)).isEqualTo(2);
        assertThat(kinds.get(EventKind.STOPPED)).isEqualTo(2);
        assertThat(kinds.get(EventKind.INITIAL_STATE)).isEqualTo(1);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = RecordingMain.run(new String[]{"export", pool.baseDir().resolve("data/Node3").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(exit).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSizeGreaterThan(50);
        List<String> ops = new ArrayList<>();
        for (String line : lines) {
            JsonNode event = Codec.mapper().readTree(line);
            assertThat(event.has("kind")).isTrue();
            if (event.path("payload").has("op")) {
                ops.add(event.path("payload").get("op").asText());
            }
        }
        // Messages are decoded so a person can read what they are about to hand over.
        assertThat(ops).contains("REQUEST", "REPLY", "PROPAGATE", "PREPARE", "COMMIT");

        ByteArrayOutputStream verifyOut = new ByteArrayOutputStream();
        assertThat(RecordingMain.run(new String[]{"verify", pool.baseDir().toString(), "--json"},
                new PrintStream(verifyOut, true, StandardCharsets.UTF_8), System.err)).isZero();
        String last = verifyOut.toString(StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(Codec.mapper().readTree(last).get("ok").asBoolean()).isTrue();
        assertThat(Codec.mapper().readTree(last).get("recordings")).hasSize(8);
    }

    private static void order(Client client, int n) throws Exception {
        LocalPool.orderAll(List.of(client), n);
    }

    private static Map<EventKind, Long> kinds(Path recording) {
        assertThat(Files.isDirectory(recording)).as(recording.toString()).isTrue();
        try (RecordingReader r = RecordingReader.open(recording)) {
            return RecordingStats.of(r).eventsPerKind();
        }
    }
}
