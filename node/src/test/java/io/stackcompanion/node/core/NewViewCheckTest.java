package io.stackcompanion.node.core;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.node.config.Quorums;
import io.stackcompanion.node.message.BatchId;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.InstanceChange;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.NewView;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.ViewChange;
import io.stackcompanion.node.runtime.CoreStepper;
import io.stackcompanion.node.store.NodeStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica checks a NEW_VIEW against the signed VIEW_CHANGEs it carries: Node3 changes to view 1
 * (primary Node2) and is sent NEW_VIEWs, honest and forged. It enters the view only on the honest one;
 * on a forged one it stays in its view change and votes for view 2.
 */
class NewViewCheckTest {
    @TempDir
    Path dir;

    private final Map<String, KeyPair> keys = new TreeMap<>();
    private PoolGenesis genesis;
    private NodeStore store;
    private CoreStepper stepper;
    private final DecodingStacks stacks = new DecodingStacks();
    private final List<Message> sent = stacks.all;
    private long now = 1_000_000_000L;

    @BeforeEach
    void node3ChangesToView1() throws Exception {
        List<NodeInfo> infos = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            KeyPair kp = Keys.generate();
            keys.put("Node" + i, kp);
            infos.add(new NodeInfo("Node" + i, "127.0.0.1", 9700 + i, 9800 + i, Keys.encodePublic(kp.getPublic())));
        }
        genesis = new PoolGenesis(infos);
        store = NodeStore.openNode(dir);
        stepper = new CoreStepper(() -> now, stacks, CoreTap.NONE);
        stepper.attach(new NodeCore("Node3", genesis, NodeConfig.defaults().settings().core(), store, stepper, new Random(1),
                NodeSigner.of(keys.get("Node3"))));
        stepper.step(new CoreInput.Started());
        for (String peer : List.of("Node1", "Node2", "Node4")) {
            stepper.step(new CoreInput.Connected(StackName.NODE, peer));
        }
        for (String peer : List.of("Node1", "Node2", "Node4")) {
            receive(peer, new InstanceChange(1, "test"));
        }
        assertThat(stepper.core().snapshot().viewChanging()).isTrue();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void receive(String from, Message m) {
        now += 1_000_000;
        stepper.step(new CoreInput.Received(StackName.NODE, from, Codec.encode(m)));
    }

    private static final Quorums FOUR = new Quorums(4);

    /** {@code node}'s VIEW_CHANGE for view 1, signed, showing its prepared batches as pre-prepared too. */
    private ViewChange signed(String node, long stable, List<PrePrepare> prepared) {
        return signed(node, 1, stable, prepared, List.of(stable), prepared.stream().map(NewViewCheckTest::id).toList());
    }

    private ViewChange signed(String node, int view, long stable, List<PrePrepare> prepared, List<Long> checkpoints,
                              List<BatchId> preprepared) {
        ViewChange vc = new ViewChange(view, node, stable, prepared, checkpoints, preprepared, null);
        return vc.withSignature(Base64.getEncoder().encodeToString(Keys.sign(keys.get(node), Codec.signingBytes(vc))));
    }

    private static BatchId id(PrePrepare pp) {
        return new BatchId(pp.viewNo(), pp.ppSeqNo(), Batch.digestOf(pp));
    }

    private static PrePrepare batch(int view, long ppSeqNo, String request) {
        return new PrePrepare(view, ppSeqNo, 5_000 + ppSeqNo, List.of(request.repeat(32)), ppSeqNo, "00".repeat(32), "11".repeat(32));
    }

    private ViewChange node3sOwn() {
        return sent.stream().filter(m -> m instanceof ViewChange).map(m -> (ViewChange) m).findFirst().orElseThrow();
    }

    /** The NEW_VIEW Node2 computes from Node1's, its own and Node3's VIEW_CHANGEs, changed by {@code forge}. */
    private boolean enters(UnaryOperator<NewView> forge) {
        PrePrepare prepared = new PrePrepare(0, 1, 5_000, List.of("ab".repeat(32)), 1, "00".repeat(32), "11".repeat(32));
        List<ViewChange> vcs = List.of(signed("Node1", 0, List.of(prepared)), signed("Node2", 0, List.of(prepared)), node3sOwn());
        NewView honest = ViewChanges.newView(1, vcs, FOUR).orElseThrow();
        assertThat(honest.batches()).containsExactly(prepared);
        sent.clear();
        receive("Node2", forge.apply(honest));
        return !stepper.core().snapshot().viewChanging();
    }

