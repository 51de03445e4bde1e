package io.stackcompanion.node.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys a user sets by hand (replay.sh --set): unknown keys refused, errors name where a value came from. */
class ConfigOverridesTest {
    @Test
    void anUnknownKeyIsRefusedAndPointsAtTheListOfKeys() {
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("NO_SUCH_KEY", "1"), "--set"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown configuration key NO_SUCH_KEY in --set; the keys and their defaults are listed in config/node.properties");
    }

    @Test
    void aBadValueNamesTheOptionItCameFromNotASystemProperty() {
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("MAX_BATCH_SIZE", "abc"), "--set"))
                .hasMessage("MAX_BATCH_SIZE=abc (from --set) is not a whole number");
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("MAX_BATCH_SIZE", "0"), "--set"))
                .hasMessage("MAX_BATCH_SIZE=0 (from --set) is outside 1..100000");
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("CHK_FREQ", "200"), "--set"))
                .hasMessageContaining("LOG_SIZE=300 (from config/node.properties) must be at least 2 * CHK_FREQ=200 (from --set)");
        // Tools' overrides (the replayer's recorded configuration) are not system properties either.
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("MAX_BATCH_SIZE", "abc")))
                .hasMessageNotContaining("-D").hasMessageContaining("(from override)");
    }

    @Test
    void goodValuesApplyAndEveryFormRefusesUnknownKeys() {
        NodeConfig c = NodeConfig.defaultsWith(Map.of("MAX_BATCH_SIZE", " 7 ", "CHK_FREQ", "200", "LOG_SIZE", "400"), "--set");
        assertThat(c.settings().core().maxBatchSize()).isEqualTo(7);
        assertThat(c.settings().core().logSize()).isEqualTo(400);
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("FROM_A_NEWER_BUILD", "1")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("unknown configuration key FROM_A_NEWER_BUILD in override;");
    }

    @Test
    void aSetValueIsCheckedAloneBeforeTheConfigurationItChangesIsRead() {
        NodeConfig.checkEach(Map.of("CHK_FREQ", "200", "LOG_LEVEL", "debug"), "--set"); // LOG_SIZE is checked against it later
        assertThatThrownBy(() -> NodeConfig.checkEach(Map.of("TYPO", "1"), "--set"))
                .hasMessage("unknown configuration key TYPO in --set; the keys and their defaults are listed in config/node.properties");
        assertThatThrownBy(() -> NodeConfig.checkEach(Map.of("CHK_FREQ", "0"), "--set"))
                .hasMessage("CHK_FREQ=0 (from --set) is outside 1..1000000");
    }

    @Test
    void aRecordedConfigurationIsRebuiltWithSetOnTopAndEachValueNamesItsLayer() {
        Map<String, String> recorded = new java.util.TreeMap<>(NodeConfig.defaults().asMap());
        recorded.put("LOG_SIZE", "1000");
        recorded.remove("WARN_INTERVAL_MS"); // recorded by an older build without this key: the default
        NodeConfig.Replayed r = NodeConfig.forReplay(recorded, "the recording of Node1 in rec", Map.of("CHK_FREQ", "400"), false);
        assertThat(r.ignored()).isEmpty();
        assertThat(r.config().settings().core().logSize()).isEqualTo(1000);
        assertThat(r.config().settings().core().chkFreq()).isEqualTo(400);
        assertThat(r.config().settings().warnIntervalMs()).isEqualTo(10_000);
        assertThatThrownBy(() -> NodeConfig.forReplay(recorded, "the recording of Node1 in rec", Map.of("CHK_FREQ", "600"), false))
                .hasMessage("LOG_SIZE=1000 (from the recording of Node1 in rec) must be at least 2 * CHK_FREQ=600 (from --set),"
                        + " or the primary stalls before a checkpoint can become stable");
        recorded.put("MAX_BATCH_SIZE", "0");
        assertThatThrownBy(() -> NodeConfig.forReplay(recorded, "the recording of Node1 in rec", Map.of(), false))
                .hasMessage("MAX_BATCH_SIZE=0 (from the recording of Node1 in rec) is outside 1..100000");
    }

    @Test
    void aRecordedKeyThisBuildDoesNotKnowIsRefusedUnlessTheUserOptsIn() {
        Map<String, String> recorded = new java.util.TreeMap<>(NodeConfig.defaults().asMap());
        recorded.put("FROM_A_NEWER_BUILD", "1");
        recorded.put("ALSO_NEWER", "x");
        assertThatThrownBy(() -> NodeConfig.forReplay(recorded, "the recording of Node1 in rec", Map.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the recording of Node1 in rec was made with configuration keys ALSO_NEWER=x, FROM_A_NEWER_BUILD=1, which"
                        + " this build does not know (a newer Stack Companion recorded it); replay it with the build that recorded it,"
                        + " or pass --ignore-unknown-config to replay as if they were not set");
        NodeConfig.Replayed r = NodeConfig.forReplay(recorded, "the recording of Node1 in rec", Map.of(), true);
        assertThat(r.ignored()).containsExactly(Map.entry("ALSO_NEWER", "x"), Map.entry("FROM_A_NEWER_BUILD", "1"));
        assertThat(r.config().asMap()).isEqualTo(NodeConfig.defaults().asMap());
        assertThatThrownBy(() -> NodeConfig.forReplay(recorded, "the recording of Node1 in rec", Map.of("TYPO", "1"), true))
                .hasMessageStartingWith("unknown configuration key TYPO in --set;");
    }

    @Test
    void theRecordedMapRebuildsTheSameConfiguration() {
        NodeConfig c = NodeConfig.defaultsWith(Map.of("MAX_BATCH_WAIT_MS", "500", "RANDOM_SEED", "-7", "LOG_LEVEL", "debug"), "--set");
        NodeConfig rebuilt = NodeConfig.defaultsWith(c.asMap());
        assertThat(rebuilt.asMap()).isEqualTo(c.asMap());
        assertThat(rebuilt.settings()).isEqualTo(c.settings());
        assertThat(c.asMap()).containsEntry("LOG_LEVEL", "debug");
        assertThat(c.settings().logLevel()).isEqualTo("DEBUG");
        assertThat(c.settings().randomSeed("Node1")).isEqualTo(-7);
        assertThat(NodeConfig.defaults().settings().randomSeed("Node1")).isEqualTo("Node1".hashCode());
    }

    @Test
    void ofSeveralBadValuesTheFirstInTableOrderIsReported() {
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("CHK_FREQ", "200", "ORDERING_TIMEOUT_MS", "soon"), "--set"))
                .hasMessageContaining("LOG_SIZE=300 (from config/node.properties) must be at least 2 * CHK_FREQ=200 (from --set)");
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("LOG_SIZE", "1", "CHK_FREQ", "200"), "--set"))
                .hasMessage("LOG_SIZE=1 (from --set) is outside 2..10000000");
    }
}
