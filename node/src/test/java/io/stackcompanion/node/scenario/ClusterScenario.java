package io.stackcompanion.node.scenario;

import io.stackcompanion.node.config.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The base of every group of scenarios: a scenario class is abstract and says what happens and what
 * a client and an operator would see, through {@link Cluster}; one concrete subclass per kind of
 * cluster says which cluster to build. The assertions here are the scenarios' shared vocabulary.
 */
abstract class ClusterScenario {
    @TempDir
    Path dir;

    private Cluster cluster;

    /**
     * A new, not yet started cluster of {@code nodes} nodes in {@code dir} with {@code config};
     * {@code seed} decides a simulated run.
     */
    protected abstract Cluster newCluster(Path dir, int nodes, long seed, NodeConfig config);

    /** How long to wait for what should happen (simulated time on the simulator). */
    protected Duration patience() {
        return Duration.ofSeconds(60);
    }

    /** The cluster of this test, started; closed after the test, passed or failed. */
    protected Cluster startCluster(int nodes, long seed) {
        return startCluster(nodes, seed, NodeConfig.defaults());
    }

    protected Cluster startCluster(int nodes, long seed, NodeConfig config) {
        cluster = newCluster(dir, nodes, seed, config);
        cluster.startAll();
        return cluster;
    }

    @AfterEach
    void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Runs a workload of {@code requests} at {@code rate} per second to its end. */
    Workload.Outcome ordered(Cluster c, int requests, int rate) {
        return c.load(requests, rate).finish(patience());
    }

    static long ledgerSize(Cluster c, String node) {
        return c.state(node).map(Cluster.NodeState::ledgerSize).orElse(-1L);
    }

    /** Waits until {@code nodes} all hold {@code size} transactions (replicas may lag the client), then requires one ledger root. */
    void awaitSameLedgers(Cluster c, List<String> nodes, long size) {
        Map<String, Cluster.NodeState>[] last = new Map[1];
        c.await("ledger size " + size + " on " + nodes, patience(), () -> {
            last[0] = c.states();
            return nodes.stream().allMatch(n -> last[0].containsKey(n) && last[0].get(n).ledgerSize() == size);
        });
        assertSameLedgers(last[0], nodes);
    }

    static void assertSameLedgers(Map<String, Cluster.NodeState> states, List<String> nodes) {
        List<Cluster.NodeState> of = nodes.stream().map(n -> {
            assertThat(states).as("the nodes that answer").containsKey(n);
            return states.get(n);
        }).toList();
        assertThat(of).extracting(Cluster.NodeState::ledgerSize).as("ledger sizes of %s", nodes).containsOnly(of.get(0).ledgerSize());
        assertThat(of).extracting(Cluster.NodeState::ledgerRoot).as("ledger roots of %s", nodes).containsOnly(of.get(0).ledgerRoot());
    }

    /**
     * Every request of the workloads confirmed and ordered exactly once in {@code node}'s ledger (which
     * holds nothing else), every confirmed reply naming its place there.
     */
    static void assertOrderedExactlyOnce(Cluster c, String node, Workload.Outcome... outcomes) {
        long total = 0;
        Map<String, Long> seqNos = new TreeMap<>();
        for (Workload.Outcome o : outcomes) {
            assertThat(o.failed()).as("requests the client gave up on").isZero();
            assertThat(o.confirmed()).as("confirmed requests").isEqualTo(o.requests());
            total += o.requests();
            seqNos.putAll(o.seqNos());
        }
        long size = ledgerSize(c, node);
        assertThat(size).as("ledger size of %s", node).isEqualTo(total);
        Set<Long> distinct = new HashSet<>(seqNos.values());
        assertThat(distinct).as("distinct seqNos of the confirmed replies").hasSize(seqNos.size());
        assertThat(distinct).allMatch(s -> s >= 1 && s <= size);
        Optional<Map<String, Long>> positions = c.ledgerPositions(node);
        if (positions.isPresent()) {
            assertThat(positions.get()).as("requests in %s's ledger, each once", node).hasSize((int) total);
            assertThat(positions.get()).as("where each confirmed reply said its request is").containsAllEntriesOf(seqNos);
        }
    }

    /** The nodes' views: all at least {@code view}, and the same. */
    static int assertSameViewAtLeast(Cluster c, List<String> nodes, int view) {
        Map<String, Cluster.NodeState> states = c.states();
        List<Integer> views = nodes.stream().map(n -> states.get(n).view()).toList();
        assertThat(views).as("views of %s", nodes).allMatch(v -> v >= view).containsOnly(views.get(0));
        return views.get(0);
    }
}
