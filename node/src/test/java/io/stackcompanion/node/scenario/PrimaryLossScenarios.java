package io.stackcompanion.node.scenario;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The primary lost under load: a third of the load ordered, the primary goes (stopped, or SIGKILLed
 * where the cluster has processes), the others change view and order the rest, every request once;
 * the old primary restarts on its data, catches up, and orders again in the new view. Prints the
 * view change and catch-up times in the cluster's time.
 */
abstract class PrimaryLossScenarios extends ClusterScenario {
    /** The load: {@code requests} at {@code rate} per second, then {@code after} more once the old primary is back. */
    protected record Load(int requests, int rate, int after) {
    }

    protected abstract Load load();

    /** How the primary is lost: stopped unless the subclass says otherwise. */
    protected void losePrimary(Cluster c, String node) {
        c.stop(node);
    }

    @Test
    void thePrimaryLostUnderLoadTheViewChangesEveryRequestIsOrderedOnceAndItCatchesUpWhenBack() {
        Cluster c = startCluster(4, 21);
        Load load = load();
        Workload first = c.load(load.requests(), load.rate());
        c.await("a third of the requests ordered", patience(), () -> ledgerSize(c, "Node2") >= load.requests() / 3);

        long sizeAtLoss = ledgerSize(c, "Node2");
        long lostAt = c.millis();
        losePrimary(c, "Node1");
        // Time from the loss to the first batch ordered in the new view (seen through the nodes' status).
        long[] sizeAtNewView = {-1};
        c.await("a batch ordered in a view after 0", patience(), () -> {
            Cluster.NodeState s = c.state("Node2").orElse(null);
            if (s == null || s.view() < 1) {
                return false;
            }
            if (sizeAtNewView[0] < 0) {
                sizeAtNewView[0] = Math.max(sizeAtLoss, s.ledgerSize());
                return s.ledgerSize() == load.requests(); // everything ordered before this poll saw the new view
            }
            return s.ledgerSize() > sizeAtNewView[0];
        });
        System.out.printf("view change (%s): the first batch of the new view was ordered %d ms after the primary was lost"
                + " (with %d of %d requests ordered)%n", c.kind(), c.millis() - lostAt, sizeAtLoss, load.requests());

        Workload.Outcome ordered = first.finish(patience());
        List<String> live = List.of("Node2", "Node3", "Node4");
        awaitSameLedgers(c, live, load.requests());
        int view = assertSameViewAtLeast(c, live, 1);
        assertOrderedExactlyOnce(c, "Node2", ordered);

        c.restart("Node1");
        long restartedAt = c.millis();
        c.await("Node1 caught up with the pool's ledger and view", patience(), () -> {
            Map<String, Cluster.NodeState> s = c.states();
            return s.containsKey("Node1") && s.get("Node1").ledgerSize() == load.requests()
                    && s.get("Node1").ledgerRoot().equals(s.get("Node2").ledgerRoot()) && s.get("Node1").view() == view;
        });
        System.out.printf("restart (%s): Node1 had the pool's ledger %d ms after its restart returned%n", c.kind(), c.millis() - restartedAt);

        Workload.Outcome again = ordered(c, load.after(), load.rate());
        awaitSameLedgers(c, c.names(), load.requests() + load.after());
        assertThat(assertSameViewAtLeast(c, c.names(), 1)).isEqualTo(view);
        assertOrderedExactlyOnce(c, "Node1", ordered, again);
        afterScenario(c);
    }

    /** What else the kind of cluster can tell once the scenario passed (failures of in-process cores, logs). */
    protected void afterScenario(Cluster c) {
    }

    @Override
    protected Duration patience() {
        return Duration.ofSeconds(120);
    }
}
