package io.stackcompanion.node.stack;

import io.netty.channel.Channel;
import io.stackcompanion.node.RateLimitedLog;
import org.slf4j.Logger;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What connections may take from one stack, and what they were refused: the partial-frame budget,
 * the connection caps (client stack only), the count of connections closed over each limit, the
 * rate-limited warnings, and the one summary line that shows all of it in the node's log.
 * Thread-safe.
 */
final class StackGuard {
    /** Why a connection was closed or refused by the stack itself. */
    enum Reason {
        BAD_FRAME("bad frames"),
        OVER_BUDGET("over the partial-frame budget"),
        SLOW_FRAME("slow frames"),
        IDLE("idle"),
        ADDRESS_CAP("over the per-address cap"),
        CONNECTION_CAP("over the connection cap");

        final String words;

        Reason(String words) {
            this.words = words;
        }
    }

    /** A connection went over a limit; it is closed. No stack trace: strangers cause these at will. */
    static final class LimitExceeded extends RuntimeException {
        final Reason reason;

        LimitExceeded(Reason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    /** What the summary line says, for tests and for deciding whether there is news to log. */
    record Report(int open, long heldBytes, long budgetBytes, Map<Reason, Long> closed, long warningsNotLogged) {
        long closed(Reason r) {
            return closed.getOrDefault(r, 0L);
        }
    }

    final FrameBudget budget;
    final RateLimitedLog warnings;
    private final StackSettings.Limits limits;
    private final boolean capsApply;
    private final AtomicLongArray closed = new AtomicLongArray(Reason.values().length);
    /** Guarded by this. */
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private int open;
    private Report lastLogged;

    /** {@code capsApply}: the client stack, whose connections come from anyone. */
    StackGuard(StackSettings.Limits limits, boolean capsApply, Logger log) {
        this.limits = limits;
        this.capsApply = capsApply;
        this.budget = new FrameBudget(limits.partialFrameBudgetBytes(), HeapReturn::afterDrain);
        this.warnings = new RateLimitedLog(log, limits.warnIntervalMillis());
        this.lastLogged = report();
    }

    /**
     * Counts a new connection in, or says why it is refused (the caller closes it). An admitted
     * connection is counted out when it closes.
     */
    String admit(Channel ch) {
        InetAddress address = address(ch.remoteAddress());
        synchronized (this) {
            if (capsApply) {
                if (open >= limits.maxConnections()) {
                    count(Reason.CONNECTION_CAP);
                    return limits.maxConnections() + " client connections are open already (CLIENT_MAX_CONNECTIONS)";
                }
                int from = address == null ? 0 : perAddress.getOrDefault(address, 0);
                if (from >= limits.maxConnectionsPerAddress()) {
                    count(Reason.ADDRESS_CAP);
                    return from + " connections from that address are open already (CLIENT_MAX_CONNECTIONS_PER_ADDRESS)";
                }
            }
            open++;
            if (address != null) {
                perAddress.merge(address, 1, Integer::sum);
            }
        }
        ch.closeFuture().addListener(f -> countOut(address));
        return null;
    }

    private synchronized void countOut(InetAddress address) {
        open--;
        if (address != null) {
            perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
        }
    }

    void count(Reason r) {
        closed.incrementAndGet(r.ordinal());
    }

    Report report() {
        Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            byReason.put(r, closed.get(r.ordinal()));
        }
        int openNow;
        synchronized (this) {
            openNow = open;
        }
        return new Report(openNow, budget.held(), budget.limit(), byReason, warnings.notLogged());
    }

    /**
     * The summary line, when something about the limits changed since the last one (bytes held in
     * partial frames, or a count): quiet on a quiet stack, one line per interval under attack, and a
     * last line once the held bytes are back to 0.
     */
    String summaryIfChanged(String what) {
        Report now = report();
        Report before;
        synchronized (this) {
            before = lastLogged;
            if (now.heldBytes() == before.heldBytes() && now.closed().equals(before.closed())
                    && now.warningsNotLogged() == before.warningsNotLogged()) {
                return null;
            }
            lastLogged = now;
        }
        StringBuilder sb = new StringBuilder(what).append(": ").append(now.open()).append(" connections open; partial frames hold ")
                .append(now.heldBytes()).append(" of ").append(now.budgetBytes()).append(" bytes; closed since start:");
        for (Reason r : Reason.values()) {
            sb.append(r == Reason.BAD_FRAME ? " " : ", ").append(now.closed(r)).append(' ').append(r.words);
        }
        return sb.append("; ").append(now.warningsNotLogged()).append(" warnings not logged (rate limit)").toString();
    }

    /** The rate-limit key of a connection: its IP address (each new connection has a new port). */
    static String key(Channel ch) {
        InetAddress a = address(ch.remoteAddress());
        return a == null ? String.valueOf(ch.remoteAddress()) : a.getHostAddress();
    }

    private static InetAddress address(SocketAddress sa) {
        return sa instanceof InetSocketAddress i ? i.getAddress() : null;
    }
}
