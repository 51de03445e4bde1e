package io.stackcompanion.recorder;

/**
 * What a recorded event is. Each kind has a stable one-byte code that is written to disk; codes are
 * never reused or renumbered, and new kinds take new codes (room is left up to 255).
 *
 * <p>{@link #UNCLEAN_STOP} is written by the node at start when {@link
 * Recorder#lastEventAtOpen()} shows the previous run did not end with {@link #STOPPED}.
 */
public enum EventKind {
    /** A message that came in from a peer, as framed bytes; peers holds the sender. */
    INCOMING(1),
    /** A message the core sent; peers holds the recipients. */
    OUTGOING(2),
    /** A peer connected; peers holds it. */
    CONNECTED(3),
    /** A peer disconnected; peers holds it. */
    DISCONNECTED(4),
    /** The node started. */
    STARTED(5),
    /** The node stopped cleanly. */
    STOPPED(6),
    /** A timer of the core fired; the payload says which. */
    TIMER_FIRED(7),
    /** Marks that an initial-state checkpoint was taken beside the recorder. */
    INITIAL_STATE(8),
    /** Written at start when the previous run did not record {@link #STOPPED} (crash or SIGKILL). */
    UNCLEAN_STOP(9),
    /**
     * Where the node stood in consensus after the input before it (at each stable checkpoint and
     * before a clean stop); the payload is the node's state, for {@code replay.sh --check-state}.
     * Not an input: a replay without that option passes over it.
     */
    STATE(10),
    /**
     * The verdict on the signature of the request in the {@link #INCOMING} that follows it on the same
     * stack from the same peer (peers holds it), checked on the stack's thread; the payload is opaque
     * here (the node defines it). A replay gives it to the core with that input.
     */
    VERIFIED(11);

    private static final EventKind[] BY_CODE = new EventKind[256];

    static {
        for (EventKind kind : values()) {
            if (BY_CODE[kind.code] != null) {
                throw new ExceptionInInitializerError("duplicate event kind code " + kind.code);
            }
            BY_CODE[kind.code] = kind;
        }
    }

    private final int code;

    EventKind(int code) {
        this.code = code;
    }

    /** The stable on-disk code, 1..255. */
    public int code() {
        return code;
    }

    /** The kind with that code, or {@code null} when this build does not know the code. */
    static EventKind fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
