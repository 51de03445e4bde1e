package io.stackcompanion.node.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The node's configuration: the documented defaults of {@code config/node.properties}, overridden by
 * the pool's and the node's own properties files, then environment variables, then {@code -D}
 * system properties. The one place that reads configuration; read once at start.
 */
public final class NodeConfig {

    private static final String DEFAULTS_RESOURCE = "/node.properties";

    private final Map<String, String> values;
    /** Where each value came from, for error messages. */
    private final Map<String, String> sources;
    private final NodeSettings settings;

    /** Parses and validates {@code values} once; errors name the layer each value came from. */
    private NodeConfig(Map<String, String> values, Map<String, String> sources) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
        this.settings = NodeSettings.parse(values, sources);
    }

    /** The typed, validated values. */
    public NodeSettings settings() {
        return settings;
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
        return new NodeConfig(values, sources);
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
        if (!values.keySet().equals(new TreeSet<>(Arrays.stream(ConfigKey.values()).map(Enum::name).toList()))) {
            throw new IllegalStateException(DEFAULTS_RESOURCE + " and ConfigKey list different keys: " + values.keySet());
        }
        if (baseDir != null) {
            overlayFile(values, sources, baseDir.resolve("node.properties"));
            if (node != null) {
                overlayFile(values, sources, baseDir.resolve("data").resolve(node).resolve("node.properties"));
            }
        }
        for (ConfigKey k : ConfigKey.values()) {
            String key = k.name();
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
        return new NodeConfig(values, sources);
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

    /** Every key and value, sorted by key: what a recording stores as the node's configuration. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The same configuration with {@code key} set to {@code value} (validated). */
    public NodeConfig with(ConfigKey key, String value) {
        Map<String, String> v = new TreeMap<>(values);
        Map<String, String> s = new TreeMap<>(sources);
        v.put(key.name(), value);
        s.put(key.name(), "override");
        return new NodeConfig(v, s);
    }
}
