package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.stack.Stack;

import java.util.List;

/**
 * Where a {@link CoreStepper} puts what the core sends: the node's two stacks in a live node,
 * silenced stacks in a replay (nothing reaches the network), a simulated network in a simulator.
 * Called on the core thread only; implementations must not call back into the core.
 */
public interface Stacks {

    /** Sends one payload to each of {@code peers} on {@code stack}; unreachable peers are skipped. */
    void send(StackName stack, List<String> peers, byte[] payload);

    /** Closes the connection to {@code peer} on {@code stack}. */
    void disconnect(StackName stack, String peer);

    /**
     * The core finished a step: what it sent may leave now. Sends may wait for this; a live node's
     * stacks queue a step's frames and wake their network threads once here, not once per frame. A
     * wrapper must pass it on (no default, so that none forgets).
     */
    void flush();

    /** The live node's stacks: the node stack and the client stack. */
    static Stacks of(Stack nodeStack, Stack clientStack) {
        return new Stacks() {
            @Override
            public void send(StackName stack, List<String> peers, byte[] payload) {
                (stack == StackName.NODE ? nodeStack : clientStack).queue(peers, payload);
            }

            @Override
            public void flush() {
                nodeStack.flush();
                clientStack.flush();
            }

            @Override
            public void disconnect(StackName stack, String peer) {
                (stack == StackName.NODE ? nodeStack : clientStack).disconnect(peer);
            }
        };
    }
}
