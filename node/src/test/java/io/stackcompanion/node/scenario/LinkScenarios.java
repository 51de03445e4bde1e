package io.stackcompanion.node.scenario;

import io.stackcompanion.node.config.ConfigKey;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.Prepare;
import io.stackcompanion.node.message.Propagate;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults of the links between running nodes, made with the cluster's {@link io.stackcompanion.node.pool.Firewall}:
 * the primary cut off while it runs, then healed; messages duplicated and delayed by type. Only for
 * clusters with a firewall (the simulator, in-process).
 */
abstract class LinkScenarios extends ClusterScenario {
    /** Requests per second of the workloads. */
    protected int rate() {
        return 500;
    }

    @Test
    void thePrimaryCutOffWhileItRunsTheOthersChangeViewAndItRejoinsWhenHealed() {
        // A cut primary stays connected: the others notice only that requests are not ordered.
        Cluster c = startCluster(4, 22, NodeConfig.defaults().with(ConfigKey.ORDERING_TIMEOUT_MS, "2000"));
        Workload.Outcome before = ordered(c, 50, rate());
        c.firewall().cut("Node1");
        Workload.Outcome during = ordered(c, 100, rate());
        List<String> others = List.of("Node2", "Node3", "Node4");
        awaitSameLedgers(c, others, 150);
        int view = assertSameViewAtLeast(c, others, 1);

        c.firewall().heal();
        Workload.Outcome after = ordered(c, 50, rate() / 2);
        awaitSameLedgers(c, c.names(), 200);
        assertOrderedExactlyOnce(c, "Node1", before, during, after);
        assertThat(assertSameViewAtLeast(c, c.names(), view)).isEqualTo(view);
    }

    @Test
    void messagesDuplicatedAndDelayedByTypeEveryRequestIsStillOrderedOnce() {
        Cluster c = startCluster(4, 27);
        c.firewall().type(Propagate.class, Prepare.class, Commit.class).duplicate();
        c.firewall().from("Node3").type(Commit.class).delay(50);
        c.firewall().from("Node1").to("Node4").delay(20);
        Workload.Outcome o = ordered(c, 100, rate());
        awaitSameLedgers(c, c.names(), 100);
        assertOrderedExactlyOnce(c, "Node4", o);
        assertSameViewAtLeast(c, c.names(), 0);
    }
}
