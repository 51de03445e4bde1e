package io.stackcompanion.recorder;

import java.util.Optional;

/**
 * Hands recorded events to a replay one at a time, never blocking: {@link PacedReader} in the
 * original rhythm, {@link VirtualTimeReader} as fast as the caller asks. A feed wraps an iterator
 * it does not own; close the iterator's cursor yourself.
 */
public sealed interface EventFeed permits PacedReader, VirtualTimeReader {

    /**
     * The next event if it is due, else {@link Optional#empty()}. Empty does not mean the end: ask
     * {@link #hasMore()}.
     */
    Optional<RecordedEvent> getNext();

    /** Whether events remain (due now or later). */
    boolean hasMore();
}
