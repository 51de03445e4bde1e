package io.stackcompanion.node.stack;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The bytes all connections of one stack may hold in frames not yet complete. A connection that needs
 * more than is left takes it from the largest holder, which is closed; if it would itself be the
 * largest, it is the one refused. So a stranger who parks many big partial frames loses them, while
 * a small request split across two reads still gets through. Thread-safe.
 */
final class FrameBudget {
    private final long limit;
    private final Runnable onDrained;
    /** Guarded by this, as are the holders' shares. */
    private long held;
    /** The most held since {@link #held} was last 0. */
    private long peak;
    private final Set<Holder> holders = new HashSet<>();

    FrameBudget(long limit) {
        this(limit, () -> { });
    }

    /**
     * @param onDrained runs (on the releasing thread, outside the lock) when the bytes held drop back
     *     to 0 after a quarter of the budget or more was held: the heap they grew can be given back
     */
    FrameBudget(long limit, Runnable onDrained) {
        this.limit = limit;
        this.onDrained = onDrained;
    }

    /** Notes the bytes now held; whether a large burst just drained. */
    private boolean drained() {
        peak = Math.max(peak, held);
        if (held == 0 && peak >= limit / 4) {
            peak = 0;
            return true;
        }
        return false;
    }

    long limit() {
        return limit;
    }

    synchronized long held() {
        return held;
    }

    /** A connection's share, empty at first; {@code onEvicted} runs (on the caller's thread) when another takes it. */
    Holder newHolder(Runnable onEvicted) {
        return new Holder(onEvicted);
    }

    final class Holder {
        private final Runnable onEvicted;
        private long bytes;
        private boolean evicted;

        private Holder(Runnable onEvicted) {
            this.onEvicted = onEvicted;
        }

        /**
         * Makes this holder's share {@code total} bytes, evicting larger holders if needed. False when it
         * cannot (this holder would be the largest, or was evicted); its share is then unchanged.
         */
        boolean resize(long total) {
            List<Holder> victims = new ArrayList<>();
            boolean drained = false;
            try {
                synchronized (FrameBudget.this) {
                    if (evicted) {
                        return false;
                    }
                    long delta = total - bytes;
                    while (held + delta > limit) {
                        Holder largest = largestBut(this);
                        if (largest == null || largest.bytes <= total) {
                            return false;
                        }
                        held -= largest.bytes;
                        largest.bytes = 0;
                        largest.evicted = true;
                        holders.remove(largest);
                        victims.add(largest);
                    }
                    held += delta;
                    bytes = total;
                    if (total > 0) {
                        holders.add(this);
                    } else {
                        holders.remove(this);
                    }
                    drained = drained();
                    return true;
                }
            } finally {
                victims.forEach(v -> v.onEvicted.run());
                if (drained) {
                    onDrained.run();
                }
            }
        }

        /** Gives the whole share back; idempotent. */
        void release() {
            boolean drained;
            synchronized (FrameBudget.this) {
                held -= bytes;
                bytes = 0;
                holders.remove(this);
                drained = drained();
            }
            if (drained) {
                onDrained.run();
            }
        }
    }

    private Holder largestBut(Holder self) {
        Holder largest = null;
        for (Holder h : holders) {
            if (h != self && (largest == null || h.bytes > largest.bytes)) {
                largest = h;
            }
        }
        return largest;
    }
}
