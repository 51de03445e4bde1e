package io.stackcompanion.sim.world;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.CoreTap;
import io.stackcompanion.node.core.NodeCore;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.runtime.CoreStepper;
import io.stackcompanion.node.runtime.Stacks;
import io.stackcompanion.node.store.NodeStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The replay principle on the bare seam: steps one node's traced inputs, at their traced times,
 * through a {@link CoreStepper} into fresh cores on a fresh store (a new core at each start, the store reopened at each stop, as the
 * node lived), and collects what they send, in the form {@link #sends} gives the traced sends.
 */
final class SeamReplay {
    /** What the re-fed cores sent, and the last core's status. */
    record Result(List<String> sends, Status lastStatus) {
    }

    private SeamReplay() {
    }

    /** The sends of {@code node} in {@code trace}, as "time send STACK [peers] payload". */
    static List<String> sends(List<SimulatedPool.Trace> trace, String node) {
        return trace.stream().filter(t -> t.node().equals(node) && t.what().startsWith("send"))
                .map(t -> t.time() + " " + t.what() + " " + SimulatedPool.Trace.text(t.bytes())).toList();
    }

    static Result refeed(List<SimulatedPool.Trace> trace, String node, PoolGenesis genesis, NodeConfig config, Path storeDir,
                         NodeSigner signer) {
        List<String> sent = new ArrayList<>();
        long[] now = {0};
        CoreStepper stepper = new CoreStepper(() -> now[0], new Stacks() {
            @Override
            public void send(StackName stack, List<String> peers, byte[] payload) {
                sent.add(now[0] + " send " + stack + " " + peers + " " + SimulatedPool.Trace.text(payload));
            }

            @Override
            public void flush() {
            }

            @Override
            public void disconnect(StackName stack, String peer) {
            }
        }, CoreTap.NONE);
        NodeStore store = NodeStore.openNode(storeDir);
        NodeCore core = null;
        try {
            for (SimulatedPool.Trace t : trace) {
                String w = t.what();
                if (!t.node().equals(node) || w.startsWith("send") || w.startsWith("disconnect ")) {
                    continue;
                }
                now[0] = t.time();
                if (w.equals("Stopped")) {
                    store.close();
                    store = NodeStore.openNode(storeDir);
                    core = null;
                    continue;
                }
                if (w.startsWith("Started")) {
                    core = new NodeCore(node, genesis, config.settings().core(), store, stepper,
                            new Random(config.settings().randomSeed(node)), signer);
                    stepper.attach(core);
                }
                stepper.step(toInput(t));
            }
            return new Result(sent, core == null ? null : core.status());
        } finally {
            store.close();
        }
    }

    private static CoreInput toInput(SimulatedPool.Trace t) {
        String w = t.what();
        if (w.startsWith("recv ")) {
            String[] parts = w.split(" ");
            return new CoreInput.Received(StackName.valueOf(parts[1]), parts[2], t.bytes());
        }
        if (w.startsWith("Started")) {
            return new CoreInput.Started();
        }
        if (w.startsWith("Connected[")) {
            return new CoreInput.Connected(StackName.NODE, w.substring(w.indexOf("peer=") + 5, w.length() - 1));
        }
        if (w.startsWith("Disconnected[")) {
            return new CoreInput.Disconnected(StackName.NODE, w.substring(w.indexOf("peer=") + 5, w.length() - 1));
        }
        if (w.startsWith("TimerFired[")) {
            return new CoreInput.TimerFired(w.substring(w.indexOf("timer=") + 6, w.length() - 1));
        }
        throw new IllegalArgumentException("unexpected trace " + w);
    }
}
