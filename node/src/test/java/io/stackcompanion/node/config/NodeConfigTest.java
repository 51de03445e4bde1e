package io.stackcompanion.node.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeConfigTest {
    @TempDir
    Path base;

    @Test
    void defaultsComeFromConfigNodeProperties() {
        NodeConfig c = NodeConfig.defaults();
        assertThat(c.settings().stackCompanion()).isZero();
        assertThat(c.settings().core().maxBatchSize()).isPositive();
        assertThat(c.asMap()).containsKeys(ConfigKey.STACK_COMPANION.name(), ConfigKey.MAX_BATCH_WAIT_MS.name(), ConfigKey.LOG_LEVEL.name());
    }

    @Test
    void poolFileThenNodeFileThenEnvironmentThenSystemProperty() throws Exception {
        Files.writeString(base.resolve("node.properties"), "MAX_BATCH_SIZE=10\nMAX_BATCH_WAIT_MS=7\nLOG_LEVEL=DEBUG\n");
        Files.createDirectories(base.resolve("data/Node2"));
        Files.writeString(base.resolve("data/Node2/node.properties"), "MAX_BATCH_SIZE=20\nMAX_BATCHES_IN_FLIGHT=2\n");
        Properties sys = new Properties();
        sys.setProperty("MAX_BATCHES_IN_FLIGHT", "9");
        NodeConfig c = NodeConfig.load(base, "Node2", Map.of("MAX_BATCH_WAIT_MS", "8", "STACK_COMPANION", "1"), sys);
        assertThat(c.settings().core().maxBatchSize()).isEqualTo(20);        // node file over pool file
        assertThat(c.settings().core().maxBatchWait().toMillis()).isEqualTo(8);        // environment over files
        assertThat(c.settings().core().maxBatchesInFlight()).isEqualTo(9);    // -D over everything
        assertThat(c.settings().stackCompanion()).isEqualTo(1);
        assertThat(c.settings().logLevel()).isEqualTo("DEBUG");
        // Another node of the same pool does not see Node2's file.
        assertThat(NodeConfig.load(base, "Node3", Map.of(), new Properties()).settings().core().maxBatchSize()).isEqualTo(10);
    }

    @Test
    void badValuesAndUnknownKeysSayWhereTheyCameFrom() throws Exception {
        assertThatThrownBy(() -> NodeConfig.load(null, null, Map.of("STACK_COMPANION", "3"), new Properties()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("STACK_COMPANION=3 (from environment variable STACK_COMPANION) is outside 0..2");
        assertThatThrownBy(() -> NodeConfig.load(null, null, Map.of("MAX_BATCH_SIZE", "many"), new Properties()))
                .hasMessageContaining("is not a whole number");
        Files.writeString(base.resolve("node.properties"), "MAX_BACH_SIZE=10\n");
        assertThatThrownBy(() -> NodeConfig.load(base, "Node1", Map.of(), new Properties()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown configuration key MAX_BACH_SIZE in " + base.resolve("node.properties"));
    }

    @Test
    void connectionLimitsAreRangeChecked() {
        NodeConfig c = NodeConfig.defaults();
        assertThat(c.settings().partialFrameBudgetBytes()).isEqualTo(64L << 20);
        assertThat(c.settings().clientMaxConnectionsPerAddress()).isEqualTo(100);
        assertThatThrownBy(() -> NodeConfig.defaultsWith(java.util.Map.of(ConfigKey.PARTIAL_FRAME_BUDGET_BYTES.name(), "1048576")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PARTIAL_FRAME_BUDGET_BYTES=1048576 (from override) is below MAX_FRAME_BYTES=4194304 (from config/node.properties):"
                        + " a frame of the largest size could never arrive");
        assertThatThrownBy(() -> NodeConfig.defaultsWith(java.util.Map.of(ConfigKey.CLIENT_MAX_CONNECTIONS.name(), "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CLIENT_MAX_CONNECTIONS=0").hasMessageContaining("outside 1..");
        assertThatThrownBy(() -> NodeConfig.defaultsWith(java.util.Map.of(ConfigKey.CLIENT_IDLE_TIMEOUT_MS.name(), "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("outside 0..");
    }
}
