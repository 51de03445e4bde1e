package io.stackcompanion.sim.world;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.scenario.Cluster;
import io.stackcompanion.node.scenario.SimulatedCluster;
import io.stackcompanion.node.scenario.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A primary that censors one client while it keeps ordering another's requests: the replicas see it
 * propose requests finalised well after the censored one, which waits, and vote for a new primary at
 * the ordering timeout (8 s by default), not after the three further timeouts that stand for a primary
 * that merely falls behind; the censored requests are then ordered in view 1. An honest primary under
 * the same load keeps its view.
 */
class CensorshipTest {
    private static final long ORDERING_TIMEOUT_MS = NodeConfig.defaults().settings().core().orderingTimeout().toMillis();

    @TempDir
    Path dir;

    private record Run(long firstViewChangeAfterMs, int lowestView, Workload.Outcome censored, Workload.Outcome other) {
    }

    private Run run(Path d, boolean censoring) {
        try (SimulatedCluster c = new SimulatedCluster(d, 4, 5, NodeConfig.defaults())) {
            if (censoring) {
                c.pool().plantCensoring("Node1"); // the primary of view 0
            }
            c.startAll();
            long start = c.millis();
            Workload censored = c.load(5, 50); // Node1 must cut this client's requests first: its victim
            c.runFor(Duration.ofMillis(300));
            Workload other = c.load(400, 20); // 20 s of requests: the primary never stands still
            long changedAt = -1;
            long until = c.millis() + 25_000;
            while (c.millis() < until) {
                c.runFor(Duration.ofMillis(10));
                if (changedAt < 0 && c.states().values().stream().filter(s -> s.view() >= 1).count() >= 3) {
                    changedAt = c.millis() - start;
                }
            }
            int lowestView = c.states().values().stream().mapToInt(Cluster.NodeState::view).min().orElseThrow();
            return new Run(changedAt, lowestView, censored.finish(Duration.ofSeconds(60)), other.finish(Duration.ofSeconds(60)));
        }
    }

    @Test
    void aPrimaryThatCensorsAClientIsReplacedAtTheOrderingTimeout() {
        Run r = run(dir, true);
        assertThat(r.firstViewChangeAfterMs()).as("the view change started " + r.firstViewChangeAfterMs() + " ms after the first censored request")
                .isBetween(ORDERING_TIMEOUT_MS, ORDERING_TIMEOUT_MS + 1_000);
        assertThat(r.censored().confirmed()).as("the censored client's requests, ordered by the next primary").isEqualTo(5L);
        assertThat(r.other().confirmed()).isEqualTo(400L);
    }

    @Test
    void anHonestPrimaryUnderTheSameLoadKeepsItsView() {
        Run r = run(dir, false);
        assertThat(r.firstViewChangeAfterMs()).as("no view change").isEqualTo(-1);
        assertThat(r.lowestView()).isZero();
        assertThat(r.censored().confirmed()).isEqualTo(5L);
        assertThat(r.other().confirmed()).isEqualTo(400L);
    }
}
