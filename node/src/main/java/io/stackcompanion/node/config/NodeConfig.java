package io.stackcompanion.node.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The node's configuration: the documented defaults of {@code config/node.properties}, overridden by
 * the pool's and the node's own properties files, then environment variables, then {@code -D}
 * system properties. The one place that reads configuration; read once at start.
 */
public final class NodeConfig {
    public static final String STACK_COMPANION = "STACK_COMPANION";
    public static final String MAX_BATCH_SIZE = "MAX_BATCH_SIZE";
    public static final String MAX_BATCH_WAIT_MS = "MAX_BATCH_WAIT_MS";
    public static final String MAX_BATCHES_IN_FLIGHT = "MAX_BATCHES_IN_FLIGHT";
    public static final String PP_TIME_TOLERANCE_MS = "PP_TIME_TOLERANCE_MS";
    public static final String CHK_FREQ = "CHK_FREQ";
    public static final String LOG_SIZE = "LOG_SIZE";
    public static final String ORDERING_TIMEOUT_MS = "ORDERING_TIMEOUT_MS";
    public static final String VIEW_CHANGE_TIMEOUT_MS = "VIEW_CHANGE_TIMEOUT_MS";
    public static final String PRIMARY_DISCONNECT_GRACE_MS = "PRIMARY_DISCONNECT_GRACE_MS";
    public static final String CATCHUP_TIMEOUT_MS = "CATCHUP_TIMEOUT_MS";
    public static final String CATCHUP_BATCH_SIZE = "CATCHUP_BATCH_SIZE";
    public static final String MAX_FRAME_BYTES = "MAX_FRAME_BYTES";
    public static final String PARTIAL_FRAME_BUDGET_BYTES = "PARTIAL_FRAME_BUDGET_BYTES";
    public static final String CLIENT_IDLE_TIMEOUT_MS = "CLIENT_IDLE_TIMEOUT_MS";
    public static final String CLIENT_FRAME_TIMEOUT_MS = "CLIENT_FRAME_TIMEOUT_MS";
    public static final String CLIENT_MAX_CONNECTIONS = "CLIENT_MAX_CONNECTIONS";
    public static final String CLIENT_MAX_CONNECTIONS_PER_ADDRESS = "CLIENT_MAX_CONNECTIONS_PER_ADDRESS";
    public static final String WARN_INTERVAL_MS = "WARN_INTERVAL_MS";
    public static final String RECONNECT_MIN_MS = "RECONNECT_MIN_MS";
    public static final String RECONNECT_MAX_MS = "RECONNECT_MAX_MS";
    public static final String RANDOM_SEED = "RANDOM_SEED";
    public static final String RECORDER_SEGMENT_MB = "RECORDER_SEGMENT_MB";
    public static final String LOG_LEVEL = "LOG_LEVEL";

    private static final String DEFAULTS_RESOURCE = "/node.properties";

    /** Where each value came from, for error messages. */
    private final Map<String, String> values;
    private final Map<String, String> sources;

