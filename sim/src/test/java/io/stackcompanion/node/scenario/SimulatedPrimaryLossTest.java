package io.stackcompanion.node.scenario;

import io.stackcompanion.node.config.NodeConfig;

import java.nio.file.Path;

/** {@link PrimaryLossScenarios} on the simulator: the primary stopped. */
class SimulatedPrimaryLossTest extends PrimaryLossScenarios {
    @Override
    protected Cluster newCluster(Path dir, int nodes, long seed, NodeConfig config) {
        return new SimulatedCluster(dir, nodes, seed, config);
    }

    @Override
    protected Load load() {
        return new Load(300, 500, 20);
    }
}
