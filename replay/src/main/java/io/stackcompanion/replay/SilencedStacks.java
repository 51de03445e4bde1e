package io.stackcompanion.replay;

import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.runtime.Stacks;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The stacks of a replayed node: nothing reaches the network and no port is opened. What the core
 * sends is kept, in order, for the replayer to compare with what the recorded node sent.
 */
final class SilencedStacks implements Stacks {

    /** One message the replayed core sent. */
    record Sent(StackName stack, List<String> peers, byte[] payload) {
    }

    private final ArrayDeque<Sent> sent = new ArrayDeque<>();

    @Override
    public void send(StackName stack, List<String> peers, byte[] payload) {
        sent.add(new Sent(stack, List.copyOf(peers), payload));
    }

    @Override
    public void flush() {
        // nothing leaves a replay
    }

    @Override
    public void disconnect(StackName stack, String peer) {
        // Nothing to close; the peer's recorded DISCONNECTED follows as an input.
    }

    /** The sends not yet compared, oldest first. */
    ArrayDeque<Sent> pending() {
        return sent;
    }
}
