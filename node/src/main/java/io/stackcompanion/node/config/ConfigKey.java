package io.stackcompanion.node.config;

import java.util.List;
import java.util.Locale;

/**
 * The one table of configuration keys: each key's name, type, range and where it is used, defined
 * once. The defaults and their documentation for users are in {@code config/node.properties}, which
 * must list exactly these keys (checked when it is read). {@link NodeSettings} is built from it.
 */
public enum ConfigKey {
    STACK_COMPANION(Type.WHOLE, 0, 2, "Node: 0 normal, 1 record, 2 replay"),
    MAX_BATCH_SIZE(Type.WHOLE, 1, 100_000, "core PrimaryBatcher: requests per batch"),
    MAX_BATCH_WAIT_MS(Type.WHOLE, 0, 3_600_000, "core PrimaryBatcher: longest wait before cutting a batch"),
    MAX_BATCHES_IN_FLIGHT(Type.WHOLE, 1, 1000, "core PrimaryBatcher: batches proposed and not yet ordered"),
    PP_TIME_TOLERANCE_MS(Type.WHOLE, 0, Long.MAX_VALUE, "core Ordering: accepted PRE-PREPARE clock skew"),
    CHK_FREQ(Type.WHOLE, 1, 1_000_000, "core Checkpoints, Catchup: batches between checkpoints"),
    LOG_SIZE(Type.WHOLE, 2, 10_000_000, "core Ordering, Checkpoints, ConsensusState: watermark window"),
    ORDERING_TIMEOUT_MS(Type.WHOLE, 1, 3_600_000, "core ViewChanges: request ordering timeout"),
    VIEW_CHANGE_TIMEOUT_MS(Type.WHOLE, 1, 3_600_000, "core ViewChanges: view change timeout"),
    PRIMARY_DISCONNECT_GRACE_MS(Type.WHOLE, 0, 3_600_000, "core ViewChanges: primary disconnect grace"),
    CATCHUP_TIMEOUT_MS(Type.WHOLE, 1, 3_600_000, "core Catchup: round timeout"),
    CATCHUP_BATCH_SIZE(Type.WHOLE, 1, 100_000, "core Catchup: transactions asked of a peer at once"),
    MAX_FRAME_BYTES(Type.WHOLE, 1024, Integer.MAX_VALUE, "Node -> StackSettings: largest frame"),
    PARTIAL_FRAME_BUDGET_BYTES(Type.WHOLE, 1024, 1L << 40, "Node -> StackSettings.Limits: partial frame budget"),
    CLIENT_IDLE_TIMEOUT_MS(Type.WHOLE, 0, 86_400_000, "Node -> StackSettings.Limits: client idle timeout"),
    CLIENT_FRAME_TIMEOUT_MS(Type.WHOLE, 0, 3_600_000, "Node -> StackSettings.Limits: client frame timeout"),
    CLIENT_MAX_CONNECTIONS(Type.WHOLE, 1, 1_000_000, "Node -> StackSettings.Limits: client connections"),
    CLIENT_MAX_CONNECTIONS_PER_ADDRESS(Type.WHOLE, 1, 1_000_000, "Node -> StackSettings.Limits: per address"),
    WARN_INTERVAL_MS(Type.WHOLE, 0, 3_600_000, "Node -> StackSettings.Limits: warning interval"),
    RECONNECT_MIN_MS(Type.WHOLE, 1, 3_600_000, "Node -> StackSettings: reconnect backoff lower bound"),
    RECONNECT_MAX_MS(Type.WHOLE, 1, 3_600_000, "Node -> StackSettings: reconnect backoff upper bound"),
    RECORDER_SEGMENT_MB(Type.WHOLE, 1, 1024, "NodeRecording: journal segment size"),
    PRECHECK_SIGNATURES(Type.WHOLE, 0, 1, "Node -> SignaturePrecheck: client signatures verified on the stacks' threads (REQUESTs, PROPAGATEs)"),
    RANDOM_SEED(Type.WHOLE_OR_EMPTY, Long.MIN_VALUE, Long.MAX_VALUE, "Node, Replayer: the core's random seed"),
    LOG_LEVEL(Type.LOG_LEVEL, 0, 0, "NodeMain: log level of the node's packages");

    /** How a key's string value is read. */
    enum Type { WHOLE, WHOLE_OR_EMPTY, LOG_LEVEL }

    private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    private final Type type;
    private final long min;
    private final long max;
    private final String usedBy;

    ConfigKey(Type type, long min, long max, String usedBy) {
        this.type = type;
        this.min = min;
        this.max = max;
        this.usedBy = usedBy;
    }

    /** Where the value is used, for a reader of this table. */
    public String usedBy() {
        return usedBy;
    }

    /**
     * The values this key accepts, as errors and the README's configuration table write them:
     * {@code MIN..MAX} ({@code MIN..} when there is no upper bound), or the list of levels.
     */
    public String range() {
        return switch (type) {
            case LOG_LEVEL -> String.join(", ", LEVELS);
            case WHOLE_OR_EMPTY -> "empty, or " + wholeRange();
            case WHOLE -> wholeRange();
        };
    }

    private String wholeRange() {
        if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
            return "any whole number";
        }
        return min + ".." + (max == Long.MAX_VALUE ? "" : max);
    }

    /**
     * The typed value of {@code raw}: a {@code Long} ({@code null} for an empty {@link Type#WHOLE_OR_EMPTY}),
     * or the upper-cased level; errors name the key, the value and {@code source}.
     */
    Object parse(String raw, String source) {
        switch (type) {
            case WHOLE_OR_EMPTY:
                if (raw.isEmpty()) {
                    return null;
                }
                return whole(raw, source);
            case LOG_LEVEL:
                String level = raw.toUpperCase(Locale.ROOT);
                if (!LEVELS.contains(level)) {
                    throw new ConfigException(name() + "=" + raw + " (from " + source + ") is not one of " + range());
                }
                return level;
            default:
                return whole(raw, source);
        }
    }

    private Long whole(String raw, String source) {
        long v;
        try {
            v = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException(name() + "=" + raw + " (from " + source + ") is not a whole number");
        }
        if (v < min || v > max) {
            throw new ConfigException(name() + "=" + raw + " (from " + source + ") is outside " + range());
        }
        return v;
    }
}
