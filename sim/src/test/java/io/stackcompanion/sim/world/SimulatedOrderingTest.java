package io.stackcompanion.sim.world;

import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.message.MessageRequest;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Propagate;
import io.stackcompanion.node.message.Reject;
import io.stackcompanion.node.message.ReqAck;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.scenario.Cluster;
import io.stackcompanion.sim.world.SimulatedPool.ClientMessage;
import io.stackcompanion.node.scenario.SimulatedCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ordering protocol on a simulated pool, what a client and an operator would see, and the
 * simulator's own promises: the same seed gives the same run, and a core fed a traced node's inputs
 * through the seam sends what it sent. The fault scenarios run on every kind of cluster, in
 * {@code io.stackcompanion.node.scenario}.
 */
class SimulatedOrderingTest {
    private static final NodeConfig CONFIG = NodeConfig.defaults();
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void fourNodesOrderEveryRequestOnceWithIdenticalLedgers() {
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 7, CONFIG)) {
            pool.startAll();
            SimClient client = new SimClient(1);
            List<Request> sent = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                Request r = client.put("k" + i, "v" + i);
                sent.add(r);
                toAll(pool, "c1", r);
                pool.runFor(1);
            }
            pool.runFor(2_000);

            List<Status> statuses = pool.names().stream().map(n -> pool.core(n).status()).toList();
            assertThat(statuses).extracting(Status::ledgerSize).containsOnly(250L);
            assertThat(statuses).extracting(Status::ledgerRoot).hasSize(4).containsOnly(statuses.get(0).ledgerRoot());
            assertThat(statuses).extracting(Status::primary).containsOnly("Node1");

            // Every request: an ack and a reply from every node, and all replies for it agree.
            Map<Long, List<Reply>> replies = replies(pool).stream()
                    .collect(Collectors.groupingBy(Reply::reqId, TreeMap::new, Collectors.toList()));
            assertThat(replies).hasSize(250);
            replies.values().forEach(rs -> {
                assertThat(rs).hasSize(4);
                assertThat(rs.stream().map(r -> r.seqNo() + "/" + r.txnHash()).distinct()).hasSize(1);
            });
            assertThat(replies.values().stream().map(rs -> rs.get(0).seqNo()).distinct()).hasSize(250);
            assertThat(pool.clientInbox().stream().filter(m -> m.message() instanceof ReqAck)).hasSize(1000);
        }
    }

    @Test
    void aDuplicateRequestIsOrderedOnceAndAnsweredAgainWithTheSameReply() {
        Request r = new SimClient(2).put("k", "v");
        try (SimulatedPool pool = sentToAll(8, List.of("c1", "c2"), r)) {
            assertThat(pool.core("Node3").status().ledgerSize()).isEqualTo(1);
            List<Reply> replies = replies(pool);
            assertThat(replies).hasSize(8);
            assertThat(replies.stream().distinct()).hasSize(1);
        }
    }

    @Test
    void aBadSignatureIsRejectedAndNothingIsOrdered() {
        Request good = new SimClient(3).put("k", "v");
        Request forged = new Request(good.identifier(), good.reqId(), Operation.put("k", "stolen"), good.signature());
        try (SimulatedPool pool = sentToAll(9, List.of("c1"), forged)) {
            assertThat(pool.clientInbox()).hasSize(4).allMatch(m -> m.message() instanceof Reject);
            assertThat(((Reject) pool.clientInbox().get(0).message()).reason()).isEqualTo("bad signature");
            assertThat(pool.core("Node1").status().ledgerSize()).isZero();
        }
    }

    /** A started pool that got {@code r} on every node over each of {@code connections} in turn, half a second apart. */
    private SimulatedPool sentToAll(long seed, List<String> connections, Request r) {
        SimulatedPool pool = new SimulatedPool(dir, 4, seed, CONFIG);
        pool.startAll();
        for (String c : connections) {
            toAll(pool, c, r);
            pool.runFor(500);
        }
        return pool;
    }

    /**
     * The same seed gives the same run, event for event, through a stop, a restart with catch-up and a
     * view change; the restarted node's two lives, fed to fresh cores through the seam, send the same.
     */
    @Test
    void theSameSeedGivesTheSameRunEventForEventAndItsRestartedNodeReplaysThroughTheSeam() {
        List<SimulatedPool.Trace> first = faultyRun(dir.resolve("a"));
        List<SimulatedPool.Trace> second = faultyRun(dir.resolve("b"));
        assertThat(first).hasSizeGreaterThan(1000);
        assertThat(second.stream().map(SimulatedPool.Trace::toString).toList())
                .isEqualTo(first.stream().map(SimulatedPool.Trace::toString).toList());
        assertThat(first.stream().map(SimulatedPool.Trace::toString)).anyMatch(w -> w.contains("\"op\":\"NEW_VIEW\""))
                .anyMatch(w -> w.contains("\"op\":\"CATCHUP_REP\""));

        // Node4 lived twice (stopped, restarted, caught up): feed both lives to fresh cores on one store.
        List<String> expected = SeamReplay.sends(first, "Node4");
        List<String> actual = SeamReplay.refeed(first, "Node4", faultyRunGenesis, CONFIG, dir.resolve("again"),
                NodeSigner.of(SimulatedPool.deterministicKeys(26 * 1000 + 4))).sends();
        assertThat(expected).hasSizeGreaterThan(100);
        assertThat(actual).isEqualTo(expected);
        assertThat(actual).anyMatch(s -> s.contains("LEDGER_STATUS")).anyMatch(s -> s.contains("\"op\":\"VIEW_CHANGE\""));
    }

    /**
     * The replay principle on one core: feed a fresh core on fresh data the inputs Node2 saw, at the
     * times it saw them, through the seam, and it sends exactly what Node2 sent.
     */
    @Test
    void oneCoreFedTheSameInputsThroughTheSeamSendsTheSameOutputs() {
        List<SimulatedPool.Trace> trace;
        PoolGenesis genesis;
        try (SimulatedPool pool = new SimulatedPool(dir.resolve("live"), 4, 11, CONFIG)) {
            pool.startAll();
            load(pool, new SimClient(5), 120);
            trace = List.copyOf(pool.trace());
            genesis = pool.genesis();
        }
        List<String> expectedSends = SeamReplay.sends(trace, "Node2");
        assertThat(expectedSends).hasSizeGreaterThan(300);
        SeamReplay.Result again = SeamReplay.refeed(trace, "Node2", genesis, CONFIG, dir.resolve("again"),
                NodeSigner.of(SimulatedPool.deterministicKeys(11 * 1000 + 2)));
        assertThat(again.lastStatus().ledgerSize()).isEqualTo(120);
        assertThat(again.sends()).isEqualTo(expectedSends);
    }

    private PoolGenesis faultyRunGenesis;

    /** Node4 stopped and restarted (it catches up), then the primary stopped (a view change), under load. */
    private List<SimulatedPool.Trace> faultyRun(Path d) {
        try (SimulatedCluster c = new SimulatedCluster(d, 4, 26, CONFIG)) {
            c.startAll();
            c.load(40, 500).finish(PATIENCE);
            c.stop("Node4");
            c.load(60, 500).finish(PATIENCE);
            c.restart("Node4");
            c.runFor(Duration.ofSeconds(1));
            c.stop("Node1");
            c.load(40, 500).finish(PATIENCE);
            c.await("Node4 in the new view with the others' ledger", PATIENCE, () -> {
                Map<String, Cluster.NodeState> s = c.states();
                return s.get("Node4").view() >= 1 && s.get("Node4").ledgerSize() == 140
                        && s.get("Node4").ledgerRoot().equals(s.get("Node2").ledgerRoot());
            });
            faultyRunGenesis = c.pool().genesis();
            return List.copyOf(c.pool().trace());
        }
    }

    /**
     * Plenum's MESSAGE_REQUEST: with one node down, a replica whose PRE-PREPARE names a request it
     * never got (the client did not send it there, and the PROPAGATEs to it were lost) is needed for
     * the quorum; it asks its peers for the request and the batch is ordered at once, instead of the
     * pool stalling until a view change.
     */
    @Test
    void aReplicaLackingABatchsRequestAsksItsPeersForItAndTheBatchIsOrdered() {
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 9, CONFIG)) {
            pool.startAll();
            pool.runFor(2_000);
            pool.stop("Node3");
            long lossUntil = pool.now() + 100_000_000L;
            List<String> asked = new ArrayList<>();
            pool.network((from, to, message, payload, delivery) -> {
                if (message instanceof MessageRequest) {
                    asked.add(from + "->" + to);
                }
                if (!(message instanceof Propagate && to.equals("Node4") && pool.now() < lossUntil)) {
                    delivery.after(pool.linkDelay(), payload);
                }
            });
            Request r = new SimClient(3).put("k", "v");
            long sentAt = pool.now();
            pool.clientSend("Node1", "c1", r);
            pool.clientSend("Node2", "c1", r);
            pool.runFor(1_000);

            assertThat(asked).as("Node4 asked the nodes it is connected to").containsExactly("Node4->Node1", "Node4->Node2");
            for (String n : List.of("Node1", "Node2", "Node4")) {
                assertThat(pool.core(n).status().ledgerSize()).as(n).isEqualTo(1);
            }
            assertThat(replies(pool)).as("the client's replies, within a second").hasSize(2).extracting(Reply::seqNo).containsOnly(1L);
            assertThat(pool.clientInbox().stream().filter(m -> m.message() instanceof Reply).mapToLong(ClientMessage::time).max().orElseThrow() - sentAt)
                    .as("nanoseconds from the request to its last reply").isLessThan(1_000_000_000L);
        }
    }

    private static void toAll(SimulatedPool pool, String connection, Request r) {
        pool.names().forEach(n -> pool.clientSend(n, connection, r));
    }

    private static List<Reply> replies(SimulatedPool pool) {
        return pool.clientInbox().stream().filter(m -> m.message() instanceof Reply).map(m -> (Reply) m.message()).toList();
    }

    private static void load(SimulatedPool pool, SimClient client, int requests) {
        for (int i = 0; i < requests; i++) {
            toAll(pool, "c1", client.put("k" + i, "value-" + i));
            pool.runFor(2);
        }
        pool.runFor(2_000);
    }
}
