package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.CoreRuntime;
import io.stackcompanion.node.core.CoreTap;
import io.stackcompanion.node.core.NodeCore;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.message.Status;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * The one way a core is stepped, by the live {@link NodeLoop}, the replayer and the simulator: per
 * input, read the clock once (so every read during one input agrees, and a replay can give it back),
 * show the input to the tap, hand it to the core, tell the tap it was handled; at the end, tell the
 * tap the node stopped. It is the core's {@link CoreRuntime}: sends go to the tap, then to the
 * {@link Stacks}. What differs between live, replay and simulation is only the clock, the stacks and
 * the tap given here. Used on the core thread only.
 */
public final class CoreStepper implements CoreRuntime {
    private final LongSupplier clock;
    private final Stacks stacks;
    private final CoreTap tap;
    private NodeCore core;
    private long now;
    /** The stable checkpoint last shown to the tap with {@link CoreTap#onState}. */
    private long stateShownAt;

    /**
     * @param clock  nanoseconds since the epoch, never decreasing: the live recording clock, a
     *               replay's patched clock, or simulated time
     * @param stacks where the core's sends go
     * @param tap    sees every input, send, end of input and stop (a recorder, or {@link CoreTap#NONE})
     */
    public CoreStepper(LongSupplier clock, Stacks stacks, CoreTap tap) {
        this.clock = clock;
        this.stacks = stacks;
        this.tap = tap;
    }

    /** Steps {@code core} from now on; it must have been built with this stepper as its runtime. */
    public void attach(NodeCore core) {
        this.core = core;
        this.stateShownAt = core.stableCheckpoint();
    }

    /** The core being stepped, or null between a stop and the next attach. */
    public NodeCore core() {
        return core;
    }

    /** Reads the clock (not the time of the current input: that is {@link #now()}). */
    public long clockNow() {
        return clock.getAsLong();
    }

    /**
     * One input, to completion: stamped with the clock, tapped, handled, and its end tapped; when it
     * moved the stable checkpoint, the tap sees the node's state before the end.
     */
    public void step(CoreInput input) {
        long t = clock.getAsLong();
        now = t;
        tap.onInput(t, input);
        core.handle(input);
        long stable = core.stableCheckpoint();
        if (stable != stateShownAt) {
            stateShownAt = stable;
            tap.onState(t, core.snapshot());
        }
        tap.onHandled(t);
        stacks.flush();
    }

    /** The core stops: the tap sees its state and last status, and the stepper lets go of it. */
    public Status stop() {
        Status last = core.status();
        long t = clock.getAsLong();
        tap.onState(t, core.snapshot());
        tap.onStop(t, last);
        stacks.flush();
        core = null;
        return last;
    }

    /** The time of the input being handled. */
    @Override
    public long now() {
        return now;
    }

    @Override
    public void send(StackName stack, List<String> peers, byte[] payload) {
        tap.onSend(now, stack, peers, payload);
        stacks.send(stack, peers, payload);
    }

    @Override
    public void disconnect(StackName stack, String peer) {
        stacks.disconnect(stack, peer);
    }
}
