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
                .hasMessageContaining("LOG_SIZE=300 (from config/node.properties) must be at least 2 * CHK_FREQ (400)");
        // Tools' overrides (the replayer's recorded configuration) are not system properties either.
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("MAX_BATCH_SIZE", "abc")))
                .hasMessageNotContaining("-D").hasMessageContaining("(from override)");
    }

    @Test
    void goodValuesApplyAndTheLenientFormKeepsLeavingUnknownKeysOut() {
        NodeConfig c = NodeConfig.defaultsWith(Map.of("MAX_BATCH_SIZE", " 7 ", "CHK_FREQ", "200", "LOG_SIZE", "400"), "--set");
        assertThat(c.settings().core().maxBatchSize()).isEqualTo(7);
        assertThat(c.settings().core().logSize()).isEqualTo(400);
        assertThat(NodeConfig.defaultsWith(Map.of("FROM_A_NEWER_BUILD", "1")).asMap()).doesNotContainKey("FROM_A_NEWER_BUILD");
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
                .hasMessageContaining("LOG_SIZE=300 (from config/node.properties) must be at least 2 * CHK_FREQ (400)");
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("LOG_SIZE", "1", "CHK_FREQ", "200"), "--set"))
                .hasMessage("LOG_SIZE=1 (from --set) is outside 2..10000000");
    }
}
