package io.stackcompanion.node.pool;

import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.runtime.Stacks;
import io.stackcompanion.node.pool.Firewall;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A live node's sending seam behind a {@link Firewall}: each node-to-node message the core sends is
 * judged per peer and dropped, sent late (on {@code timer}), sent twice or rewritten; client messages
 * pass untouched. The stacks' connections are not touched: a cut link is up but carries nothing.
 */
record FirewalledStacks(String node, Stacks stacks, Firewall firewall, ScheduledExecutorService timer) implements Stacks {
    @Override
    public void send(StackName stack, List<String> peers, byte[] payload) {
        if (stack != StackName.NODE || firewall.isOpen()) {
            stacks.send(stack, peers, payload);
            return;
        }
        Message m;
        try {
            m = Codec.decode(payload);
        } catch (MalformedMessageException e) {
            throw new IllegalStateException("a core sent a message it cannot read back", e);
        }
        for (String peer : peers) {
            firewall.pass(node, peer, m, payload, (bytes, extraDelayMillis) -> {
                if (extraDelayMillis == 0) {
                    stacks.send(stack, List.of(peer), bytes);
                } else {
                    timer.schedule(() -> {
                        stacks.send(stack, List.of(peer), bytes);
                        stacks.flush();
                    }, extraDelayMillis, TimeUnit.MILLISECONDS);
                }
            });
        }
    }

    @Override
    public void flush() {
        stacks.flush();
    }

    @Override
    public void disconnect(StackName stack, String peer) {
        stacks.disconnect(stack, peer);
    }
}
