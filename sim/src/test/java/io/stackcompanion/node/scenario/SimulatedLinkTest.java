package io.stackcompanion.node.scenario;

import io.stackcompanion.node.config.NodeConfig;

import java.nio.file.Path;

/** {@link LinkScenarios} on the simulator. */
class SimulatedLinkTest extends LinkScenarios {
    @Override
    protected Cluster newCluster(Path dir, int nodes, long seed, NodeConfig config) {
        return new SimulatedCluster(dir, nodes, seed, config);
    }
}
