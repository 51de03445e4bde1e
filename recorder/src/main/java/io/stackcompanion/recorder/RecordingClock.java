package io.stackcompanion.recorder;

import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * The one clock of a recording node: a monotonic nanosecond clock anchored to wall time at start
 * ({@code anchorWall + (monotonic() - anchorMonotonic)}), plus the one sequence shared by both
 * recorders of the node, so their keys interleave exactly. The core reads its time from {@link
 * #now()} too, so the time recorded is the time the core saw.
 *
 * <p>Keys keep increasing across restarts even if the wall clock stepped back: each recorder, when
 * it opens an existing recording, calls {@link #continueAfter(EventKey)} with its last key. If that
 * key lies in this clock's future, the clock is shifted forward to just after it and then runs on at
 * the monotonic rate. (Shifting, rather than holding time at the old maximum, keeps time moving for
 * the core's timers while the wall clock catches up.) The sequence continues after the largest
 * sequence number seen.
 *
 * <p>Thread-safe: both recorders of a node may stamp from different threads.
 */
public final class RecordingClock {

    private final LongSupplier monotonicNanos;
    private final long anchorMonotonicNanos;
    private long anchorWallNanos;
    private long lastTime;
    private long nextSeq;

    private RecordingClock(long anchorWallNanos, LongSupplier monotonicNanos) {
        if (anchorWallNanos < 0) {
            throw new IllegalArgumentException("wall clock anchor must be >= 0 ns since the epoch, got " + anchorWallNanos);
        }
        this.monotonicNanos = monotonicNanos;
        this.anchorMonotonicNanos = monotonicNanos.getAsLong();
        this.anchorWallNanos = anchorWallNanos;
        this.lastTime = anchorWallNanos;
    }

    /** A clock anchored to the system's wall time now, advancing with {@link System#nanoTime()}. */
    public static RecordingClock system() {
        Instant wall = Instant.now();
        return new RecordingClock(wall.getEpochSecond() * 1_000_000_000L + wall.getNano(), System::nanoTime);
    }

    /**
     * A clock with an injected time source, for tests and simulations.
     *
     * @param anchorWallNanos the wall time at creation, nanoseconds since the epoch
     * @param monotonicNanos a monotonic nanosecond source (read once now, as the anchor)
     */
    public static RecordingClock of(long anchorWallNanos, LongSupplier monotonicNanos) {
        return new RecordingClock(anchorWallNanos, monotonicNanos);
    }

    /** The current recording time in nanoseconds since the epoch; never decreases. */
    public synchronized long now() {
        long t = anchorWallNanos + (monotonicNanos.getAsLong() - anchorMonotonicNanos);
        if (t > lastTime) {
            lastTime = t;
        }
        return lastTime;
    }

    /** A fresh key at the current time with the next sequence number. */
    public synchronized EventKey stamp() {
        return new EventKey(now(), nextSeq++);
    }

    /**
     * A fresh key at a time already returned by {@link #now()} (so an event can be recorded at the
     * exact time the core saw), with the next sequence number.
     *
     * @throws IllegalArgumentException if the time is in this clock's future or negative
     */
    public synchronized EventKey stampAt(long timeNanos) {
        if (timeNanos > lastTime) {
            throw new IllegalArgumentException("time " + timeNanos + " was not issued by this clock yet (last issued " + lastTime + ")");
        }
        return new EventKey(timeNanos, nextSeq++);
    }

    /**
     * Continues after an existing recording's last key: later times are above it and later
     * sequence numbers follow it. Safe to call once per recorder, in any order.
     */
    public synchronized void continueAfter(EventKey last) {
        long current = now();
        if (current <= last.timeNanos()) {
            anchorWallNanos += last.timeNanos() + 1 - current;
            lastTime = last.timeNanos() + 1;
        }
        if (last.seq() >= nextSeq) {
            if (last.seq() == Long.MAX_VALUE) {
                throw new IllegalStateException("sequence numbers exhausted after " + last);
            }
            nextSeq = last.seq() + 1;
        }
    }

    /**
     * The wall time this clock counts from, nanoseconds since the epoch (shifted forward if {@link
     * #continueAfter(EventKey)} had to move it past an existing recording).
     */
    public synchronized long anchorWallNanos() {
        return anchorWallNanos;
    }

    /** The sequence number the next stamp will carry. */
    public synchronized long nextSeq() {
        return nextSeq;
    }
}
