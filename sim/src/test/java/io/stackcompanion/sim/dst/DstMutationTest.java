package io.stackcompanion.sim.dst;

import io.stackcompanion.node.message.Operation;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DST as the test of PIT's mutants of {@code node/core} ({@code scripts/pit.sh}, README
 * "Deterministic simulation testing"): a few short seeds chosen so that together they order batches
 * with GET, PUT and CAS, take checkpoints, crash and restart nodes, change views, catch up a node that
 * was down, and run the f=2 quorums of seven nodes. Each asserts that every checker passed and that
 * the seed still does what it was chosen for (a change of the simulator that moved it elsewhere
 * would show here, not as a silently weaker mutation score). One test per seed, so PIT runs only the
 * seeds that reach a mutant and stops at the first that kills it.
 */
class DstMutationTest {

    private static DstResult run(long seed, int nodes, Set<Fault> faults) {
        DstResult r = DstCommands.runInTemp(new DstRun.Options(seed, 60, 0, nodes, faults));
        assertThat(r.passed()).as(r.summary()).isTrue();
        assertThat(r.ledgers().values()).as("every node's ledger holds every operation")
                .allSatisfy(l -> assertThat(l).hasSize(r.history().size()));
        return r;
    }

    private static long count(DstResult r, String type) {
        return r.history().stream().filter(e -> e.op().type().equals(type)).count();
    }

    private static int view(DstResult r) {
        return r.views().values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** No faults: the normal case, PUT, GET and CAS in batches, a checkpoint every 5 transactions. */
    @Test
    void seed6WithoutFaultsOrdersGetsPutsAndCompareAndSets() {
        DstResult r = run(6, 4, EnumSet.noneOf(Fault.class));
        assertThat(r.plan().faults()).isEmpty();
        assertThat(count(r, Operation.GET)).isPositive();
        assertThat(count(r, Operation.CAS)).isPositive();
        assertThat(view(r)).as("no view change without faults").isZero();
    }

    /** Drops, a cut link, crashes and restarts, a node down past checkpoints: view changes and catch-up. */
    @Test
    void seed14CrashesAndANodeDownChangeViewsAndCatchUp() {
        DstResult r = run(14, 4, null);
        assertThat(r.plan().faults()).contains(Fault.CRASH, Fault.DOWN, Fault.DROP, Fault.CUT);
        assertThat(view(r)).isPositive();
    }

    /** Drops and latency spikes (reordering), a node down, checkpoints every 5: three view changes. */
    @Test
    void seed7ReorderedMessagesAndANodeDownChangeViews() {
        DstResult r = run(7, 4, null);
        assertThat(r.plan().faults()).contains(Fault.DROP, Fault.DELAY, Fault.DOWN);
        assertThat(view(r)).isGreaterThanOrEqualTo(2);
    }

    /** Seven nodes (f=2): the quorums n-f, 2f+1 and f+1 differ from four nodes'; a crash and a partition. */
    @Test
    void seed3SevenNodesCrashAndPartitionChangeViews() {
        DstResult r = run(3, 7, EnumSet.of(Fault.CRASH, Fault.DROP, Fault.PARTITION));
        assertThat(r.ledgers()).hasSize(7);
        assertThat(view(r)).isPositive();
    }

    /**
     * A Byzantine primary (Node1) whose core equivocates with valid batches, f replicas one and 2f
     * another, and whose wire lies include wrong digests, replays, garbage and forged catch-up
     * answers: the equivocation and rejection paths, and a view change to an honest primary.
     */
    @Test
    void seed7AnEquivocatingPrimaryIsReplaced() {
        DstResult r = run(7, 4, EnumSet.of(Fault.BYZANTINE));
        assertThat(r.byzantine()).startsWith("Node1 lie: ").contains("sends f replicas each batch and the others another valid one");
        assertThat(view(r)).isPositive();
    }
}
