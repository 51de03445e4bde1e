package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.CoreRuntime;
import io.stackcompanion.node.core.CoreTap;
import io.stackcompanion.node.core.StackName;

import java.util.List;

/**
 * The runtime a {@link NodeLoop} gives its core: time is the time of the input being handled
 * (read once per input, so every read during one input agrees, and a replay can give it back), and
 * sends go to the tap and then the transport.
 */
public final class LoopRuntime implements CoreRuntime {
    private final Transport transport;
    private final CoreTap tap;
    private long now;

    public LoopRuntime(Transport transport, CoreTap tap) {
        this.transport = transport;
        this.tap = tap;
    }

    /** Sets the time of the input about to be handled. */
    public void setNow(long nanos) {
        this.now = nanos;
    }

    @Override
    public long now() {
        return now;
    }

    @Override
    public void send(StackName stack, List<String> peers, byte[] payload) {
        tap.onSend(now, stack, peers, payload);
        transport.send(stack, peers, payload);
    }

    @Override
    public void disconnect(StackName stack, String peer) {
        transport.disconnect(stack, peer);
    }
}
