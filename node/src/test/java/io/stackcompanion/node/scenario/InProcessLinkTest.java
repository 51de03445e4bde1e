package io.stackcompanion.node.scenario;

import io.stackcompanion.node.config.NodeConfig;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LinkScenarios} on real nodes in this JVM, the firewall on each node's sending seam. */
class InProcessLinkTest extends LinkScenarios {
    private InProcessCluster cluster;

    @Override
    protected Cluster newCluster(Path dir, int nodes, long seed, NodeConfig config) {
        cluster = new InProcessCluster(dir, nodes, config);
        return cluster;
    }

    @org.junit.jupiter.api.AfterEach
    void noCoreFailed() {
        assertThat(cluster.failures()).isEmpty();
    }
}
