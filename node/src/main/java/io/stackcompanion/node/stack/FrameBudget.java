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
    /** Guarded by this, as are the holders' shares. */
    private long held;
    private final Set<Holder> holders = new HashSet<>();

    FrameBudget(long limit) {
        this.limit = limit;
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
                    return true;
                }
            } finally {
                victims.forEach(v -> v.onEvicted.run());
            }
        }

        /** Gives the whole share back; idempotent. */
        void release() {
            synchronized (FrameBudget.this) {
                held -= bytes;
                bytes = 0;
                holders.remove(this);
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
