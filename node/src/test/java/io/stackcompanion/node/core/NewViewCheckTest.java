package io.stackcompanion.node.core;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.InstanceChange;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.NewView;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.ViewChange;
import io.stackcompanion.node.runtime.CoreStepper;
import io.stackcompanion.node.runtime.Stacks;
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
    private final List<Message> sent = new ArrayList<>();
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
        stepper = new CoreStepper(() -> now, new Stacks() {
            @Override
            public void send(StackName stack, List<String> peers, byte[] payload) {
                try {
                    sent.add(Codec.decode(payload));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }

            @Override
            public void disconnect(StackName stack, String peer) {
            }
        }, CoreTap.NONE);
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

    private ViewChange signed(String node, long stable, List<PrePrepare> prepared) {
        ViewChange vc = new ViewChange(1, node, stable, prepared, null);
        return vc.withSignature(Base64.getEncoder().encodeToString(Keys.sign(keys.get(node), Codec.signingBytes(vc))));
    }

    private ViewChange node3sOwn() {
        return sent.stream().filter(m -> m instanceof ViewChange).map(m -> (ViewChange) m).findFirst().orElseThrow();
    }

    /** The NEW_VIEW Node2 computes from Node1's, its own and Node3's VIEW_CHANGEs, changed by {@code forge}. */
    private boolean enters(UnaryOperator<NewView> forge) {
        PrePrepare prepared = new PrePrepare(0, 1, 5_000, List.of("ab".repeat(32)), 1, "00".repeat(32), "11".repeat(32));
        List<ViewChange> vcs = List.of(signed("Node1", 0, List.of(prepared)), signed("Node2", 0, List.of(prepared)), node3sOwn());
        NewView honest = ViewChanges.newView(1, vcs);
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
            vcs.set(0, new ViewChange(1, "Node1", 0, List.of(), node1.signature()));
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
    void aNewViewFromANodeThatIsNotTheViewsPrimaryIsIgnored() {
        PrePrepare prepared = new PrePrepare(0, 1, 5_000, List.of("ab".repeat(32)), 1, "00".repeat(32), "11".repeat(32));
        NewView honest = ViewChanges.newView(1, List.of(signed("Node1", 0, List.of(prepared)), signed("Node2", 0, List.of(prepared)),
                node3sOwn()));
        receive("Node4", honest);
        assertThat(stepper.core().snapshot().viewChanging()).isTrue();
    }
}
