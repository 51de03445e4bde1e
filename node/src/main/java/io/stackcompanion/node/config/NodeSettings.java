package io.stackcompanion.node.config;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The node's configuration as typed, validated values: built once by {@link NodeConfig} from the
 * layered string values, by the table in {@link ConfigKey}.
 *
 * @param stackCompanion 0 normal, 1 record, 2 replay
 * @param precheckSignatures client requests' signatures verified on the stacks' threads (a client's REQUEST, a node's PROPAGATE), not the core's
 * @param configuredSeed the core's random seed, or {@code null} to derive it from the node name
 * @param logLevel       upper case: TRACE, DEBUG, INFO, WARN or ERROR
 */
public record NodeSettings(int stackCompanion, CoreSettings core, int maxFrameBytes, long partialFrameBudgetBytes,
                           long clientIdleTimeoutMs, long clientFrameTimeoutMs, int clientMaxConnections,
                           int clientMaxConnectionsPerAddress, long warnIntervalMs, int reconnectMinMs,
                           int reconnectMaxMs, long recorderSegmentBytes, boolean precheckSignatures, Long configuredSeed,
                           String logLevel) {

    /** The core's random seed: configured, or derived from the node name so runs repeat. */
    public long randomSeed(String nodeName) {
        return configuredSeed == null ? nodeName.hashCode() : configuredSeed;
    }

    /** Parses every key of {@code values} by {@link ConfigKey}; errors name the value's source. */
    static NodeSettings parse(Map<String, String> values, Map<String, String> sources) {
        Map<ConfigKey, Object> v = new EnumMap<>(ConfigKey.class);
        for (ConfigKey key : ConfigKey.values()) {
            v.put(key, key.parse(values.get(key.name()), sources.get(key.name())));
            checkAcrossKeys(key, v, sources);
        }
        CoreSettings core = new CoreSettings(integer(v, ConfigKey.MAX_BATCH_SIZE), millis(v, ConfigKey.MAX_BATCH_WAIT_MS),
                integer(v, ConfigKey.MAX_BATCHES_IN_FLIGHT), millis(v, ConfigKey.PP_TIME_TOLERANCE_MS),
                integer(v, ConfigKey.CHK_FREQ), integer(v, ConfigKey.LOG_SIZE),
                millis(v, ConfigKey.ORDERING_TIMEOUT_MS), millis(v, ConfigKey.VIEW_CHANGE_TIMEOUT_MS),
                millis(v, ConfigKey.PRIMARY_DISCONNECT_GRACE_MS), millis(v, ConfigKey.CATCHUP_TIMEOUT_MS),
                integer(v, ConfigKey.CATCHUP_BATCH_SIZE));
        return new NodeSettings(integer(v, ConfigKey.STACK_COMPANION), core, integer(v, ConfigKey.MAX_FRAME_BYTES),
                whole(v, ConfigKey.PARTIAL_FRAME_BUDGET_BYTES),
                whole(v, ConfigKey.CLIENT_IDLE_TIMEOUT_MS), whole(v, ConfigKey.CLIENT_FRAME_TIMEOUT_MS),
                integer(v, ConfigKey.CLIENT_MAX_CONNECTIONS), integer(v, ConfigKey.CLIENT_MAX_CONNECTIONS_PER_ADDRESS),
                whole(v, ConfigKey.WARN_INTERVAL_MS), integer(v, ConfigKey.RECONNECT_MIN_MS), integer(v, ConfigKey.RECONNECT_MAX_MS),
                whole(v, ConfigKey.RECORDER_SEGMENT_MB) << 20, integer(v, ConfigKey.PRECHECK_SIGNATURES) == 1,
                (Long) v.get(ConfigKey.RANDOM_SEED),
                (String) v.get(ConfigKey.LOG_LEVEL));
    }

    /**
     * The rules between two keys, checked as soon as the later key of the table is read, so that of
     * several bad values the first in table order is the one reported.
     */
    private static void checkAcrossKeys(ConfigKey key, Map<ConfigKey, Object> v, Map<String, String> sources) {
        if (key == ConfigKey.LOG_SIZE) {
            int chkFreq = integer(v, ConfigKey.CHK_FREQ);
            if (integer(v, ConfigKey.LOG_SIZE) < 2 * chkFreq) {
                throw new ConfigException(stated(ConfigKey.LOG_SIZE, v, sources) + " must be at least 2 * "
                        + stated(ConfigKey.CHK_FREQ, v, sources) + ", or the primary stalls before a checkpoint can become stable");
            }
        } else if (key == ConfigKey.PARTIAL_FRAME_BUDGET_BYTES) {
            if (whole(v, ConfigKey.PARTIAL_FRAME_BUDGET_BYTES) < integer(v, ConfigKey.MAX_FRAME_BYTES)) {
                throw new ConfigException(stated(ConfigKey.PARTIAL_FRAME_BUDGET_BYTES, v, sources) + " is below "
                        + stated(ConfigKey.MAX_FRAME_BYTES, v, sources) + ": a frame of the largest size could never arrive");
            }
        } else if (key == ConfigKey.RECONNECT_MAX_MS) {
            if (integer(v, ConfigKey.RECONNECT_MAX_MS) < integer(v, ConfigKey.RECONNECT_MIN_MS)) {
                throw new ConfigException(stated(ConfigKey.RECONNECT_MAX_MS, v, sources) + " is below "
                        + stated(ConfigKey.RECONNECT_MIN_MS, v, sources) + ": the backoff's upper bound under its lower");
            }
        }
    }

    /** {@code KEY=VALUE (from SOURCE)}: a value as an error names it, with the layer it came from. */
    private static String stated(ConfigKey key, Map<ConfigKey, Object> v, Map<String, String> sources) {
        return key + "=" + v.get(key) + " (from " + sources.get(key.name()) + ")";
    }

    private static long whole(Map<ConfigKey, Object> v, ConfigKey key) {
        return (Long) v.get(key);
    }

    /** Ranges in {@link ConfigKey} keep every key read here within an int. */
    private static int integer(Map<ConfigKey, Object> v, ConfigKey key) {
        return Math.toIntExact(whole(v, key));
    }

    private static Duration millis(Map<ConfigKey, Object> v, ConfigKey key) {
        return Duration.ofMillis(whole(v, key));
    }
}
