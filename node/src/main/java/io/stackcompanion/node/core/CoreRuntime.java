package io.stackcompanion.node.core;

import java.util.List;

/**
 * The core's whole outside world: the clock it reads and the two ways it acts. The core calls these
 * only from its own thread, between inputs; implementations must not call back into the core.
 * This interface, the sealed {@link CoreInput} and the {@link CoreTap} are the one seam between the
 * core and the world; {@code runtime.CoreStepper} implements it for the live node, the replayer and
 * the simulator alike, which differ only in the clock, the stacks and the tap they give it.
 */
public interface CoreRuntime {

    /** Current time in nanoseconds since the epoch: the only time the core ever sees. */
    long now();

    /** Sends one payload to each of {@code peers} on {@code stack}; unreachable peers are skipped. */
    void send(StackName stack, List<String> peers, byte[] payload);

    /** Closes the connection to {@code peer} on {@code stack}, e.g. after a malformed frame. */
    void disconnect(StackName stack, String peer);
}
