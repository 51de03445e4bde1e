package io.stackcompanion.node.sim;

import io.stackcompanion.node.config.ConfigKey;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.core.Txn;
import io.stackcompanion.node.message.CatchupRep;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.store.NodeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults on a simulated pool: a lost primary, cut links, nodes down, restarts and catch-up, a forged
 * catch-up reply. What a client and an operator would see: every request ordered exactly once, every
 * acknowledged reply in the final ledger, identical ledgers, and the pool moving to a new view.
 */
class SimulatedFaultsTest {
    private static final NodeConfig CONFIG = NodeConfig.defaults();

    @TempDir
    Path dir;

    /** Sends requests like the real client: to every node, again to every node while no reply quorum came. */
    private static final class Load {
        final SimulatedPool pool;
        final SimClient client;
        final Map<Long, Request> sent = new LinkedHashMap<>();
        int next;

        Load(SimulatedPool pool, long seed) {
            this.pool = pool;
            this.client = new SimClient(seed);
        }

        void send(int requests, long gapMillis) {
            for (int i = 0; i < requests; i++) {
                Request r = client.put("k" + next, "value-" + next);
                next++;
                sent.put(r.reqId(), r);
                toAll(r);
                pool.runFor(gapMillis);
            }
        }

        void toAll(Request r) {
            for (String n : pool.names()) {
                if (pool.isUp(n)) {
                    pool.clientSend(n, "c" + client.identifier().hashCode(), r);
                }
            }
        }

        /** Replies per reqId, agreed by f+1 nodes (the client's quorum). */
        Map<Long, Reply> confirmed() {
            Map<Long, Map<String, Integer>> votes = new TreeMap<>();
            Map<String, Reply> byKey = new HashMap<>();
            for (SimulatedPool.ClientMessage m : pool.clientInbox()) {
                if (m.message() instanceof Reply r && r.identifier().equals(client.identifier())) {
                    String key = r.reqId() + "/" + r.seqNo() + "/" + r.txnHash();
                    byKey.put(key, r);
                    votes.computeIfAbsent(r.reqId(), x -> new TreeMap<>()).merge(key, 1, Integer::sum);
                }
            }
            Map<Long, Reply> out = new TreeMap<>();
            votes.forEach((reqId, keys) -> keys.forEach((k, n) -> {
                if (n >= 2) {
                    out.put(reqId, byKey.get(k));
                }
            }));
            return out;
        }

        /** Resends what has no reply quorum yet, as the client does after its resend timeout; runs the pool. */
        void settle(int rounds) {
            for (int i = 0; i < rounds; i++) {
                Map<Long, Reply> done = confirmed();
                sent.forEach((id, r) -> {
                    if (!done.containsKey(id)) {
                        toAll(r);
                    }
                });
                pool.runFor(3_000);
            }
        }
    }

