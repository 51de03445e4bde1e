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

    /** Equal when every part is, the payload compared by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof RecordedEvent e && timeNanos == e.timeNanos && seq == e.seq && kind == e.kind
                && peers.equals(e.peers) && java.util.Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(timeNanos, seq, kind, peers) * 31 + java.util.Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return kind + " at " + key() + " peers " + peers + " payload " + payload.length + " bytes";
    }
}
