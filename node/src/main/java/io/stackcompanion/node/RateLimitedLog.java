package io.stackcompanion.node;

import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Log lines a stranger can cause at will (a bad frame, a refused connection), at most one per key and
 * interval: the first is logged, the others of that interval are counted, and the count rides on the
 * next line logged for that key ("... (41 more from 10.0.0.7 not logged in the last 10 s)"). A log
 * that a peer can fill with thousands of lines a second hides everything else in it. The key is
 * usually the peer's IP address, not its port: each new connection of a stranger has a new port.
 *
 * <p>Thread-safe. Keys quiet for an interval are forgotten when the table is full, so a flood of
 * distinct keys holds at most {@value #MAX_KEYS} of them; beyond that they share one key.
 */
public final class RateLimitedLog {
    static final int MAX_KEYS = 4096;
    private static final String OVERFLOW_KEY = "other peers";

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new HashMap<>();
    private long notLogged;

    private static final class Window {
        long start;
        long suppressed;
    }

    /** {@code intervalMillis} 0 logs every line. */
    public RateLimitedLog(Logger log, long intervalMillis) {
        this(log, intervalMillis, System::nanoTime);
    }

    public RateLimitedLog(Logger log, long intervalMillis, LongSupplier nanoTime) {
        if (intervalMillis < 0) {
            throw new IllegalArgumentException("intervalMillis must not be negative");
        }
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000;
        this.nanoTime = nanoTime;
    }

    /** Logs at WARN unless {@code key} logged within the interval. As SLF4J: a trailing Throwable is the exception. */
    public boolean warn(String key, String format, Object... args) {
        return emit(Level.WARN, key, format, args);
    }

    /** As {@link #warn} at INFO: for closes that are normal in small numbers (an idle client). */
    public boolean info(String key, String format, Object... args) {
        return emit(Level.INFO, key, format, args);
    }

    private boolean emit(Level level, String key, String format, Object[] args) {
        if (!log.isEnabledForLevel(level)) {
            return false;
        }
        Object[] line = admit(key, format, args);
        if (line == null) {
            return false;
        }
        // The classic calls, not the fluent API: they take a trailing Throwable as the exception.
        if (level == Level.WARN) {
            log.warn((String) line[0], (Object[]) line[1]);
        } else {
            log.info((String) line[0], (Object[]) line[1]);
        }
        return true;
    }

    /** Lines not logged so far because of the rate limit. */
    public synchronized long notLogged() {
        return notLogged;
    }

    /** {format, args} to log now, or null when this line only counts. */
    private Object[] admit(String key, String format, Object[] args) {
        long suppressed;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            Window w = windows.get(key);
            if (w == null) {
                if (windows.size() >= MAX_KEYS) {
                    forgetQuiet(now);
                }
                if (windows.size() >= MAX_KEYS) {
                    key = OVERFLOW_KEY;
                    w = windows.get(key);
                }
            }
            if (w != null && intervalNanos > 0 && now - w.start < intervalNanos) {
                w.suppressed++;
                notLogged++;
                return null;
            }
            if (w == null) {
                w = new Window();
                windows.put(key, w);
            }
            suppressed = w.suppressed;
            w.start = now;
            w.suppressed = 0;
        }
        if (suppressed == 0) {
            return new Object[]{format, args};
        }
        // The count goes before a trailing Throwable, which SLF4J must still see last.
        boolean throwable = args.length > 0 && args[args.length - 1] instanceof Throwable;
        int plain = throwable ? args.length - 1 : args.length;
        Object[] more = Arrays.copyOf(args, args.length + 3);
        more[plain] = suppressed;
        more[plain + 1] = key;
        more[plain + 2] = Math.max(1, intervalNanos / 1_000_000_000);
        if (throwable) {
            more[args.length + 2] = args[args.length - 1];
        }
        return new Object[]{format + " ({} more from {} not logged in the last {} s)", more};
    }

    private void forgetQuiet(long now) {
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            if (now - it.next().start >= intervalNanos) {
                it.remove();
            }
        }
    }
}
