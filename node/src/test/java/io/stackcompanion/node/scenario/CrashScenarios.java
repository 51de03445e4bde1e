package io.stackcompanion.node.scenario;

import io.stackcompanion.node.config.ConfigKey;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.CatchupRep;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nodes down and back: f down and the rest go on, f+1 down and ordering halts until one returns; a
 * node back after 500 requests catches up and orders again; a forged catch-up reply is refused and
 * catch-up completes from honest peers (this one needs the cluster's firewall and to read a node's
 * state).
 */
abstract class CrashScenarios extends ClusterScenario {
    @Test
    void fNodesDownTheRestKeepOrderingAndFPlusOneDownOrderingHaltsUntilOneReturns() {
        Cluster c = startCluster(4, 23);
        List<Workload.Outcome> before = orderedAcrossAStop(c, "Node4", 40, 40, 500);
        awaitSameLedgers(c, List.of("Node1", "Node2", "Node3"), 80);

        c.stop("Node3");
        Workload halted = c.load(30, 500);
        c.runFor(Duration.ofSeconds(12));
        // Two of four cannot commit: nothing more is ordered, and what is there agrees.
        assertThat(ledgerSize(c, "Node1")).isEqualTo(80);
        assertSameLedgers(c.states(), List.of("Node1", "Node2"));

        c.restart("Node4");
        Workload.Outcome third = halted.finish(patience());
        awaitSameLedgers(c, List.of("Node1", "Node2", "Node4"), 110);
        assertOrderedExactlyOnce(c, "Node4", before.get(0), before.get(1), third);
    }

    @Test
    void aNodeRestartedAfter500MoreRequestsCatchesUpAndThenOrders() {
        Cluster c = startCluster(4, 24);
        List<Workload.Outcome> before = orderedAcrossAStop(c, "Node4", 30, 500, 1000);
        assertThat(ledgerSize(c, "Node1")).isEqualTo(530);

        long restartedAt = c.millis();
        c.restart("Node4");
        awaitSameLedgers(c, c.names(), 530);
        System.out.printf("restart (%s): Node4 caught up 500 requests %d ms after its start%n", c.kind(), c.millis() - restartedAt);
        long repliesBefore = c.repliesSent("Node4").orElseThrow();
        Workload.Outcome after = ordered(c, 25, 200);
        awaitSameLedgers(c, c.names(), 555);
        assertThat(c.repliesSent("Node4").orElseThrow() - repliesBefore).as("replies Node4 sent for new requests").isGreaterThanOrEqualTo(25);
        assertOrderedExactlyOnce(c, "Node4", before.get(0), before.get(1), after);
    }

    /** Orders {@code before} requests on all nodes, stops {@code node}, orders {@code during} more without it. */
    private List<Workload.Outcome> orderedAcrossAStop(Cluster c, String node, int before, int during, int rate) {
        Workload.Outcome first = ordered(c, before, rate);
        c.stop(node);
        return List.of(first, ordered(c, during, rate));
    }

    @Test
    void aCatchUpReplyWithAForgedTransactionIsRejectedAndCatchUpCompletesFromHonestPeers() {
        Cluster c = startCluster(4, 25, NodeConfig.defaults().with(ConfigKey.CATCHUP_BATCH_SIZE, "40"));
        c.stop("Node4");
        ordered(c, 300, 1000);
        AtomicInteger forged = new AtomicInteger();
        c.firewall().from("Node2").type(CatchupRep.class).rewrite(m -> {
            CatchupRep rep = (CatchupRep) m;
            if (rep.txns().isEmpty()) {
                return m;
            }
            forged.incrementAndGet();
            List<String> txns = new ArrayList<>(rep.txns());
            txns.set(0, txns.get(0).replace("\"value\":\"value-", "\"value\":\"forged-"));
            return new CatchupRep(rep.from(), rep.targetSize(), txns, rep.hashes());
        });
        c.restart("Node4");
        awaitSameLedgers(c, c.names(), 300);
        assertThat(forged.get()).as("forged replies sent").isPositive();
        assertThat(c.stateValue("Node4", "k0")).contains("value-0");
    }
}
