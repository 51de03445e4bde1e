package io.stackcompanion.node.scenario;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The part of a {@link Cluster} of real nodes that is about time: the wall clock, waiting by polling. */
abstract class WallClockCluster implements Cluster {
    private final Duration poll;

    /** @param poll how long to wait between two looks at a condition */
    WallClockCluster(Duration poll) {
        this.poll = poll;
    }

    @Override
    public long millis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }

    @Override
    public void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            runFor(poll);
        }
    }

    @Override
    public void runFor(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
