package io.stackcompanion.recorder;

import java.util.List;

/**
 * One event as read back from a recording.
 *
 * @param timeNanos recording time, nanoseconds since the epoch
 * @param seq sequence number (shared by both recorders of a node)
 * @param kind what happened
 * @param peers sender of an incoming message, recipients of an outgoing one, the peer that
 *     connected or disconnected; empty otherwise
 * @param payload the bytes as they crossed the stack (not copied: do not modify)
 */
public record RecordedEvent(long timeNanos, long seq, EventKind kind, List<String> peers, byte[] payload) {

    /** Copies peers into an immutable list. */
    public RecordedEvent {
        peers = List.copyOf(peers);
    }

    /** The event's key. */
    public EventKey key() {
        return new EventKey(timeNanos, seq);
    }

    @Override
    public String toString() {
        return kind + " at " + key() + " peers " + peers + " payload " + payload.length + " bytes";
    }
}
