package io.stackcompanion.node.scenario;

import io.stackcompanion.node.config.NodeConfig;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link PrimaryLossScenarios} on real nodes in this JVM: the primary stopped. */
class InProcessPrimaryLossTest extends PrimaryLossScenarios {
    @Override
    protected Cluster newCluster(Path dir, int nodes, long seed, NodeConfig config) {
        return new InProcessCluster(dir, nodes, config);
    }

    @Override
    protected Load load() {
        return new Load(900, 300, 1);
    }

    @Override
    protected void afterScenario(Cluster c) {
        assertThat(((InProcessCluster) c).failures()).isEmpty();
    }
}