    @Test
    void primaryStoppedUnderLoadTheViewChangesAndEveryRequestIsOrderedOnce() {
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 21, CONFIG)) {
            pool.startAll();
            pool.runFor(100);
            Load load = new Load(pool, 1);
            load.send(100, 2);
            pool.stop("Node1");
            load.send(200, 2);
            load.settle(8);

            List<String> live = List.of("Node2", "Node3", "Node4");
            assertThat(live).allSatisfy(n -> assertThat(pool.core(n).status().viewNo()).isGreaterThanOrEqualTo(1));
            assertSameLedgers(pool, live);
            assertOrderedExactlyOnce(pool, "Node2", load);

            // The old primary comes back on its data, catches up and orders again, in the new view.
            pool.restart("Node1");
            pool.runFor(5_000);
            load.send(20, 5);
            load.settle(3);
            assertSameLedgers(pool, pool.names());
            assertThat(pool.core("Node1").status().viewNo()).isEqualTo(pool.core("Node2").status().viewNo());
            assertOrderedExactlyOnce(pool, "Node1", load);
        }
    }

    @Test
    void primaryLinksCutWhileItRunsTheOthersChangeViewAndItRejoinsWhenHealed() {
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 22, CONFIG)) {
            pool.startAll();
            pool.runFor(100);
            Load load = new Load(pool, 2);
            load.send(50, 2);
            pool.setFirewall(e -> e.from().equals("Node1") || e.to().equals("Node1"));
            load.send(100, 2);
            load.settle(8);
            List<String> others = List.of("Node2", "Node3", "Node4");
            assertThat(others).allSatisfy(n -> assertThat(pool.core(n).status().viewNo()).isGreaterThanOrEqualTo(1));
            assertSameLedgers(pool, others);
            assertThat(pool.core("Node2").status().ledgerSize()).isEqualTo(150);

            pool.setFirewall(e -> false);
            load.send(50, 5);
            load.settle(4);
            assertSameLedgers(pool, pool.names());
            assertOrderedExactlyOnce(pool, "Node1", load);
            assertThat(pool.core("Node1").status().viewNo()).isEqualTo(pool.core("Node3").status().viewNo());
        }
    }

    @Test
    void fNodesDownTheRestKeepOrderingAndFPlusOneDownOrderingHaltsUntilOneReturns() {
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 23, CONFIG)) {
            pool.startAll();
            pool.runFor(100);
            Load load = new Load(pool, 3);
            load.send(40, 2);
            pool.stop("Node4");
            load.send(40, 2);
            load.settle(2);
            assertThat(pool.core("Node1").status().ledgerSize()).isEqualTo(80);
            assertSameLedgers(pool, List.of("Node1", "Node2", "Node3"));

            pool.stop("Node3");
            load.send(30, 2);
            load.settle(4);
            // Two of four cannot commit: nothing more is ordered, and what is there agrees.
            assertThat(pool.core("Node1").status().ledgerSize()).isEqualTo(80);
            assertSameLedgers(pool, List.of("Node1", "Node2"));

            pool.restart("Node4");
            load.settle(10);
            assertSameLedgers(pool, List.of("Node1", "Node2", "Node4"));
            assertThat(pool.core("Node4").status().ledgerSize()).isEqualTo(110);
            assertOrderedExactlyOnce(pool, "Node4", load);
        }
    }

    @Test
    void aNodeRestartedAfter500MoreRequestsCatchesUpAndThenOrders() {
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 24, CONFIG)) {
            pool.startAll();
            pool.runFor(100);
            Load load = new Load(pool, 4);
            load.send(30, 2);
            pool.stop("Node4");
            load.send(500, 1);
            load.settle(1);
            assertThat(pool.core("Node1").status().ledgerSize()).isEqualTo(530);

            pool.restart("Node4");
            pool.runFor(3_000);
            assertSameLedgers(pool, pool.names());
            long before = replies(pool, "Node4");
            load.send(25, 5);
            load.settle(1);
            assertSameLedgers(pool, pool.names());
            assertThat(pool.core("Node4").status().ledgerSize()).isEqualTo(555);
            assertThat(replies(pool, "Node4") - before).as("replies Node4 sent for new requests").isGreaterThanOrEqualTo(25);
            assertOrderedExactlyOnce(pool, "Node4", load);
        }
    }

    @Test
    void aCatchUpReplyWithAForgedTransactionIsRejectedAndCatchUpCompletesFromHonestPeers() {
        NodeConfig config = CONFIG.with(ConfigKey.CATCHUP_BATCH_SIZE, "40");
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 25, config)) {
            pool.startAll();
            pool.runFor(100);
            Load load = new Load(pool, 5);
            pool.stop("Node4");
            load.send(300, 1);
            load.settle(1);
            AtomicInteger forged = new AtomicInteger();
            pool.setRewriter(e -> {
                if (e.from().equals("Node2") && e.message() instanceof CatchupRep rep && !rep.txns().isEmpty()) {
                    forged.incrementAndGet();
                    List<String> txns = new ArrayList<>(rep.txns());
                    txns.set(0, txns.get(0).replace("\"value\":\"value-", "\"value\":\"forged-"));
                    return new CatchupRep(rep.from(), rep.targetSize(), txns, rep.hashes());
                }
                return e.message();
            });
            pool.restart("Node4");
            pool.runFor(10_000);
            assertThat(forged.get()).as("forged replies sent").isPositive();
            assertSameLedgers(pool, pool.names());
            assertThat(pool.store("Node4").state().get("k0")).isEqualTo("value-0");
        }
    }

    @Test
    void aRunWithAViewChangeAndACatchUpIsTheSameForTheSameSeedAndReplaysThroughTheSeam() {
        List<SimulatedPool.Trace> first = faultyRun(dir.resolve("a"));
        List<SimulatedPool.Trace> second = faultyRun(dir.resolve("b"));
        assertThat(second.stream().map(SimulatedPool.Trace::toString).toList())
                .isEqualTo(first.stream().map(SimulatedPool.Trace::toString).toList());
        assertThat(first.stream().map(SimulatedPool.Trace::toString)).anyMatch(w -> w.contains("\"op\":\"NEW_VIEW\""))
                .anyMatch(w -> w.contains("\"op\":\"CATCHUP_REP\""));

        // Node4 lived twice (stopped, restarted, caught up): feed both lives to fresh cores on one store.
        List<String> expected = SeamReplay.sends(first, "Node4");
        io.stackcompanion.node.config.PoolGenesis genesis;
        try (SimulatedPool g = new SimulatedPool(dir.resolve("g"), 4, 26, CONFIG)) {
            genesis = g.genesis();
        }
        List<String> actual = SeamReplay.refeed(first, "Node4", genesis, CONFIG, dir.resolve("again")).sends();
        assertThat(expected).hasSizeGreaterThan(100);
        assertThat(actual).isEqualTo(expected);
        assertThat(actual).anyMatch(s -> s.contains("LEDGER_STATUS")).anyMatch(s -> s.contains("\"op\":\"VIEW_CHANGE\""));
    }

    private List<SimulatedPool.Trace> faultyRun(Path d) {
        try (SimulatedPool pool = new SimulatedPool(d, 4, 26, CONFIG)) {
            pool.startAll();
            pool.runFor(100);
            Load load = new Load(pool, 6);
            load.send(40, 2);
            pool.stop("Node4");
            load.send(60, 2);
            pool.restart("Node4");
            pool.runFor(1_000);
            pool.stop("Node1");
            load.send(40, 2);
            load.settle(4);
            assertSameLedgers(pool, List.of("Node2", "Node3", "Node4"));
            assertThat(pool.core("Node4").status().viewNo()).isGreaterThanOrEqualTo(1);
            return List.copyOf(pool.trace());
        }
    }

    private static long replies(SimulatedPool pool, String node) {
        return pool.clientInbox().stream().filter(m -> m.node().equals(node) && m.message() instanceof Reply).count();
    }

    static void assertSameLedgers(SimulatedPool pool, List<String> nodes) {
        List<Status> statuses = nodes.stream().map(n -> pool.core(n).status()).toList();
        assertThat(statuses).extracting(Status::ledgerSize).as("ledger sizes of %s", nodes).containsOnly(statuses.get(0).ledgerSize());
        assertThat(statuses).extracting(Status::ledgerRoot).as("ledger roots of %s", nodes).containsOnly(statuses.get(0).ledgerRoot());
    }

    /** Every request sent is in the ledger exactly once, and every confirmed reply names its place there. */
    private static void assertOrderedExactlyOnce(SimulatedPool pool, String node, Load load) {
        NodeStore store = pool.store(node);
        long size = store.ledger().size();
        Map<Long, Long> seqNoByReqId = new TreeMap<>();
        for (byte[] leaf : size == 0 ? List.<byte[]>of() : store.ledger().txns(1, size)) {
            Txn txn;
            try {
                txn = Codec.mapper().readValue(leaf, Txn.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (txn.identifier().equals(load.client.identifier())) {
                assertThat(seqNoByReqId.put(txn.reqId(), txn.seqNo())).as("request %s ordered twice", txn.reqId()).isNull();
            }
        }
        assertThat(seqNoByReqId.keySet()).containsExactlyInAnyOrderElementsOf(load.sent.keySet());
        load.confirmed().forEach((reqId, reply) ->
                assertThat(seqNoByReqId.get(reqId)).as("seqNo of confirmed request %s", reqId).isEqualTo(reply.seqNo()));
        assertThat(load.confirmed()).hasSize(load.sent.size());
        assertThat(Operation.PUT).isNotNull();
    }
}
