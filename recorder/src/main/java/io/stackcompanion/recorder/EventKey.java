package io.stackcompanion.recorder;

import java.time.Instant;

/**
 * The key of a recorded event: recording time in nanoseconds since the epoch, then a sequence
 * number. On disk it is 16 bytes, both longs big-endian, so RocksDB's byte order is time order and
 * two events never share a key. Both parts are non-negative: a negative long would sort after all
 * positive ones in byte order, and recording times before 1970 cannot occur.
 *
 * @param timeNanos recording time, nanoseconds since 1970-01-01T00:00Z, {@code >= 0}
 * @param seq sequence number shared by both recorders of a node, {@code >= 0}
 */
public record EventKey(long timeNanos, long seq) implements Comparable<EventKey> {

    /** Length of an encoded key. */
    public static final int BYTES = 16;

    /** Validates both parts are non-negative. */
    public EventKey {
        if (timeNanos < 0) {
            throw new IllegalArgumentException("recording time must be >= 0 ns since the epoch, got " + timeNanos);
        }
        if (seq < 0) {
            throw new IllegalArgumentException("sequence number must be >= 0, got " + seq);
        }
    }

    /** The smallest key at the given time: iteration from it starts at that time. */
    public static EventKey firstAt(long timeNanos) {
        return new EventKey(Math.max(0, timeNanos), 0);
    }

    /** The 16-byte big-endian encoding. */
    public byte[] toBytes() {
        byte[] b = new byte[BYTES];
        writeLong(b, 0, timeNanos);
        writeLong(b, 8, seq);
        return b;
    }

    /**
     * Decodes 16 bytes written by {@link #toBytes()}.
     *
     * @throws IllegalArgumentException if the length is not 16 or a part is negative
     */
    public static EventKey fromBytes(byte[] key) {
        if (key.length != BYTES) {
            throw new IllegalArgumentException("event key must be " + BYTES + " bytes, got " + key.length);
        }
        return new EventKey(readLong(key, 0), readLong(key, 8));
    }

    /** The recording time as an instant (UTC). */
    public Instant instant() {
        return instantOf(timeNanos);
    }

    static Instant instantOf(long timeNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(timeNanos, 1_000_000_000L), Math.floorMod(timeNanos, 1_000_000_000L));
    }

    @Override
    public int compareTo(EventKey other) {
        int byTime = Long.compare(timeNanos, other.timeNanos);
        return byTime != 0 ? byTime : Long.compare(seq, other.seq);
    }

    /** For messages: {@code time 2026-11-22T02:20:47.123456789Z (1795...ns) seq 42}. */
    @Override
    public String toString() {
        return "time " + instant() + " (" + timeNanos + "ns) seq " + seq;
    }

    static void writeLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long readLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
