package io.stackcompanion.recorder;

import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;

/**
 * Replays events in order with no waiting: every {@link #getNext()} returns the next event until
 * the end. The replay jumps its clock to each event's recorded time instead of waiting for it. Not
 * thread-safe.
 */
public final class VirtualTimeReader implements EventFeed {

    private final Iterator<RecordedEvent> events;

    /** @param events events in key order (e.g. a {@link RecordingReader#iterator()} cursor) */
    public VirtualTimeReader(Iterator<RecordedEvent> events) {
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    public Optional<RecordedEvent> getNext() {
        return events.hasNext() ? Optional.of(events.next()) : Optional.empty();
    }

    @Override
    public boolean hasMore() {
        return events.hasNext();
    }
}