    private NodeConfig(Map<String, String> values, Map<String, String> sources) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
    }

    /** The defaults alone. */
    public static NodeConfig defaults() {
        return load(null, null, Map.of(), new Properties());
    }

    /**
     * The defaults with {@code overrides} on top (tests, tools); keys this build does not know are
     * left out. Errors name the value's source as an override.
     */
    public static NodeConfig defaultsWith(Map<String, String> overrides) {
        return overlayDefaults(overrides, "override", false);
    }

    /**
     * The defaults with {@code overrides} a user gave on top, e.g. {@code replay.sh --set KEY=VALUE}:
     * an unknown key is an error, and errors name {@code source} (e.g. {@code --set}) as where the
     * value came from.
     */
    public static NodeConfig defaultsWith(Map<String, String> overrides, String source) {
        return overlayDefaults(overrides, source, true);
    }

    private static NodeConfig overlayDefaults(Map<String, String> overrides, String source, boolean strict) {
        NodeConfig defaults = defaults();
        Map<String, String> values = new TreeMap<>(defaults.values);
        Map<String, String> sources = new TreeMap<>(defaults.sources);
        for (Map.Entry<String, String> e : new TreeMap<>(overrides).entrySet()) {
            if (!values.containsKey(e.getKey())) {
                if (strict) {
                    throw new ConfigException("unknown configuration key " + e.getKey() + " in " + source
                            + "; the keys and their defaults are listed in config/node.properties");
                }
                continue;
            }
            values.put(e.getKey(), e.getValue().trim());
            sources.put(e.getKey(), source);
        }
        NodeConfig config = new NodeConfig(values, sources);
        config.validate();
        return config;
    }

    /** Loads the layered configuration of node {@code node} in {@code baseDir} (either may be null). */
    public static NodeConfig load(Path baseDir, String node, Map<String, String> env, Properties system) {
        Map<String, String> values = new TreeMap<>();
        Map<String, String> sources = new TreeMap<>();
        Properties defaults = new Properties();
        try (InputStream in = NodeConfig.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the build lost " + DEFAULTS_RESOURCE);
            }
            defaults.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (String key : defaults.stringPropertyNames()) {
            values.put(key, defaults.getProperty(key).trim());
            sources.put(key, "config/node.properties");
        }
        if (baseDir != null) {
            overlayFile(values, sources, baseDir.resolve("node.properties"));
            if (node != null) {
                overlayFile(values, sources, baseDir.resolve("data").resolve(node).resolve("node.properties"));
            }
        }
        for (String key : defaults.stringPropertyNames()) {
            String v = env.get(key);
            if (v != null) {
                values.put(key, v.trim());
                sources.put(key, "environment variable " + key);
            }
            String s = system.getProperty(key);
            if (s != null) {
                values.put(key, s.trim());
                sources.put(key, "system property -D" + key);
            }
        }
        NodeConfig config = new NodeConfig(values, sources);
        config.validate();
        return config;
    }

    private static void overlayFile(Map<String, String> values, Map<String, String> sources, Path file) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        for (String key : new TreeMap<>(toMap(p)).keySet()) {
            if (!values.containsKey(key)) {
                throw new ConfigException("unknown configuration key " + key + " in " + file
                        + "; the keys are documented in config/node.properties");
            }
            values.put(key, p.getProperty(key).trim());
            sources.put(key, file.toString());
        }
    }

    private static Map<String, String> toMap(Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        return m;
    }

    private void validate() {
        int mode = intValue(STACK_COMPANION, 0, 2);
        maxBatchSize();
        maxBatchWaitMs();
        intValue(MAX_BATCHES_IN_FLIGHT, 1, 1000);
        longValue(PP_TIME_TOLERANCE_MS, 0, Long.MAX_VALUE);
        int chkFreq = chkFreq();
        int logSize = logSize();
        if (logSize < 2 * chkFreq) {
            throw new ConfigException(LOG_SIZE + "=" + logSize + " (from " + sources.get(LOG_SIZE) + ") must be at least 2 * "
                    + CHK_FREQ + " (" + 2 * chkFreq + "), or the primary stalls before a checkpoint can become stable");
        }
        orderingTimeoutMs();
        viewChangeTimeoutMs();
        primaryDisconnectGraceMs();
        catchupTimeoutMs();
        catchupBatchSize();
        int maxFrame = maxFrameBytes();
        long budget = partialFrameBudgetBytes();
        if (budget < maxFrame) {
            throw new ConfigException(PARTIAL_FRAME_BUDGET_BYTES + "=" + budget + " (from " + sources.get(PARTIAL_FRAME_BUDGET_BYTES)
                    + ") is below " + MAX_FRAME_BYTES + " (" + maxFrame + "): a frame of the largest size could never arrive");
        }
        clientIdleTimeoutMs();
        clientFrameTimeoutMs();
        clientMaxConnections();
        clientMaxConnectionsPerAddress();
        warnIntervalMs();
        int min = intValue(RECONNECT_MIN_MS, 1, 3_600_000);
        int max = intValue(RECONNECT_MAX_MS, 1, 3_600_000);
        if (max < min) {
            throw new ConfigException(RECONNECT_MAX_MS + " (" + max + ") is below " + RECONNECT_MIN_MS + " (" + min + ")");
        }
        recorderSegmentBytes();
        String seed = values.get(RANDOM_SEED);
        if (!seed.isEmpty()) {
            longValue(RANDOM_SEED, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        String level = values.get(LOG_LEVEL).toUpperCase(java.util.Locale.ROOT);
        if (!java.util.List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
            throw new ConfigException(LOG_LEVEL + "=" + values.get(LOG_LEVEL) + " (from " + sources.get(LOG_LEVEL)
                    + ") is not one of TRACE, DEBUG, INFO, WARN, ERROR");
        }
        assert mode >= 0;
    }

    /** 0 normal, 1 record, 2 replay. */
    public int stackCompanion() {
        return intValue(STACK_COMPANION, 0, 2);
    }

    public int maxBatchSize() {
        return intValue(MAX_BATCH_SIZE, 1, 100_000);
    }

    public long maxBatchWaitMs() {
        return longValue(MAX_BATCH_WAIT_MS, 0, 3_600_000);
    }

    public int maxBatchesInFlight() {
        return intValue(MAX_BATCHES_IN_FLIGHT, 1, 1000);
    }

    public long ppTimeToleranceMs() {
        return longValue(PP_TIME_TOLERANCE_MS, 0, Long.MAX_VALUE);
    }

    /** Batches between checkpoints. */
    public int chkFreq() {
        return intValue(CHK_FREQ, 1, 1_000_000);
    }

    /** How far above the stable checkpoint batches may be proposed and accepted (watermarks). */
    public int logSize() {
        return intValue(LOG_SIZE, 2, 10_000_000);
    }

    public long orderingTimeoutMs() {
        return longValue(ORDERING_TIMEOUT_MS, 1, 3_600_000);
    }

    public long viewChangeTimeoutMs() {
        return longValue(VIEW_CHANGE_TIMEOUT_MS, 1, 3_600_000);
    }

    public long primaryDisconnectGraceMs() {
        return longValue(PRIMARY_DISCONNECT_GRACE_MS, 0, 3_600_000);
    }

    public long catchupTimeoutMs() {
        return longValue(CATCHUP_TIMEOUT_MS, 1, 3_600_000);
    }

    public int catchupBatchSize() {
        return intValue(CATCHUP_BATCH_SIZE, 1, 100_000);
    }

    public int maxFrameBytes() {
        return intValue(MAX_FRAME_BYTES, 1024, Integer.MAX_VALUE);
    }

    /** Bytes one stack may hold in frames not yet complete, over all its connections. */
    public long partialFrameBudgetBytes() {
        return longValue(PARTIAL_FRAME_BUDGET_BYTES, 1024, 1L << 40);
    }

    /** A client connection with no traffic either way for this long is closed; 0: never. */
    public long clientIdleTimeoutMs() {
        return longValue(CLIENT_IDLE_TIMEOUT_MS, 0, 86_400_000);
    }

    /** A client frame must be complete this long after its first byte; 0: no limit. */
    public long clientFrameTimeoutMs() {
        return longValue(CLIENT_FRAME_TIMEOUT_MS, 0, 3_600_000);
    }

    public int clientMaxConnections() {
        return intValue(CLIENT_MAX_CONNECTIONS, 1, 1_000_000);
    }

    public int clientMaxConnectionsPerAddress() {
        return intValue(CLIENT_MAX_CONNECTIONS_PER_ADDRESS, 1, 1_000_000);
    }

    /** A repeated warning is logged once per peer per interval; 0: every one. */
    public long warnIntervalMs() {
        return longValue(WARN_INTERVAL_MS, 0, 3_600_000);
    }

    public int reconnectMinMs() {
        return intValue(RECONNECT_MIN_MS, 1, 3_600_000);
    }

    public int reconnectMaxMs() {
        return intValue(RECONNECT_MAX_MS, 1, 3_600_000);
    }

    /** Size of the recorder's journal segments (each becomes one table file in the recording). */
    public long recorderSegmentBytes() {
        return (long) intValue(RECORDER_SEGMENT_MB, 1, 1024) << 20;
    }

    /** The core's random seed: configured, or derived from the node name so runs repeat. */
    public long randomSeed(String nodeName) {
        String seed = values.get(RANDOM_SEED);
        return seed.isEmpty() ? nodeName.hashCode() : longValue(RANDOM_SEED, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public String logLevel() {
        return values.get(LOG_LEVEL).toUpperCase(java.util.Locale.ROOT);
    }

    /** Every key and value, sorted by key: what a recording stores as the node's configuration. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The same configuration with {@code key} set to {@code value} (validated). */
    public NodeConfig with(String key, String value) {
        if (!values.containsKey(key)) {
            throw new ConfigException("unknown configuration key " + key);
        }
        Map<String, String> v = new TreeMap<>(values);
        Map<String, String> s = new TreeMap<>(sources);
        v.put(key, value);
        s.put(key, "override");
        NodeConfig c = new NodeConfig(v, s);
        c.validate();
        return c;
    }

    private int intValue(String key, int min, int max) {
        long v = longValue(key, min, max);
        return (int) v;
    }

    private long longValue(String key, long min, long max) {
        String raw = values.get(key);
        long v;
        try {
            v = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + "=" + raw + " (from " + sources.get(key) + ") is not a whole number");
        }
        if (v < min || v > max) {
            throw new ConfigException(key + "=" + raw + " (from " + sources.get(key) + ") is outside " + min + ".." + max);
        }
        return v;
    }
}
