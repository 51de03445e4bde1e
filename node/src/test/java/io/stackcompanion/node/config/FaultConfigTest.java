package io.stackcompanion.node.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fault-tolerance keys: documented defaults, and one-line errors for values that cannot work. */
class FaultConfigTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        NodeConfig c = NodeConfig.defaults();
        assertThat(c.settings().core().chkFreq()).isEqualTo(100);
        assertThat(c.settings().core().logSize()).isEqualTo(300);
        assertThat(c.settings().core().orderingTimeout().toMillis()).isEqualTo(8000);
        assertThat(c.settings().core().viewChangeTimeout().toMillis()).isEqualTo(5000);
        assertThat(c.settings().core().primaryDisconnectGrace().toMillis()).isEqualTo(1000);
        assertThat(c.settings().core().catchupTimeout().toMillis()).isEqualTo(2000);
        assertThat(c.settings().core().catchupBatchSize()).isEqualTo(500);
    }

    @Test
    void aLogTooSmallForTwoCheckpointsIsAOneLineError() {
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("CHK_FREQ", "100", "LOG_SIZE", "150")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("LOG_SIZE=150")
                .hasMessageContaining("at least 2 * CHK_FREQ=100 (from override)")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aNonNumericTimeoutNamesTheKeyAndWhereItCameFrom() {
        assertThatThrownBy(() -> NodeConfig.defaultsWith(Map.of("ORDERING_TIMEOUT_MS", "soon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ORDERING_TIMEOUT_MS=soon")
                .hasMessageContaining("not a whole number");
    }
}
