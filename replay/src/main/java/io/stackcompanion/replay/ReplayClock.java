package io.stackcompanion.replay;

import java.util.function.LongSupplier;

/**
 * The patched clock of a replay: it reads the recorded time of the input being replayed, and
 * nothing else. The replayer moves it to each input's recorded time before the core steps, so the
 * core sees exactly the times the original saw, in virtual and in real-time mode alike.
 */
final class ReplayClock implements LongSupplier {
    private long recordedNanos;

    /** The replay reached an input recorded at {@code recordedNanos} (nanoseconds since the epoch). */
    void moveTo(long recordedNanos) {
        this.recordedNanos = recordedNanos;
    }

    @Override
    public long getAsLong() {
        return recordedNanos;
    }
}
