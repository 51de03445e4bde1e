package io.stackcompanion.node.scenario;

import io.stackcompanion.node.pool.Firewall;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * A pool of nodes a scenario runs on, whatever the pool is made of: the simulator
 * ({@link SimulatedCluster}: real cores on simulated time), real nodes in this JVM
 * ({@link InProcessCluster}: sockets, RocksDB, the Java client) or real processes
 * ({@link ProcessCluster}: {@code pool.sh} and {@code load.sh}). A scenario is written once against
 * this interface, in an abstract class, and runs on each kind of cluster through one concrete
 * subclass per kind (Apache Ratis's tests-per-cluster-type pattern).
 *
 * <p>Time is the cluster's own: simulated time on the simulator (waiting runs the simulation), the
 * wall clock on real nodes. Closing a cluster stops every node, client and process it started.
 */
public interface Cluster extends AutoCloseable {
    /** Where a node stands, as its status shows it. */
    record NodeState(String name, int view, long ledgerSize, String ledgerRoot) {
    }

    /** Names the kind of cluster in messages and measurements ("simulator", "in-process", "processes"). */
    String kind();

    /** The nodes, in genesis order (Node1 is the first primary). */
    List<String> names();

    /** Starts every node and waits until they are connected. */
    void startAll();

    /** Stops {@code node} cleanly (its store closed, its recording ended). */
    void stop(String node);

    /**
     * Kills {@code node} without a goodbye: SIGKILL for processes; on the simulator it ends the node
     * without recording a stop; where a cluster cannot kill (in-process) it is a stop.
     */
    default void kill(String node) {
        stop(node);
    }

    /** Starts a stopped or killed node again on its data. */
    void restart(String node);

    /** The state of {@code node}, if it answers (a stopped node does not). */
    Optional<NodeState> state(String node);

    /** The state of every node that answers, by name. */
    default Map<String, NodeState> states() {
        Map<String, NodeState> out = new LinkedHashMap<>();
        for (String n : names()) {
            state(n).ifPresent(s -> out.put(n, s));
        }
        return out;
    }

    /**
     * Starts a workload in the background of the cluster's time: {@code requests} PUTs at about
     * {@code ratePerSecond}, sent as the real client sends them (to every node, again after its
     * resend timeout until f+1 nodes gave the same reply).
     */
    Workload load(int requests, int ratePerSecond);

    /** The cluster's clock in milliseconds (simulated on the simulator). */
    long millis();

    /** Lets the cluster run until {@code condition} holds; fails naming {@code what} after {@code timeout}. */
    void await(String what, Duration timeout, BooleanSupplier condition);

    /** Lets the cluster run for {@code duration}. */
    void runFor(Duration duration);

    /**
     * The firewall between the nodes.
     *
     * @throws UnsupportedOperationException on processes: scenarios that need it run on the simulator
     *                                       and in-process
     */
    Firewall firewall();

    /**
     * Where each request of the node's ledger stands: "identifier/reqId" to its seqNo, or empty where
     * the cluster cannot read a ledger while its node runs (then ledger size and the replies'
     * distinct seqNos prove exactly-once).
     */
    default Optional<Map<String, Long>> ledgerPositions(String node) {
        return Optional.empty();
    }

    /** The value of {@code key} in the node's state, where the cluster can read it. */
    default Optional<String> stateValue(String node, String key) {
        return Optional.empty();
    }

    /** How many replies {@code node} sent to clients so far, where the cluster sees them. */
    default OptionalLong repliesSent(String node) {
        return OptionalLong.empty();
    }

    @Override
    void close();
}
