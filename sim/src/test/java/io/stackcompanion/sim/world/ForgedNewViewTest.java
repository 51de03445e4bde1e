package io.stackcompanion.sim.world;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.scenario.Cluster;
import io.stackcompanion.node.store.Ledger;
import io.stackcompanion.node.scenario.SimulatedCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attack a replica's NEW_VIEW check stops. Only Node3 gets the view-0 COMMITs from batch 3 on, so
 * only it orders those batches; the others time out and change to view 1, whose primary Node2 is
 * Byzantine: its NEW_VIEW leaves out the last of those batches and it proposes another batch at that
 * number. Replicas that take the NEW_VIEW on trust (the planted weakness) order that other batch, and
 * their ledger forks from Node3's; replicas that compute the NEW_VIEW again from its VIEW_CHANGEs
 * reject it, and the next primary re-orders what Node3 ordered.
 */
class ForgedNewViewTest {
    @TempDir
    Path dir;

    private record Outcome(Map<String, Cluster.NodeState> states, long firstDifference) {
    }

    /**
     * The first ledger position at which Node1 and Node3 hold different transactions (0: none, one
     * ledger is a prefix of the other).
     */
    private static long firstDifference(SimulatedPool pool) {
        Ledger a = pool.store("Node1").ledger();
        Ledger b = pool.store("Node3").ledger();
        long common = Math.min(a.size(), b.size());
        if (common == 0) {
            return 0;
        }
        List<byte[]> atA = a.txns(1, common);
        List<byte[]> atB = b.txns(1, common);
        for (int i = 0; i < common; i++) {
            if (!Arrays.equals(atA.get(i), atB.get(i))) {
                return i + 1;
            }
        }
        return 0;
    }

    private Outcome run(Path d, boolean skipCheck) {
        try (SimulatedCluster c = new SimulatedCluster(d, 4, 3, NodeConfig.defaults())) {
            SimulatedPool pool = c.pool();
            pool.plantLyingNewViews("Node2");
            if (skipCheck) {
                pool.plantSkipNewViewCheck();
            }
            Network honest = (from, to, message, payload, delivery) -> delivery.after(pool.linkDelay(), payload);
            pool.network((from, to, message, payload, delivery) -> {
                if (message instanceof Commit commit && commit.viewNo() == 0 && commit.ppSeqNo() >= 3 && !to.equals("Node3")) {
                    return; // lost
                }
                honest.carry(from, to, message, payload, delivery);
            });
            c.startAll();
            c.load(60, 200);
            c.await("a view change to view 1 or later", Duration.ofSeconds(120),
                    () -> c.states().values().stream().filter(s -> s.view() >= 1).count() >= 3);
            c.runFor(Duration.ofSeconds(60));
            return new Outcome(c.states(), firstDifference(pool));
        }
    }

    @Test
    void replicasThatCheckNewViewsStayInAgreementAndTheWeakenedOnesFork() {
        Outcome checked = run(dir.resolve("checked"), false);
        assertThat(checked.states().values()).extracting(Cluster.NodeState::ledgerRoot).as(checked.toString())
                .containsOnly(checked.states().get("Node3").ledgerRoot());
        assertThat(checked.states().get("Node3").ledgerSize()).isEqualTo(60);
        assertThat(checked.firstDifference()).isZero();
        assertThat(checked.states().get("Node1").view()).as("the forged NEW_VIEW of view 1 was rejected").isGreaterThanOrEqualTo(2);

        Outcome weakened = run(dir.resolve("weakened"), true);
        assertThat(weakened.firstDifference()).as("Node1's ledger forks from Node3's: " + weakened).isPositive();
    }
}
