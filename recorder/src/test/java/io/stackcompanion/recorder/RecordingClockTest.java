package io.stackcompanion.recorder;

import static io.stackcompanion.recorder.TestRecordings.SECOND;
import static io.stackcompanion.recorder.TestRecordings.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecordingClockTest {

    @Test
    void timeIsAnchoredToWallTimeAndRunsWithTheMonotonicSource() {
        TestRecordings.ManualNanos mono = new TestRecordings.ManualNanos();
        mono.advance(123_456); // an arbitrary nanoTime origin
        RecordingClock clock = RecordingClock.of(T0, mono);
        assertThat(clock.now()).isEqualTo(T0);
        mono.advance(5 * SECOND);
        assertThat(clock.now()).isEqualTo(T0 + 5 * SECOND);
    }

    @Test
    void eventsAtTheSameInstantGetDistinctIncreasingKeys() {
        RecordingClock clock = RecordingClock.of(T0, () -> 7); // time stands still
        EventKey a = clock.stamp();
        EventKey b = clock.stamp();
        EventKey c = clock.stampAt(T0);
        assertThat(a.timeNanos()).isEqualTo(b.timeNanos()).isEqualTo(c.timeNanos());
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(c);
    }

    @Test
    void continuesAfterALaterKeyEvenWhenWallTimeWentBack() {
        TestRecordings.ManualNanos mono = new TestRecordings.ManualNanos();
        RecordingClock clock = RecordingClock.of(T0 - 3600 * SECOND, mono); // wall clock stepped back an hour
        clock.continueAfter(new EventKey(T0, 41));
        EventKey next = clock.stamp();
        assertThat(next.timeNanos()).isGreaterThan(T0);
        assertThat(next.seq()).isEqualTo(42);
        mono.advance(SECOND);
        assertThat(clock.now()).as("time keeps moving after the shift").isEqualTo(next.timeNanos() + SECOND);
        // an older key (the other stack's) does not move the clock back or reuse sequence numbers
        clock.continueAfter(new EventKey(T0 - 10, 3));
        assertThat(clock.stamp()).isGreaterThan(next);
    }

    @Test
    void stampAtRefusesTimesTheClockHasNotIssued() {
        RecordingClock clock = RecordingClock.of(T0, () -> 0);
        assertThatThrownBy(() -> clock.stampAt(T0 + 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
