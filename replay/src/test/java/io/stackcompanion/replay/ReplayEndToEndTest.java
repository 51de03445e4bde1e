package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.config.ConfigKey;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.pool.LocalPool;
import io.stackcompanion.node.pool.LocalPoolExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Record a pool of real nodes (real sockets, real RocksDB), then replay each node alone from its
 * recording: every verdict must match. The tests that only read a recording of steady load share one
 * ({@link #steady}, recorded once for the class: a replay works on a copy and changes nothing); those
 * whose recording must hold a fault record their own.
 */
class ReplayEndToEndTest {
    private static final NodeConfig RECORDING = NodeConfig.defaults().with(ConfigKey.STACK_COMPANION, "1");
    private static final int STEADY_REQUESTS = 300;

    @RegisterExtension
    static final LocalPoolExtension pools = new LocalPoolExtension();
    /** A pool that ordered {@link #STEADY_REQUESTS} from two clients, then stopped cleanly. */
    private static LocalPool steady;

    @BeforeAll
    static void recordSteadyLoad() throws Exception {
        steady = pools.start(4, RECORDING);
        order(List.of(steady.newClient(), steady.newClient()), STEADY_REQUESTS);
        steady.awaitLedgerSize(STEADY_REQUESTS, Duration.ofSeconds(60));
        steady.close();
    }

    @Test
    void steadyLoadEveryNodeReplaysToAMatch() throws Exception {
        for (String node : steady.names()) {
            Run r = replay("--recording", steady.baseDir().toString(), "--node", node, "--json");
            assertThat(r.exit).as(r.output).isZero();
            JsonNode v = r.verdict();
            assertThat(v.get("matches").asBoolean()).as(r.output).isTrue();
            assertThat(v.get("ledgerSize").asLong()).isEqualTo(STEADY_REQUESTS);
            assertThat(v.get("events").asLong()).isGreaterThan(1000);
        }
    }

    @Test
    void aNodeStoppedWhileThePoolMovesOnAndRestartedReplaysToAMatch() throws Exception {
        LocalPool pool = pools.start(4, RECORDING);
        Client client = pool.newClient();
        order(List.of(client), 50);
        pool.stop("Node4");
        order(List.of(client), 50);
        pool.start("Node4");
        pool.awaitConnected(Duration.ofSeconds(30));
        order(List.of(client), 50);
        pool.close();

        assertEveryNodeReplaysToAMatch(pool, -1);
    }

    @Test
    void aLostPrimaryAViewChangeAndItsCatchUpReplayToAMatchAlsoSanitized(@TempDir Path tmp) throws Exception {
        LocalPool pool = pools.start(4, RECORDING);
        Client client = pool.newClient();
        order(List.of(client), 100);
        pool.stop("Node1"); // the primary of view 0
        order(List.of(client), 100);
        assertThat(pool.status("Node2").orElseThrow().viewNo()).isGreaterThanOrEqualTo(1);
        pool.start("Node1");
        pool.awaitConnected(Duration.ofSeconds(30));
        order(List.of(client), 50);
        pool.awaitLedgerSize(250, Duration.ofSeconds(60));
        pool.close();

        assertEveryNodeReplaysToAMatch(pool, 250);

        // The NEW_VIEW carried the signed VIEW_CHANGEs it was computed from; the replayed nodes, which
        // have no secret keys, signed theirs as recorded, and took the NEW_VIEW after checking it.
        String export = SanitizedRecordingTest.export(pool.baseDir().resolve("data/Node3/recorder"));
        String newView = export.lines().filter(l -> l.contains("\"op\":\"NEW_VIEW\"")).findFirst().orElseThrow();
        assertThat(newView).contains("\"viewChanges\":[{\"op\":\"VIEW_CHANGE\"", "\"signature\":\"");
        // So do they from a sanitized copy, whose VIEW_CHANGEs are signed again by keys derived from the secret.
        Path sanitized = tmp.resolve("sanitized");
        CollectRecordingsTest.Run s = SanitizedRecordingTest.sanitize(pool.baseDir(), sanitized, tmp.resolve("sanitize.key"));
        assertThat(s.exit()).as(s.toString()).isZero();
        for (String node : pool.names()) {
            CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", sanitized.toString(), "--node", node, "--json");
            assertThat(r.exit()).as(node + ": " + r).isZero();
            assertThat(r.out()).contains("\"matches\":true", "\"ledgerSize\":250").doesNotContain("recorded before VIEW_CHANGEs were signed");
        }
    }

    /**
     * A real link cut: the kernel aborts the TCP connection Node1 dialled to Node2 ({@code ss -K}),
     * both see the disconnect, Node1 re-dials. Every node's replay must reproduce it.
     */
    @Test
    void aLinkCutAndRestoredReplaysToAMatch() throws Exception {
        LocalPool pool = pools.start(4, RECORDING);
        Client client = pool.newClient();
        order(List.of(client), 50);
        int node2Port = pool.genesis().node("Node2").orElseThrow().nodePort();
        Process ss = new ProcessBuilder("ss", "-K", "dst", "127.0.0.1", "dport", "=", ":" + node2Port)
                .redirectErrorStream(true).start();
        String ssOut = new String(ss.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assumptions.assumeTrue(ss.waitFor() == 0 && ssOut.contains("ESTAB"),
                "this machine cannot cut TCP connections with ss -K (needs root and INET_DIAG_DESTROY): " + ssOut);
        order(List.of(client), 50);
        pool.awaitConnected(Duration.ofSeconds(30));
        order(List.of(client), 50);
        pool.close();

        assertEveryNodeReplaysToAMatch(pool, -1);
        // The cut is in the recording: Node2 lost Node1 and got it back.
        try (var reader = io.stackcompanion.recorder.RecordingReader.open(pool.baseDir().resolve("data/Node2/recorder/node"))) {
            var kinds = io.stackcompanion.recorder.RecordingStats.of(reader).eventsPerKind();
            assertThat(kinds.get(io.stackcompanion.recorder.EventKind.DISCONNECTED)).isGreaterThanOrEqualTo(1);
            assertThat(kinds.get(io.stackcompanion.recorder.EventKind.CONNECTED)).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void theReplayTakesTheSignatureVerdictsTheNodesRecorded() throws Exception {
        Run r = replay("--recording", steady.baseDir().toString(), "--node", "Node2", "--json");
        assertThat(r.exit).as(r.output).isZero();
        String notes = r.verdict().get("notes").toString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("signatures: the replay took (\\d+) verdicts the node recorded"
                + " .*and verified (\\d+) signatures itself").matcher(notes);
        assertThat(m.find()).as(notes).isTrue();
        long taken = Long.parseLong(m.group(1));
        long verified = Long.parseLong(m.group(2));
        // Every request reached Node2 from a client and in PROPAGATEs, and was verified once, on the thread of
        // whichever stack met it first; the core verifies only a copy that overtook the claimed one.
        assertThat(taken + verified).isGreaterThanOrEqualTo(STEADY_REQUESTS);
        assertThat(verified).as("verified by the replayed core").isLessThan(STEADY_REQUESTS / 10);
    }

    @Test
    void theSameRecordingReplayedTwiceGivesTheSameVerdict() throws Exception {
        JsonNode first = replay("--recording", steady.baseDir().toString(), "--node", "Node2", "--json").verdict();
        JsonNode second = replay("--recording", steady.baseDir().toString(), "--node", "Node2", "--json").verdict();
        ((ObjectNode) first).remove("replaySeconds");
        ((ObjectNode) second).remove("replaySeconds");
        assertThat(second).isEqualTo(first);
        assertThat(first.get("matches").asBoolean()).isTrue();
    }

    @Test
    void thePrimaryReplaysTheRecordedBatchesEvenWithAnotherBatchConfiguration() throws Exception {
        Run r = replay("--recording", steady.baseDir().toString(), "--node", "Node1", "--json",
                "--set", "MAX_BATCH_WAIT_MS=1000", "--set", "MAX_BATCH_SIZE=3");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.verdict().get("matches").asBoolean()).isTrue();
        assertThat(r.verdict().get("ledgerSize").asLong()).isEqualTo(STEADY_REQUESTS);
    }

    @Test
    void realtimeModeKeepsTheRecordedIntervalsAndStillMatches() throws Exception {
        LocalPool pool = pools.start(4, RECORDING);
        Client client = pool.newClient();
        order(List.of(client), 10);
        Thread.sleep(1500); // an idle stretch the realtime replay must sit through
        order(List.of(client), 10);
        pool.close();

        Run r = replay("--recording", pool.baseDir().toString(), "--node", "Node2", "--json", "--mode", "realtime");
        assertThat(r.exit).as(r.output).isZero();
        JsonNode v = r.verdict();
        assertThat(v.get("matches").asBoolean()).isTrue();
        assertThat(v.get("mode").asText()).isEqualTo("realtime");
        // Pacing only ever waits: a realtime replay cannot take less wall time than the recording spans.
        assertThat(v.get("replaySeconds").asDouble()).isGreaterThanOrEqualTo(v.get("recordedSeconds").asDouble() * 0.99);
        assertThat(v.get("recordedSeconds").asDouble()).isGreaterThan(1.5);
    }

    @Test
    void untilEventStopsThereAndPrintsTheNodeState() throws Exception {
        LocalPool pool = steady;
        Run r = replay("--recording", pool.baseDir().toString(), "--node", "Node3", "--json", "--until-event", "40");
        assertThat(r.exit).as("STOPPED is neither MATCH (0) nor DIVERGED (1): " + r.output).isEqualTo(4);
        assertThat(r.output).contains("STOPPED at event 40").doesNotContain("MATCH");
        assertThat(r.verdict().get("outcome").asText()).isEqualTo("STOPPED");
        assertThat(r.verdict().get("matches").asBoolean()).isFalse();
        assertThat(r.verdict().get("stoppedAtEvent").asLong()).isEqualTo(40);
        assertThat(r.verdict().get("events").asLong()).isEqualTo(40);
        assertThat(r.verdict().get("state").get("name").asText()).isEqualTo("Node3");
        JsonNode recent = r.verdict().get("recentEvents");
        assertThat(recent.get(recent.size() - 1).get("index").asLong()).as("the last event fed before the stop").isEqualTo(39);

        long events = replayWhole(pool, "Node3");
        Run past = replay("--recording", pool.baseDir().toString(), "--node", "Node3", "--until-event", Long.toString(events));
        assertThat(past.exit).as(past.output).isEqualTo(2);
        assertThat(past.output).contains("--until-event " + events + " is past the recording's end", "numbered 0 to " + (events - 1));
    }

    private static long replayWhole(LocalPool pool, String node) throws Exception {
        Run whole = replay("--recording", pool.baseDir().toString(), "--node", node, "--json");
        assertThat(whole.exit).as(whole.output).isZero();
        return whole.verdict().get("events").asLong();
    }

    /** Replays every node of the recorded pool; each verdict must match (and end at {@code ledgerSize}, unless -1). */
    static void assertEveryNodeReplaysToAMatch(LocalPool pool, long ledgerSize) throws Exception {
        for (String node : pool.names()) {
            Run r = replay("--recording", pool.baseDir().toString(), "--node", node, "--json");
            assertThat(r.exit).as(r.output).isZero();
            assertThat(r.verdict().get("matches").asBoolean()).as(r.output).isTrue();
            if (ledgerSize >= 0) {
                assertThat(r.verdict().get("ledgerSize").asLong()).as(node).isEqualTo(ledgerSize);
            }
        }
    }

    static void order(List<Client> clients, int n) throws Exception {
        LocalPool.orderAll(clients, n);
    }

    record Run(int exit, String output, String errors) {
        JsonNode verdict() throws Exception {
            String last = output.strip().lines().reduce((x, y) -> y).orElseThrow();
            return Codec.mapper().readTree(last);
        }
    }

    static Run replay(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ReplayMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(exit, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }
}
