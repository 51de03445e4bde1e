package io.stackcompanion.node.sim;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reject;
import io.stackcompanion.node.message.ReqAck;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The ordering protocol on a simulated pool: what a client and an operator would see. */
class SimulatedOrderingTest {
    private static final NodeConfig CONFIG = NodeConfig.defaults();

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
                for (String n : pool.names()) {
                    pool.clientSend(n, "c1", r);
                }
                pool.runFor(1);
            }
            pool.runFor(2_000);

            List<Status> statuses = pool.names().stream().map(n -> pool.core(n).status()).toList();
            assertThat(statuses).extracting(Status::ledgerSize).containsOnly(250L);
            assertThat(statuses).extracting(Status::ledgerRoot).hasSize(4).containsOnly(statuses.get(0).ledgerRoot());
            assertThat(statuses).extracting(Status::primary).containsOnly("Node1");

            // Every request: an ack and a reply from every node, and all replies for it agree.
            Map<Long, List<Reply>> replies = pool.clientInbox().stream()
                    .filter(m -> m.message() instanceof Reply)
                    .map(m -> (Reply) m.message())
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
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 8, CONFIG)) {
            pool.startAll();
            SimClient client = new SimClient(2);
            Request r = client.put("k", "v");
            pool.names().forEach(n -> pool.clientSend(n, "c1", r));
            pool.runFor(500);
            pool.names().forEach(n -> pool.clientSend(n, "c2", r));
            pool.runFor(500);

            assertThat(pool.core("Node3").status().ledgerSize()).isEqualTo(1);
            List<Reply> replies = pool.clientInbox().stream().filter(m -> m.message() instanceof Reply)
                    .map(m -> (Reply) m.message()).toList();
            assertThat(replies).hasSize(8);
            assertThat(replies.stream().distinct()).hasSize(1);
        }
    }

    @Test
    void aBadSignatureIsRejectedAndNothingIsOrdered() {
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 9, CONFIG)) {
            pool.startAll();
            SimClient client = new SimClient(3);
            Request good = client.put("k", "v");
            Request forged = new Request(good.identifier(), good.reqId(), Operation.put("k", "stolen"), good.signature());
            pool.names().forEach(n -> pool.clientSend(n, "c1", forged));
            pool.runFor(500);

            assertThat(pool.clientInbox()).hasSize(4).allMatch(m -> m.message() instanceof Reject);
            assertThat(((Reject) pool.clientInbox().get(0).message()).reason()).isEqualTo("bad signature");
            assertThat(pool.core("Node1").status().ledgerSize()).isZero();
        }
    }

    @Test
    void oneNodeDownTheOthersKeepOrdering() {
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 10, CONFIG)) {
            for (String n : List.of("Node1", "Node2", "Node3")) {
                pool.start(n);
            }
            SimClient client = new SimClient(4);
            for (int i = 0; i < 50; i++) {
                Request r = client.put("k" + i, "v");
                pool.names().forEach(n -> pool.clientSend(n, "c1", r));
            }
            pool.runFor(1_000);
            assertThat(pool.core("Node2").status().ledgerSize()).isEqualTo(50);
            assertThat(pool.core("Node3").status().ledgerRoot()).isEqualTo(pool.core("Node1").status().ledgerRoot());
        }
    }

    @Test
    void theSameSeedGivesTheSameRunEventForEvent() {
        List<String> first = runAndTrace(dir.resolve("a"));
        List<String> second = runAndTrace(dir.resolve("b"));
        assertThat(first).hasSizeGreaterThan(1000);
        assertThat(second).isEqualTo(first);
    }

    /**
     * The replay principle on one core: feed a fresh core on fresh data the inputs Node2 saw, at the
     * times it saw them, through the seam, and it sends exactly what Node2 sent.
     */
    @Test
    void oneCoreFedTheSameInputsThroughTheSeamSendsTheSameOutputs() {
        List<SimulatedPool.Trace> trace;
        var genesis = (io.stackcompanion.node.config.PoolGenesis) null;
        try (SimulatedPool pool = new SimulatedPool(dir.resolve("live"), 4, 11, CONFIG)) {
            pool.startAll();
            load(pool, new SimClient(5), 120);
            trace = List.copyOf(pool.trace());
            genesis = pool.genesis();
        }
        List<String> expectedSends = SeamReplay.sends(trace, "Node2");
        assertThat(expectedSends).hasSizeGreaterThan(300);
        SeamReplay.Result again = SeamReplay.refeed(trace, "Node2", genesis, CONFIG, dir.resolve("again"));
        assertThat(again.lastStatus().ledgerSize()).isEqualTo(120);
        assertThat(again.sends()).isEqualTo(expectedSends);
    }

    private List<String> runAndTrace(Path d) {
        try (SimulatedPool pool = new SimulatedPool(d, 4, 12, CONFIG)) {
            pool.startAll();
            load(pool, new SimClient(6), 100);
            return pool.trace().stream().map(SimulatedPool.Trace::toString).toList();
        }
    }

    private static void load(SimulatedPool pool, SimClient client, int requests) {
        for (int i = 0; i < requests; i++) {
            Request r = client.put("k" + i, "value-" + i);
            pool.names().forEach(n -> pool.clientSend(n, "c1", r));
            pool.runFor(2);
        }
        pool.runFor(2_000);
    }
}