    private boolean votedForView2() {
        return sent.stream().anyMatch(m -> m instanceof InstanceChange ic && ic.viewNo() == 2);
    }

    @Test
    void theNodeSignsItsViewChangeAndEntersTheViewOnANewViewThatFollowsFromItsViewChanges() {
        ViewChange own = node3sOwn();
        assertThat(own.node()).isEqualTo("Node3");
        assertThat(Keys.verify(keys.get("Node3").getPublic(), Codec.signingBytes(own), Base64.getDecoder().decode(own.signature())))
                .isTrue();
        assertThat(enters(nv -> nv)).isTrue();
        assertThat(stepper.core().status().viewNo()).isEqualTo(1);
        assertThat(votedForView2()).isFalse();
    }

    @Test
    void aNewViewWithAnotherCheckpointIsRejectedAndTheNodeVotesForTheNextView() {
        assertThat(enters(nv -> new NewView(1, nv.checkpoint() + 100, List.of(), nv.viewChanges()))).isFalse();
        assertThat(votedForView2()).isTrue();
    }

    @Test
    void aNewViewThatLeavesOutAPreparedBatchIsRejected() {
        assertThat(enters(nv -> new NewView(1, nv.checkpoint(), List.of(), nv.viewChanges()))).isFalse();
        assertThat(votedForView2()).isTrue();
    }

    @Test
    void aNewViewWithFewerThanNMinusFViewChangesIsRejected() {
        assertThat(enters(nv -> new NewView(1, nv.checkpoint(), nv.batches(), nv.viewChanges().subList(0, 2)))).isFalse();
        assertThat(votedForView2()).isTrue();
    }

    @Test
    void aNewViewCarryingAViewChangeWhoseSignatureDoesNotVerifyIsRejected() {
        assertThat(enters(nv -> {
            List<ViewChange> vcs = new ArrayList<>(nv.viewChanges());
            ViewChange node1 = vcs.get(0);
            // Node1's VIEW_CHANGE without its prepared batch, still with the signature of the one with it.
            vcs.set(0, new ViewChange(1, "Node1", 0, List.of(), node1.checkpoints(), node1.preprepared(), node1.signature()));
            return new NewView(1, nv.checkpoint(), nv.batches(), vcs);
        })).isFalse();
        assertThat(votedForView2()).isTrue();
    }

    @Test
    void aNewViewCarryingTwoViewChangesOfOneNodeIsRejected() {
        assertThat(enters(nv -> new NewView(1, nv.checkpoint(), nv.batches(),
                List.of(nv.viewChanges().get(0), nv.viewChanges().get(0), nv.viewChanges().get(2))))).isFalse();
    }

    @Test
    void theNodesOwnViewChangeShowsTheCheckpointsItHoldsAndWhatItPrePrepared() {
        ViewChange own = node3sOwn();
        assertThat(own.checkpoints()).containsExactly(0L);
        assertThat(own.preprepared()).isEmpty();
    }

    @Test
    void aNewViewWhoseViewChangeCarriesNoEvidenceIsRejected() {
        assertThat(enters(nv -> {
            List<ViewChange> vcs = new ArrayList<>(nv.viewChanges());
            ViewChange bare = new ViewChange(1, "Node1", 0, vcs.get(0).prepared(), null);
            vcs.set(0, bare.withSignature(Base64.getEncoder().encodeToString(Keys.sign(keys.get("Node1"), Codec.signingBytes(bare)))));
            return new NewView(1, nv.checkpoint(), nv.batches(), vcs);
        })).isFalse();
        assertThat(votedForView2()).isTrue();
    }

    /**
     * Node1 signs a VIEW_CHANGE claiming a batch it never prepared, after the one all prepared. The rule
     * of before (the latest view's batch per pp_seq_no, whoever claims it) re-orders it; PBFT's does not:
     * no f+1 pre-prepared it. Node3 rejects the NEW_VIEW made by the rule of before and enters on the other.
     */
    @Test
    void aBatchOneNodeSignsButNeverPreparedIsNotReordered() {
        PrePrepare real = batch(0, 1, "ab");
        PrePrepare madeUp = batch(0, 2, "cd");
        List<ViewChange> vcs = List.of(signed("Node1", 0, List.of(real, madeUp)), signed("Node2", 0, List.of(real)), node3sOwn(),
                signed("Node4", 0, List.of(real)));
        NewView before = ViewChanges.legacyNewView(1, vcs);
        assertThat(before.batches()).containsExactly(real, madeUp);
        NewView now = ViewChanges.newView(1, vcs, FOUR).orElseThrow();
        assertThat(now.batches()).containsExactly(real);

        receive("Node2", before);
        assertThat(stepper.core().snapshot().viewChanging()).isTrue();
        assertThat(votedForView2()).isTrue();
        receive("Node2", now);
        assertThat(stepper.core().snapshot().viewChanging()).isFalse();
    }

