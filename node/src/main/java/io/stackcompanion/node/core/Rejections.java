package io.stackcompanion.node.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.MessageFormatter;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Every message the core rejects as one an honest peer does not send: counted per sender and reason,
 * and logged at WARN the first time for that pair, then at most once per {@link #LOG_INTERVAL_NANOS}
 * of core time with how many came since the last line. A lying peer can send thousands a second; the
 * log must still show that it lies, and what, without drowning everything else. The counts are what
 * {@code pool.sh status} shows ({@link io.stackcompanion.node.message.Status#rejected()}).
 *
 * <p>Part of the deterministic core: time only from the core's clock, sorted maps only. Senders are
 * node names (node links are authenticated) or {@link #CLIENTS} for every client connection (a new
 * connection has a new name, so counting each would grow without bound), and reasons are a fixed set
 * of tokens, so the table stays small.
 */
final class Rejections {
    /** The one sender that stands for every client connection. */
    static final String CLIENTS = "clients";
    static final long LOG_INTERVAL_NANOS = 60_000_000_000L;

    private static final Logger log = LoggerFactory.getLogger(Rejections.class);

    private final LongSupplier now;
    private final TreeMap<String, TreeMap<String, Count>> counts = new TreeMap<>();

    private static final class Count {
        long total;
        /** Rejections since the last line logged for this sender and reason. */
        long sinceLogged;
        long loggedAt;
    }

    /** @param now the core's clock (nanoseconds) */
    Rejections(LongSupplier now) {
        this.now = now;
    }

    /**
     * Counts one rejected message of {@code sender} for {@code reason} (a short stable token, e.g.
     * {@code equivocation}) and logs it if its turn has come. {@code detail} and {@code args} are an
     * SLF4J format and its arguments, formatted only when the line is logged.
     */
    void reject(String sender, String reason, String detail, Object... args) {
        Count c = counts.computeIfAbsent(sender, s -> new TreeMap<>()).computeIfAbsent(reason, r -> new Count());
        long t = now.getAsLong();
        c.total++;
        c.sinceLogged++;
        if (c.total == 1) {
            log.warn("rejected {} {}: {}", sender, reason, format(detail, args));
        } else if (t - c.loggedAt >= LOG_INTERVAL_NANOS) {
            log.warn("rejected {} {}: {} since the last line ({} in all), the latest: {}", sender, reason, c.sinceLogged,
                    c.total, format(detail, args));
        } else {
            return;
        }
        c.loggedAt = t;
        c.sinceLogged = 0;
    }

    /** Rejections so far, sender -> reason -> count, both sorted; a copy. */
    Map<String, Map<String, Long>> counts() {
        TreeMap<String, Map<String, Long>> copy = new TreeMap<>();
        for (Map.Entry<String, TreeMap<String, Count>> s : counts.entrySet()) {
            TreeMap<String, Long> reasons = new TreeMap<>();
            s.getValue().forEach((reason, c) -> reasons.put(reason, c.total));
            copy.put(s.getKey(), Collections.unmodifiableSortedMap(reasons));
        }
        return Collections.unmodifiableSortedMap(copy);
    }

    private static String format(String detail, Object[] args) {
        return MessageFormatter.arrayFormat(detail, args).getMessage();
    }
}
