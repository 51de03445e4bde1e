package io.stackcompanion.recorder;

import static io.stackcompanion.recorder.TestRecordings.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PacedReaderTest {

    private static RecordedEvent at(long seconds, long seq) {
        return new RecordedEvent(seconds * SECOND, seq, EventKind.INCOMING, List.of("Beta"), new byte[0]);
    }

    @Test
    void replaysInTheOriginalRhythmWithoutBlocking() {
        TestRecordings.ManualNanos clock = new TestRecordings.ManualNanos();
        clock.advance(1_000 * SECOND); // the replay clock's origin is unrelated to recorded times
        PacedReader reader = new PacedReader(List.of(at(15, 0), at(20, 1), at(25, 2)).iterator(), clock);

        assertThat(reader.getNext()).map(RecordedEvent::seq).contains(0L); // the first at once
        assertThat(reader.getNext()).isEmpty();
        clock.advance(5 * SECOND - 1);
        assertThat(reader.getNext()).as("1 ns early").isEmpty();
        assertThat(reader.nanosUntilNext()).isEqualTo(1);
        clock.advance(1);
        assertThat(reader.getNext()).map(RecordedEvent::seq).contains(1L);
        assertThat(reader.getNext()).isEmpty();
        clock.advance(3 * SECOND);
        assertThat(reader.getNext()).isEmpty();
        clock.advance(2 * SECOND);
        assertThat(reader.hasMore()).isTrue();
        assertThat(reader.getNext()).map(RecordedEvent::seq).contains(2L);
        assertThat(reader.hasMore()).isFalse();
        assertThat(reader.getNext()).isEmpty();
        assertThat(reader.nanosUntilNext()).isEqualTo(-1);
    }

    @Test
    void aLateCallerCatchesUpSoLagDoesNotAccumulate() {
        TestRecordings.ManualNanos clock = new TestRecordings.ManualNanos();
        PacedReader reader = new PacedReader(List.of(at(15, 0), at(20, 1), at(25, 2), at(30, 3)).iterator(), clock);
        reader.getNext();
        clock.advance(11 * SECOND); // the caller was busy: events 1 and 2 are overdue
        assertThat(reader.getNext()).map(RecordedEvent::seq).contains(1L);
        assertThat(reader.getNext()).as("overdue: at once").map(RecordedEvent::seq).contains(2L);
        assertThat(reader.getNext()).as("back on schedule").isEmpty();
        assertThat(reader.nanosUntilNext()).isEqualTo(4 * SECOND);
        clock.advance(4 * SECOND);
        assertThat(reader.getNext()).as("15 s after the first, as recorded").map(RecordedEvent::seq).contains(3L);
    }

    @Test
    void eventsAtTheSameRecordedTimeComeTogether() {
        TestRecordings.ManualNanos clock = new TestRecordings.ManualNanos();
        PacedReader reader = new PacedReader(List.of(at(15, 0), at(15, 1), at(16, 2)).iterator(), clock);
        assertThat(reader.getNext()).isPresent();
        assertThat(reader.getNext()).isPresent();
        assertThat(reader.getNext()).isEmpty();
    }

    @Test
    void virtualTimeYieldsEverythingInOrderAtOnce() {
        VirtualTimeReader reader = new VirtualTimeReader(List.of(at(15, 0), at(20, 1), at(3600, 2)).iterator());
        assertThat(reader.getNext()).map(RecordedEvent::seq).contains(0L);
        assertThat(reader.getNext()).map(RecordedEvent::seq).contains(1L);
        assertThat(reader.getNext()).map(RecordedEvent::seq).contains(2L);
        assertThat(reader.hasMore()).isFalse();
        assertThat(reader.getNext()).isEmpty();
    }
}
