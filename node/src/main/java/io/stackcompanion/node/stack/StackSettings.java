package io.stackcompanion.node.stack;

import java.util.Objects;

/**
 * Tunables shared by both stacks.
 *
 * @param maxFrameBytes        largest frame payload accepted; a longer (or negative) length prefix closes that connection
 * @param maxPendingBytes      unsent bytes queued to one peer beyond which that peer counts as not reading and is disconnected
 * @param reconnectMinMillis   first delay before re-dialing a node after a failed or lost link
 * @param reconnectMaxMillis   cap of the exponential backoff between re-dials
 * @param handshakeTimeoutMillis a node link not authenticated within this time is closed
 * @param bindHost             address the listeners bind to ({@code 0.0.0.0}: every interface)
 * @param genesisSource        where the ports come from, for error messages: a file path or "the pool genesis"
 * @param limits               what connections may hold of the stack, and how long they may take
 */
public record StackSettings(int maxFrameBytes, int maxPendingBytes, long reconnectMinMillis, long reconnectMaxMillis,
                            long handshakeTimeoutMillis, String bindHost, String genesisSource, Limits limits) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

    public StackSettings {
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(genesisSource, "genesisSource");
        Objects.requireNonNull(limits, "limits");
        if (maxFrameBytes < 1 || maxPendingBytes < 1) {
            throw new IllegalArgumentException("maxFrameBytes and maxPendingBytes must be positive");
        }
        if (reconnectMinMillis < 1 || reconnectMaxMillis < reconnectMinMillis) {
            throw new IllegalArgumentException("need 1 <= reconnectMinMillis <= reconnectMaxMillis, not "
                    + reconnectMinMillis + " and " + reconnectMaxMillis);
        }
        if (handshakeTimeoutMillis < 1) {
            throw new IllegalArgumentException("handshakeTimeoutMillis must be positive");
        }
    }

    /** 4 MiB frames, 64 MiB pending per peer, re-dial after 100 ms up to 10 s, 5 s handshakes, every interface, default limits. */
    public static StackSettings defaults() {
        return new StackSettings(DEFAULT_MAX_FRAME_BYTES, 64 * 1024 * 1024, 100, 10_000, 5_000, "0.0.0.0", "the pool genesis",
                Limits.defaults());
    }

    public StackSettings withMaxFrameBytes(int bytes) {
        return new StackSettings(bytes, maxPendingBytes, reconnectMinMillis, reconnectMaxMillis, handshakeTimeoutMillis, bindHost, genesisSource, limits);
    }

    public StackSettings withMaxPendingBytes(int bytes) {
        return new StackSettings(maxFrameBytes, bytes, reconnectMinMillis, reconnectMaxMillis, handshakeTimeoutMillis, bindHost, genesisSource, limits);
    }

    public StackSettings withReconnect(long minMillis, long maxMillis) {
        return new StackSettings(maxFrameBytes, maxPendingBytes, minMillis, maxMillis, handshakeTimeoutMillis, bindHost, genesisSource, limits);
    }

    public StackSettings withHandshakeTimeout(long millis) {
        return new StackSettings(maxFrameBytes, maxPendingBytes, reconnectMinMillis, reconnectMaxMillis, millis, bindHost, genesisSource, limits);
    }

    public StackSettings withBindHost(String host) {
        return new StackSettings(maxFrameBytes, maxPendingBytes, reconnectMinMillis, reconnectMaxMillis, handshakeTimeoutMillis, host, genesisSource, limits);
    }

    /** Names the genesis file in port errors, e.g. {@code pool/pool_genesis.json}. */
    public StackSettings withGenesisSource(String source) {
        return new StackSettings(maxFrameBytes, maxPendingBytes, reconnectMinMillis, reconnectMaxMillis, handshakeTimeoutMillis, bindHost, source, limits);
    }

    public StackSettings withLimits(Limits l) {
        return new StackSettings(maxFrameBytes, maxPendingBytes, reconnectMinMillis, reconnectMaxMillis, handshakeTimeoutMillis, bindHost, genesisSource, l);
    }

    /**
     * What connections may take from a stack, so that no stranger can exhaust a node. Over a limit, the
     * connection is closed and counted, and the stack carries on.
     *
     * @param partialFrameBudgetBytes  bytes all connections of one stack may hold in frames not yet complete; both stacks
     * @param idleTimeoutMillis        a client connection with no bytes either way for this long is closed (0: never)
     * @param frameTimeoutMillis       a client frame must be complete this long after its first byte (0: no limit)
     * @param maxConnections           client connections open at once; more are refused as they arrive
     * @param maxConnectionsPerAddress client connections open at once from one IP address
     * @param warnIntervalMillis       a repeated warning is logged once per peer per interval, with a count of the
     *                                 ones not logged (0: every one)
     */
    public record Limits(long partialFrameBudgetBytes, long idleTimeoutMillis, long frameTimeoutMillis, int maxConnections,
                         int maxConnectionsPerAddress, long warnIntervalMillis) {

        public Limits {
            if (partialFrameBudgetBytes < 1 || maxConnections < 1 || maxConnectionsPerAddress < 1) {
                throw new IllegalArgumentException("the partial-frame budget and the connection caps must be positive");
            }
            if (idleTimeoutMillis < 0 || frameTimeoutMillis < 0 || warnIntervalMillis < 0) {
                throw new IllegalArgumentException("timeouts and the warning interval cannot be negative");
            }
        }

        /** 64 MiB of partial frames per stack, 5 min idle, 30 s per frame, 1000 clients, 100 per address, 10 s warnings. */
        public static Limits defaults() {
            return new Limits(64L << 20, 300_000, 30_000, 1000, 100, 10_000);
        }

        public Limits withPartialFrameBudget(long bytes) {
            return new Limits(bytes, idleTimeoutMillis, frameTimeoutMillis, maxConnections, maxConnectionsPerAddress, warnIntervalMillis);
        }

        public Limits withIdleTimeout(long millis) {
            return new Limits(partialFrameBudgetBytes, millis, frameTimeoutMillis, maxConnections, maxConnectionsPerAddress, warnIntervalMillis);
        }

        public Limits withFrameTimeout(long millis) {
            return new Limits(partialFrameBudgetBytes, idleTimeoutMillis, millis, maxConnections, maxConnectionsPerAddress, warnIntervalMillis);
        }

        public Limits withMaxConnections(int total, int perAddress) {
            return new Limits(partialFrameBudgetBytes, idleTimeoutMillis, frameTimeoutMillis, total, perAddress, warnIntervalMillis);
        }

        public Limits withWarnInterval(long millis) {
            return new Limits(partialFrameBudgetBytes, idleTimeoutMillis, frameTimeoutMillis, maxConnections, maxConnectionsPerAddress, millis);
        }
    }
}
