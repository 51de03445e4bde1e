package io.stackcompanion.recorder;

import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Replays events in their original rhythm, with Indy Plenum's {@code getNext()} interface: the first
 * event is returned at once, and fixes the schedule; each later one is due when as much time has
 * passed on the injected clock since the first was returned as separated it from the first in the
 * recording. Until then {@link #getNext()} returns {@link Optional#empty()}; it never blocks, so a
 * replay loop can poll it between other work.
 *
 * <p>The schedule is absolute (Plenum measured each gap from when the previous event was returned,
 * so every late poll delayed all the rest and lag accumulated: 4-16% under load): a caller that
 * falls behind gets the overdue events at once until it is back on schedule, and the replay ends
 * when the recording's span has passed. Not thread-safe.
 */
public final class PacedReader implements EventFeed {

    private final Iterator<RecordedEvent> events;
    private final LongSupplier nanoClock;
    private RecordedEvent pending;
    private long firstRecordedTime;
    private long firstReturnedAt;
    private boolean started;

    /**
     * @param events events in key order (e.g. a {@link RecordingReader#iterator()} cursor)
     * @param nanoClock the replay's clock in nanoseconds, e.g. {@code System::nanoTime}
     */
    public PacedReader(Iterator<RecordedEvent> events, LongSupplier nanoClock) {
        this.events = Objects.requireNonNull(events, "events");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    @Override
    public Optional<RecordedEvent> getNext() {
        if (pending == null) {
            if (!events.hasNext()) {
                return Optional.empty();
            }
            pending = events.next();
        }
        long now = nanoClock.getAsLong();
        if (!started) {
            started = true;
            firstRecordedTime = pending.timeNanos();
            firstReturnedAt = now;
        } else if (now - firstReturnedAt < pending.timeNanos() - firstRecordedTime) {
            return Optional.empty();
        }
        RecordedEvent due = pending;
        pending = null;
        return Optional.of(due);
    }

    /**
     * Nanoseconds on the injected clock until the next event is due: 0 if due now, -1 at the end. A
     * caller may sleep that long instead of spinning.
     */
    public long nanosUntilNext() {
        if (pending == null) {
            if (!events.hasNext()) {
                return -1;
            }
            pending = events.next();
        }
        if (!started) {
            return 0;
        }
        long wait = (pending.timeNanos() - firstRecordedTime) - (nanoClock.getAsLong() - firstReturnedAt);
        return Math.max(0, wait);
    }

    @Override
    public boolean hasMore() {
        return pending != null || events.hasNext();
    }
}
