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
     * The defaults with {@code overrides} on top (tests, tools): an unknown key is an error, and
     * errors name the value's source as an override.
     */
    public static NodeConfig defaultsWith(Map<String, String> overrides) {
        return defaultsWith(overrides, "override");
    }

    /**
     * The defaults with {@code overrides} a user gave on top, e.g. {@code replay.sh --set KEY=VALUE}:
     * an unknown key is an error, and errors name {@code source} (e.g. {@code --set}) as where the
     * value came from.
     */
    public static NodeConfig defaultsWith(Map<String, String> overrides, String source) {
        NodeConfig defaults = defaults();
        Map<String, String> values = new TreeMap<>(defaults.values);
        Map<String, String> sources = new TreeMap<>(defaults.sources);
        Map<String, String> unknown = overlay(values, sources, overrides, source);
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown configuration key " + String.join(", ", unknown.keySet()) + " in " + source
                    + "; the keys and their defaults are listed in config/node.properties");
        }
        return new NodeConfig(values, sources);
    }

    /**
     * Checks each of {@code overrides} alone, before they are laid over a configuration not read yet
     * (e.g. {@code --set} over a recording's): its key must be known and its value of the key's type
     * and range. Rules between two keys are checked when the whole configuration is built.
     */
    public static void checkEach(Map<String, String> overrides, String source) {
        Map<String, ConfigKey> known = new TreeMap<>();
        for (ConfigKey k : ConfigKey.values()) {
            known.put(k.name(), k);
        }
        for (Map.Entry<String, String> e : new TreeMap<>(overrides).entrySet()) {
            ConfigKey key = known.get(e.getKey());
            if (key == null) {
                throw new ConfigException("unknown configuration key " + e.getKey() + " in " + source
                        + "; the keys and their defaults are listed in config/node.properties");
            }
            key.parse(e.getValue().trim(), source);
        }
    }

    /**
     * The configuration a recorded node ran with, rebuilt to replay it: the defaults, then
     * {@code recorded} (what the recording stores, {@link #asMap()} of the recorded node; a key an
     * older build did not have keeps its default), then {@code overrides} from {@code --set}. Errors
     * name {@code recording} or {@code --set} as where the value came from.
     *
     * <p>A recorded key this build does not know (a newer build made the recording) changes what the
     * recorded node did in a way this build cannot reproduce: it is an error naming the key and
     * {@code recording}, unless {@code ignoreUnknown}; then it is left out, and listed in
     * {@link Replayed#ignored()} for the verdict to say so.
     */
    public static Replayed forReplay(Map<String, String> recorded, String recording, Map<String, String> overrides,
                                     boolean ignoreUnknown) {
        NodeConfig defaults = defaults();
        Map<String, String> values = new TreeMap<>(defaults.values);
        Map<String, String> sources = new TreeMap<>(defaults.sources);
        Map<String, String> ignored = overlay(values, sources, recorded, recording);
        if (!ignored.isEmpty() && !ignoreUnknown) {
            StringBuilder keys = new StringBuilder();
            ignored.forEach((k, v) -> keys.append(keys.length() == 0 ? "" : ", ").append(k).append('=').append(v));
            throw new ConfigException(recording + " was made with configuration key" + (ignored.size() > 1 ? "s " : " ") + keys
                    + ", which this build does not know (a newer Stack Companion recorded it); replay it with the build that"
                    + " recorded it, or pass --ignore-unknown-config to replay as if " + (ignored.size() > 1 ? "they were" : "it were")
                    + " not set");
        }
        Map<String, String> unknown = overlay(values, sources, overrides, "--set");
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown configuration key " + String.join(", ", unknown.keySet())
                    + " in --set; the keys and their defaults are listed in config/node.properties");
        }
        return new Replayed(new NodeConfig(values, sources), ignored);
    }

    /**
     * A recorded node's configuration as rebuilt by {@link #forReplay}.
     *
     * @param ignored the recorded keys this build does not know, with their values, left out (sorted)
     */
    public record Replayed(NodeConfig config, Map<String, String> ignored) {
        public Replayed {
            ignored = Collections.unmodifiableMap(new TreeMap<>(ignored));
        }
    }

    /**
     * Puts the known keys of {@code layer} over {@code values}, noting {@code source} as theirs;
     * returns the unknown ones, sorted, untouched.
     */
    private static Map<String, String> overlay(Map<String, String> values, Map<String, String> sources,
                                               Map<String, String> layer, String source) {
        Map<String, String> unknown = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(layer).entrySet()) {
            if (!values.containsKey(e.getKey())) {
                unknown.put(e.getKey(), e.getValue());
                continue;
            }
            values.put(e.getKey(), e.getValue().trim());
            sources.put(e.getKey(), source);
        }
        return unknown;
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
        Map<String, String> unknown = overlay(values, sources, toMap(p), file.toString());
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown configuration key " + String.join(", ", unknown.keySet()) + " in " + file
                    + "; the keys and their defaults are listed in config/node.properties");
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
