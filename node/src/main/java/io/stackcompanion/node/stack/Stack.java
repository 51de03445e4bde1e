package io.stackcompanion.node.stack;

import io.stackcompanion.node.core.StackName;

import java.util.List;

/**
 * One of a node's two network stacks, as the node's runtime drives it. A stack turns the network into
 * {@link io.stackcompanion.node.core.CoreInput}s, handed to the sink it was built with (network threads
 * only enqueue there), and turns the core's outputs into length-prefixed frames.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once or more; a closed stack is not restarted,
 * a new one is built on the same port instead.
 */
public interface Stack extends AutoCloseable {

    /** Which of the two stacks this is; every input it produces carries this name. */
    StackName name();

    /**
     * Binds the listening port (and, for the node stack, starts dialing).
     *
     * @throws StackException with a one-line message when the port is in use or cannot be bound
     */
    void start();

    /**
     * Queues {@code payload} as one frame to each of {@code peers}; never blocks on the network.
     * Peers without a link are skipped; a payload over the frame limit is sent to nobody (logged).
     * Thread-safe; the caller must not change {@code payload} later.
     *
     * @return how many of {@code peers} the frame was queued for
     */
    int send(List<String> peers, byte[] payload);

    /**
     * As {@link #send}, but the frames leave only at the next {@link #flush()} (from any thread): the
     * node's runtime queues everything one core step sends and flushes once after the step.
     *
     * @return how many of {@code peers} the frame was queued for
     */
    int queue(List<String> peers, byte[] payload);

    /** Hands every frame {@link #queue}d so far to the network threads: one wake-up for all of them. */
    void flush();

    /** Closes the link to {@code peer}, if any; its {@code Disconnected} follows through the sink. */
    void disconnect(String peer);

    /** The peers with a live link now, sorted by name. */
    List<String> connectedPeers();

    /** Closes every link and the listener, and waits for the stack's threads to end. Idempotent. */
    @Override
    void close();
}
