package io.stackcompanion.node.core;

import io.stackcompanion.node.config.CoreSettings;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.store.NodeStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the node stands, and the transitions that alone change it. */
class ConsensusStateTest {

    @TempDir
    Path dir;

    private NodeStore store;
    private long now = 1_000;
    private ConsensusState state;
    private CoreSettings settings;
    private CoreContext ctx;

    @BeforeEach
    void open() {
        store = NodeStore.open(dir);
        PoolGenesis genesis = new PoolGenesis(IntStream.rangeClosed(1, 4)
                .mapToObj(i -> new NodeInfo("Node" + i, "127.0.0.1", 9700 + i, 9800 + i, "key" + i)).toList());
        settings = NodeConfig.defaults().settings().core();
        CoreRuntime runtime = new CoreRuntime() {
            @Override
            public long now() {
                return now;
            }

            @Override
            public void send(StackName stack, List<String> peers, byte[] payload) {
            }

            @Override
            public void disconnect(StackName stack, String peer) {
            }
        };
        ctx = new CoreContext("Node2", genesis, settings, runtime, new Timers(), new Random(1));
        state = new ConsensusState(ctx, new Execution(store));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static PrePrepare batch(int view, long ppSeqNo) {
        return new PrePrepare(view, ppSeqNo, ppSeqNo * 10, List.of("d" + ppSeqNo), ppSeqNo, "root", "state");
    }

    @Test
    void aFreshNodeStandsAtGenesisInViewZero() {
        assertThat(state.viewNo()).isZero();
        assertThat(state.primary()).isEqualTo("Node1");
        assertThat(state.isPrimary()).isFalse();
        assertThat(state.lastOrdered()).isZero();
        assertThat(state.canOrder()).isTrue();
        assertThat(state.highWatermark()).isEqualTo(settings.logSize());
    }

    @Test
    void aViewChangeKeepsTheEstablishedViewUntilTheNewViewIsEntered() {
        state.startViewChange(1);
        state.viewChangeTimedOut();
        state.startViewChange(2); // the first one failed; still established in 0
        assertThat(state.viewNo()).isEqualTo(2);
        assertThat(state.isViewChanging()).isTrue();
        assertThat(state.canOrder()).isFalse();
        assertThat(state.establishedView()).isZero();
        assertThat(state.failedViewChanges()).isEqualTo(1);

        now = 5_000;
        state.enterView(2);
        assertThat(state.isViewChanging()).isFalse();
        assertThat(state.establishedView()).isEqualTo(2);
        assertThat(state.primary()).isEqualTo("Node3");
        assertThat(state.failedViewChanges()).isZero();
        assertThat(state.viewStartedAt()).isEqualTo(5_000);
    }

    @Test
    void batchesAreOrderedOnceAndInOrder() {
        state.applied(batch(0, 1));
        state.applied(batch(0, 2));
        assertThat(state.lastApplied()).isEqualTo(2);
        assertThat(state.lastPpTime()).isEqualTo(20);
        state.ordered(batch(0, 1));
        assertThatThrownBy(() -> state.ordered(batch(0, 1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ordered once, in order");
        assertThatThrownBy(() -> state.ordered(batch(0, 3))).isInstanceOf(IllegalStateException.class);
        assertThat(state.lastOrdered()).isEqualTo(1);
        assertThat(state.orderedAt(1)).isEqualTo(batch(0, 1));

        state.backToOrdered(); // batch 2 discarded: the next follows batch 1
        assertThat(state.lastApplied()).isEqualTo(1);
        assertThat(state.lastPpTime()).isEqualTo(10);
    }

    @Test
    void aStableCheckpointMovesTheWatermarksAndDropsTheLogsBelowIt() {
        for (long s = 1; s <= 3; s++) {
            state.applied(batch(0, s));
            state.prepared(batch(0, s));
            state.ordered(batch(0, s));
        }
        assertThat(state.conflictingCommit(2, "Node4")).containsExactly("Node4");
        state.stable(2);
        assertThat(state.stableCheckpoint()).isEqualTo(2);
        assertThat(state.highWatermark()).isEqualTo(2 + settings.logSize());
        assertThat(state.preparedAboveStable()).containsExactly(batch(0, 3));
        assertThat(state.orderedAt(2)).isNull();
        assertThat(state.orderedAt(3)).isNotNull();
        assertThat(state.conflictingCommit(2, "Node3")).containsExactly("Node3"); // the old votes went
    }

    @Test
    void catchUpMovesTheLastOrderedBatchOnlyForward() {
        state.applied(batch(0, 1));
        state.ordered(batch(0, 1));
        state.applied(batch(0, 2));
        state.catchupStarted();
        assertThat(state.isCatchingUp()).isTrue();
        assertThat(state.canOrder()).isFalse();

        now = 9_000;
        state.catchupDone(new Execution.Position(0, 7, 70));
        assertThat(state.isCatchingUp()).isFalse();
        assertThat(state.lastOrdered()).isEqualTo(7);
        assertThat(state.lastOrderedAt()).isEqualTo(9_000);
        assertThat(state.lastApplied()).isEqualTo(7);
        assertThat(state.lastPpTime()).isEqualTo(70);
        assertThat(state.orderedAt(1)).isNull(); // what we ordered before is history

        state.catchupStarted();
        state.catchupDone(new Execution.Position(0, 3, 30)); // behind us: nothing moves back
        assertThat(state.lastOrdered()).isEqualTo(7);
        assertThat(state.lastApplied()).isEqualTo(7);
    }

    /**
     * A node that committed a batch and restarts still reports its prepared certificate in its
     * VIEW_CHANGE: without it a NEW_VIEW could drop a batch another node ordered (dst.sh run --seed 30
     * and --seed 118 with 200 requests: two honest ledgers differed).
     */
    @Test
    void preparedCertificatesSurviveARestartUntilACheckpointIsStable() {
        state.prepared(batch(0, 1));
        state.prepared(batch(0, 2));
        state.prepared(batch(1, 2)); // prepared again in the next view: that one counts
        state.prepared(batch(1, 3));

        ConsensusState restarted = new ConsensusState(ctx, new Execution(store));
        assertThat(restarted.preparedAboveStable()).containsExactly(batch(0, 1), batch(1, 2), batch(1, 3));

        restarted.stable(2);
        assertThat(restarted.preparedAboveStable()).containsExactly(batch(1, 3));
        assertThat(new ConsensusState(ctx, new Execution(store)).preparedAboveStable())
                .as("after a restart, the certificates below the stable checkpoint are gone from the store too")
                .containsExactly(batch(1, 3));
    }

    @Test
    void aRestartedPrimaryDoesNotProposeAgainWhatItProposedBeforeInThatView() {
        Execution execution = new Execution(store);
        execution.persistProposed(0, 5);
        ConsensusState restarted = new ConsensusState(ctx, execution);
        assertThat(restarted.mayHaveProposedBeforeStart(5)).isTrue();
        assertThat(restarted.mayHaveProposedBeforeStart(6)).isFalse();
        restarted.startViewChange(1);
        restarted.enterView(1);
        assertThat(restarted.mayHaveProposedBeforeStart(5)).as("another view: its primary decides").isFalse();
        assertThat(state.mayHaveProposedBeforeStart(1)).as("nothing proposed before this start").isFalse();
    }
}
