package io.stackcompanion.replay;

import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.sim.world.SimClient;
import io.stackcompanion.sim.world.SimulatedPool;
import io.stackcompanion.recorder.EventCursor;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.RecordingReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node is killed after its recording took an input and before its store committed what that input
 * ordered: the restarted node's ledger lacks a batch that a replay of the recorded input orders. The
 * replay must still reproduce the original, from the store the node restarted with. The simulator
 * finds such an input in one run and kills the node right there in a second run with the same seed
 * (same seed, same run, event for event), so the kill lands exactly between record and commit.
 */
class ReplayAcrossKillTest {
    private static final long SEED = 21;
    private static final String NODE = "Node2";
    private static final NodeConfig CONFIG = NodeConfig.defaults();

    @TempDir
    Path dir;
    /** The base dir of the pool whose Node2 was killed: its data folders are {@code data/<node>/}. */
    private Path pool;

    @BeforeEach
    void recordAPoolWhoseNode2IsKilledBetweenRecordAndCommit() throws Exception {
        long orderingInput = firstInputThatOrdersAfterTheFirstRequests(dir.resolve("probe"));
        pool = dir.resolve("pool");
        try (SimulatedPool sim = new SimulatedPool(pool.resolve("data"), 4, SEED, CONFIG)) {
            Files.createDirectories(pool);
            sim.genesis().write(pool.resolve(PoolGenesis.FILE_NAME));
            sim.record(NODE);
            sim.killBeforeInput(NODE, orderingInput);
            SimClient client = new SimClient(SEED);
            sim.startAll();
            sim.runFor(100);
            send(sim, client, 20);
            assertThat(sim.isUp(NODE)).as("killed before input " + orderingInput).isFalse();
            sim.runFor(500);
            sim.restart(NODE);
            send(sim, client, 10);
            sim.runFor(5_000);
            assertThat(sim.store(NODE).ledger().size()).as("the restarted node caught up").isEqualTo(30);
            sim.stop(NODE);
        }
        Path recorder = recorder();
        assertThat(kinds(recorder)).containsSubsequence(EventKind.STARTED, EventKind.UNCLEAN_STOP, EventKind.STARTED,
                EventKind.STOPPED);
    }

    @Test
    void theReplayContinuesFromTheStoreTheKilledNodeRestartedWithAndMatches() throws Exception {
        try (Stream<Path> states = Files.list(recorder().resolve(NodeRecording.RESTART_STATES))) {
            assertThat(states.toList()).as("a checkpoint of the store the node restarted with").hasSize(1);
        }
        Verdict v = replay(pool);
        assertThat(v.firstDivergence()).isNull();
        assertThat(v.matches()).isTrue();
        assertThat(v.ledgerSize()).isEqualTo(30);
    }

    @Test
    void anArchiveCarriesTheRestartStateAndReplaysToAMatch() throws Exception {
        Path archive = dir.resolve("rec.tar.gz");
        CollectRecordingsTest.Run collected = CollectRecordingsTest.collect("--base-dir", pool.toString(), "--out", archive.toString());
        assertThat(collected.exit()).as(collected.toString()).isZero();
        CollectRecordingsTest.Run replayed = CollectRecordingsTest.replay("--recording", archive.toString(), "--node", NODE, "--json");
        assertThat(replayed.exit()).as(replayed.toString()).isZero();
        assertThat(replayed.out()).contains("\"matches\":true");
    }

    @Test
    void withoutTheRestartStateTheReplayRefusesNamingIt() throws Exception {
        FileTrees.delete(recorder().resolve(NodeRecording.RESTART_STATES));
        assertThatThrownBy(() -> replay(pool)).isInstanceOf(ReplayException.class)
                .hasMessageContaining("the restart state named by the STARTED event")
                .hasMessageContaining(NodeRecording.RESTART_STATES)
                .hasMessageContaining("is missing");
    }

    private Path recorder() {
        return pool.resolve("data").resolve(NODE).resolve(NodeRecording.FOLDER);
    }

    private Verdict replay(Path base) {
        try (Replayer replayer = new Replayer(RecordingSource.find(base, NODE), Replayer.Options.defaults(),
                dir.resolve("work-" + System.nanoTime()))) {
            return replayer.run(i -> { });
        }
    }

    /** Runs the scenario once, unkilled, and returns the index of the input of Node2 that first grows its ledger. */
    private static long firstInputThatOrdersAfterTheFirstRequests(Path dir) {
        AtomicLong found = new AtomicLong(-1);
        try (SimulatedPool sim = new SimulatedPool(dir, 4, SEED, CONFIG)) {
            sim.record(NODE); // recording changes nothing the cores see; the second run records too
            long[] size = {0};
            sim.afterEachInput((node, index) -> {
                if (!node.equals(NODE)) {
                    return;
                }
                long now = sim.store(NODE).ledger().size();
                if (now > size[0] && size[0] >= 5 && found.get() < 0) {
                    found.set(index);
                }
                size[0] = now;
            });
            SimClient client = new SimClient(SEED);
            sim.startAll();
            sim.runFor(100);
            send(sim, client, 20);
        }
        assertThat(found.get()).as("an input of " + NODE + " that ordered a batch").isPositive();
        return found.get();
    }

    private static void send(SimulatedPool sim, SimClient client, int n) {
        for (int i = 0; i < n; i++) {
            Request r = client.put("key", "v" + i);
            for (String node : sim.names()) {
                if (sim.isUp(node)) {
                    sim.clientSend(node, "c1", r);
                }
            }
            sim.runFor(20);
        }
        sim.runFor(1_000);
    }

    private static long ledgerSize(SimulatedPool sim, String node) {
        return sim.store(node).ledger().size();
    }

    private static List<EventKind> kinds(Path recorder) {
        List<EventKind> kinds = new ArrayList<>();
        try (RecordingReader r = RecordingReader.open(recorder.resolve(NodeRecording.NODE_STACK));
             EventCursor events = r.iterator()) {
            while (events.hasNext()) {
                kinds.add(events.next().kind());
            }
        }
        return kinds;
    }
}
