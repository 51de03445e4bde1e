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
 */
public record StackSettings(int maxFrameBytes, int maxPendingBytes, long reconnectMinMillis, long reconnectMaxMillis,
                            long handshakeTimeoutMillis, String bindHost, String genesisSource) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

    public StackSettings {
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(genesisSource, "genesisSource");
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

    /** 4 MiB frames, 64 MiB pending per peer, re-dial after 100 ms up to 10 s, 5 s handshakes, every interface. */
    public static StackSettings defaults() {
        return new StackSettings(DEFAULT_MAX_FRAME_BYTES, 64 * 1024 * 1024, 100, 10_000, 5_000, "0.0.0.0", "the pool genesis");
    }

    public StackSettings withMaxFrameBytes(int bytes) {
        return new StackSettings(bytes, maxPendingBytes, reconnectMinMillis, reconnectMaxMillis, handshakeTimeoutMillis, bindHost, genesisSource);
    }

    public StackSettings withMaxPendingBytes(int bytes) {
        return new StackSettings(maxFrameBytes, bytes, reconnectMinMillis, reconnectMaxMillis, handshakeTimeoutMillis, bindHost, genesisSource);
    }

    public StackSettings withReconnect(long minMillis, long maxMillis) {
        return new StackSettings(maxFrameBytes, maxPendingBytes, minMillis, maxMillis, handshakeTimeoutMillis, bindHost, genesisSource);
    }

    public StackSettings withHandshakeTimeout(long millis) {
        return new StackSettings(maxFrameBytes, maxPendingBytes, reconnectMinMillis, reconnectMaxMillis, millis, bindHost, genesisSource);
    }

    public StackSettings withBindHost(String host) {
        return new StackSettings(maxFrameBytes, maxPendingBytes, reconnectMinMillis, reconnectMaxMillis, handshakeTimeoutMillis, host, genesisSource);
    }

    /** Names the genesis file in port errors, e.g. {@code pool/pool_genesis.json}. */
    public StackSettings withGenesisSource(String source) {
        return new StackSettings(maxFrameBytes, maxPendingBytes, reconnectMinMillis, reconnectMaxMillis, handshakeTimeoutMillis, bindHost, source);
    }
}
