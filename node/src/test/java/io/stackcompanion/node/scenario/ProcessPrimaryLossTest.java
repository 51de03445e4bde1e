package io.stackcompanion.node.scenario;

import io.stackcompanion.node.config.NodeConfig;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PrimaryLossScenarios} on four JVM processes ({@code pool.sh}, {@code load.sh}): the primary
 * killed with SIGKILL ({@code pool.sh kill Node1}), restarted with {@code pool.sh start Node1}.
 */
class ProcessPrimaryLossTest extends PrimaryLossScenarios {
    @Override
    protected Cluster newCluster(Path dir, int nodes, long seed, NodeConfig config) {
        return new ProcessCluster(dir);
    }

    @Override
    protected Load load() {
        return new Load(1200, 300, 10);
    }

    @Override
    protected void losePrimary(Cluster c, String node) {
        c.kill(node);
    }

    /** The operator sees it too: {@code pool.sh status --json} shows all four running, in one view, with one ledger. */
    @Override
    protected void afterScenario(Cluster c) {
        Map<String, Cluster.NodeState> seen = ((ProcessCluster) c).operatorStates();
        assertThat(seen.keySet()).containsExactlyElementsOf(c.names());
        assertSameLedgers(seen, c.names());
        assertThat(seen.values()).extracting(Cluster.NodeState::view).containsOnly(seen.get("Node2").view());
        // For the operator: what the nodes logged about the fault.
        for (String n : java.util.List.of("Node1", "Node2")) {
            ((ProcessCluster) c).faultLog(n).forEach(l -> System.out.println(n + ": " + l));
        }
    }
}