    /**
     * For view 2: Node2-4 prepared batch 1 in view 0; Node1 signs that it prepared another batch 1 in view
     * 1. The rule of before takes the later view's; PBFT's takes the one the others bear out, and with
     * Node1 among only n-f VIEW_CHANGEs it decides nothing (the primary waits for more).
     */
    @Test
    void aBatchClaimedInALaterViewIsNotTakenOverTheOneTheOthersPrepared() {
        PrePrepare real = batch(0, 1, "ab");
        PrePrepare madeUp = batch(1, 1, "cd");
        ViewChange liar = signed("Node1", 2, 0, List.of(madeUp), List.of(0L), List.of(id(madeUp)));
        List<ViewChange> honest = new ArrayList<>();
        for (String node : List.of("Node2", "Node3", "Node4")) {
            honest.add(signed(node, 2, 0, List.of(real), List.of(0L), List.of(id(real))));
        }
        List<ViewChange> all = new ArrayList<>(List.of(liar));
        all.addAll(honest);
        assertThat(ViewChanges.legacyNewView(2, all).batches()).containsExactly(madeUp);
        assertThat(ViewChanges.newView(2, all, FOUR).orElseThrow().batches()).containsExactly(real);
        assertThat(ViewChanges.newView(2, List.of(liar, honest.get(0), honest.get(1)), FOUR)).isEmpty();
        assertThat(ViewChanges.newView(2, honest, FOUR).orElseThrow().batches()).containsExactly(real);
    }

    /**
     * Node1 signs a stable checkpoint 100 no one else holds. The rule of before starts the view there
     * (every other node catches up to a checkpoint that does not exist); PBFT's takes the highest f+1
     * hold that n-f have not passed.
     */
    @Test
    void aCheckpointOnlyOneNodeClaimsIsNotTaken() {
        PrePrepare real = batch(0, 6, "ab");
        ViewChange liar = signed("Node1", 2, 100, List.of(), List.of(100L), List.of());
        List<ViewChange> all = new ArrayList<>(List.of(liar));
        for (String node : List.of("Node2", "Node3", "Node4")) {
            all.add(signed(node, 2, 5, List.of(real), List.of(5L), List.of(id(real))));
        }
        NewView before = ViewChanges.legacyNewView(2, all);
        assertThat(before.checkpoint()).isEqualTo(100);
        assertThat(before.batches()).isEmpty();
        NewView now = ViewChanges.newView(2, all, FOUR).orElseThrow();
        assertThat(now.checkpoint()).isEqualTo(5);
        assertThat(now.batches()).containsExactly(real);
        assertThat(ViewChanges.newView(2, all.subList(0, 3), FOUR)).as("n-f with the liar: its checkpoint is above"
                + " the stable one of one of the three").isEmpty();
    }

    /** A checkpoint f+1 hold is taken even if the others have not ordered that far: they catch up. */
    @Test
    void aCheckpointFPlusOneHoldIsTaken() {
        List<ViewChange> vcs = List.of(signed("Node1", 2, 10, List.of(), List.of(10L), List.of()),
                signed("Node2", 2, 10, List.of(), List.of(10L), List.of()),
                signed("Node3", 2, 0, List.of(), List.of(0L, 5L), List.of()),
                signed("Node4", 2, 0, List.of(), List.of(0L), List.of()));
        assertThat(ViewChanges.newView(2, vcs, FOUR).orElseThrow().checkpoint()).isEqualTo(10);
        assertThat(ViewChanges.newView(2, vcs.subList(1, 4), FOUR))
                .as("without Node1, 10 is held by one and 0 is below Node2's stable checkpoint: nothing is decided").isEmpty();
    }

    @Test
    void aNewViewFromANodeThatIsNotTheViewsPrimaryIsIgnored() {
        PrePrepare prepared = new PrePrepare(0, 1, 5_000, List.of("ab".repeat(32)), 1, "00".repeat(32), "11".repeat(32));
        NewView honest = ViewChanges.newView(1, List.of(signed("Node1", 0, List.of(prepared)), signed("Node2", 0, List.of(prepared)),
                node3sOwn()), FOUR).orElseThrow();
        receive("Node4", honest);
        assertThat(stepper.core().snapshot().viewChanging()).isTrue();
    }
}
