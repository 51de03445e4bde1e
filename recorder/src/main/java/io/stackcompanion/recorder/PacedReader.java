package io.stackcompanion.recorder;

import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Replays events in their original rhythm, with Indy Plenum's {@code getNext()} semantics: the first
 * event is returned at once; each later one only when at least as much time has passed on the
 * injected clock since the previous one was returned as separated the two in the recording. Until
 * then {@link #getNext()} returns {@link Optional#empty()}; it never blocks, so a replay loop can
 * poll it between other work.
 *
 * <p>Gaps are measured from the moment the previous event was <em>returned</em> (as in Plenum), so a
 * caller that polls late delays the rest of the replay rather than bunching events up. Not
 * thread-safe.
 */
public final class PacedReader implements EventFeed {

    private final Iterator<RecordedEvent> events;
    private final LongSupplier nanoClock;
    private RecordedEvent pending;
    private long previousRecordedTime;
    private long previousReturnedAt;
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
        if (started && now - previousReturnedAt < pending.timeNanos() - previousRecordedTime) {
            return Optional.empty();
        }
        RecordedEvent due = pending;
        pending = null;
        started = true;
        previousRecordedTime = due.timeNanos();
        previousReturnedAt = now;
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
        long wait = (pending.timeNanos() - previousRecordedTime) - (nanoClock.getAsLong() - previousReturnedAt);
        return Math.max(0, wait);
    }

    @Override
    public boolean hasMore() {
        return pending != null || events.hasNext();
    }
}
