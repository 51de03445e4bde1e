package io.stackcompanion.sim.world;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.scenario.Cluster;
import io.stackcompanion.node.scenario.SimulatedCluster;
import io.stackcompanion.node.scenario.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A primary that sends different valid PRE-PREPAREs for the same pp_seq_no (equivocation). When each
 * replica gets its own batch, each sees f+1 others vote for another one: that proves the primary sent
 * two, and they vote for a new primary at once, long before the ordering timeout. When f replicas get
 * one batch and 2f another, only the f see the proof; the 2f prepare theirs, nobody can commit, and the
 * ordering timeout replaces the primary (a timeout after its last proposal), whose successor re-orders the prepared batch. Either way the
 * honest nodes end on one ledger with every request.
 */
class EquivocationTest {
    private static final long ORDERING_TIMEOUT_MS = NodeConfig.defaults().settings().core().orderingTimeout().toMillis();

    @TempDir
    Path dir;

    private record Run(long viewChangeAfterMs, Map<String, Cluster.NodeState> states, Workload.Outcome outcome) {
    }

    private Run run(Path d, boolean split) {
        try (SimulatedCluster c = new SimulatedCluster(d, 4, 9, NodeConfig.defaults())) {
            c.pool().plantEquivocation("Node1", split); // the primary of view 0
            c.startAll();
            long start = c.millis();
            Workload w = c.load(60, 20);
            long changedAt = -1;
            while (changedAt < 0 && c.millis() - start < 30_000) {
                c.runFor(Duration.ofMillis(10));
                if (c.states().values().stream().filter(s -> s.view() >= 1).count() >= 3) {
                    changedAt = c.millis() - start;
                }
            }
            Workload.Outcome outcome = w.finish(Duration.ofSeconds(60));
            c.runFor(Duration.ofSeconds(5));
            return new Run(changedAt, c.states(), outcome);
        }
    }

    private static void oneLedgerOfEveryRequest(Run r) {
        assertThat(r.outcome().confirmed()).isEqualTo(60L);
        assertThat(r.states().values()).as(r.states().toString()).filteredOn(s -> !s.name().equals("Node1"))
                .extracting(Cluster.NodeState::ledgerRoot).containsOnly(r.states().get("Node2").ledgerRoot());
        assertThat(r.states().get("Node2").ledgerSize()).isEqualTo(60);
    }

    @Test
    void aPrimaryThatSendsEveryReplicaItsOwnBatchIsReplacedAtOnce() {
        Run r = run(dir.resolve("each"), false);
        assertThat(r.viewChangeAfterMs()).as("the view change starts " + r.viewChangeAfterMs() + " ms after the first request")
                .isBetween(0L, 1_000L);
        oneLedgerOfEveryRequest(r);
    }

    @Test
    void aPrimaryThatSplitsTheReplicasIsReplacedByTheOrderingTimeout() {
        Run r = run(dir.resolve("split"), true);
        // A timeout after the primary's last proposal (it proposes, its batches do not commit).
        assertThat(r.viewChangeAfterMs()).as("the view change starts " + r.viewChangeAfterMs() + " ms after the first request")
                .isBetween(ORDERING_TIMEOUT_MS, ORDERING_TIMEOUT_MS + 1_000);
        oneLedgerOfEveryRequest(r);
    }
}
