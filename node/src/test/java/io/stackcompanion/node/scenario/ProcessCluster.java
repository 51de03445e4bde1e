package io.stackcompanion.node.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.client.NodeUnavailableException;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.scripts.Scripts;
import io.stackcompanion.node.pool.Firewall;
import io.stackcompanion.node.tools.PoolSetup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Cluster} of real processes, driven as an operator drives them: {@code pool.sh up
 * --random-ports}, {@code pool.sh stop|kill|start NODE} (kill is SIGKILL), {@code load.sh --json}
 * for a workload and {@code pool.sh status --json} for what the operator sees, on the wall clock. Its
 * nodes run with the scripts' configuration (a scenario's {@code NodeConfig} does not reach them). It has
 * no firewall: scenarios that need one run on the simulator and in-process. Closing it stops every
 * process it started ({@code pool.sh down}, then whatever is left is killed).
 */
public final class ProcessCluster extends WallClockCluster {
    private static final long SCRIPT_TIMEOUT_S = 120;

    private final Path dir;
    private final List<Scripts.Background> loads = new ArrayList<>();
    private List<String> names = List.of();
    private PoolGenesis genesis;
    private int seed;

    public ProcessCluster(Path dir) {
        super(Duration.ofMillis(200));
        this.dir = dir;
    }

    @Override
    public String kind() {
        return "processes";
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public void startAll() {
        pool("up", "--random-ports");
        genesis = PoolGenesis.read(PoolSetup.genesisFile(dir));
        names = genesis.names();
    }

    @Override
    public void stop(String node) {
        pool("stop", node);
    }

    @Override
    public void kill(String node) {
        pool("kill", node);
    }

    @Override
    public void restart(String node) {
        pool("start", node);
    }

    /**
     * Asks the node for its status over its client port, as {@code pool.sh status} does but without
     * starting a JVM per look (a poll must be quick for a scenario to act while load runs).
     */
    @Override
    public Optional<NodeState> state(String node) {
        try {
            Status s = Client.status(genesis.node(node).orElseThrow(), Duration.ofSeconds(2));
            return Optional.of(new NodeState(node, s.viewNo(), s.ledgerSize(), s.ledgerRoot()));
        } catch (NodeUnavailableException e) {
            return Optional.empty(); // not running, or not answering
        }
    }

    /** The nodes' states as the operator sees them: {@code pool.sh status --json} (running nodes only). */
    public Map<String, NodeState> operatorStates() {
        Map<String, NodeState> out = new LinkedHashMap<>();
        status().forEach((n, s) -> {
            if (s.get("running").asBoolean()) {
                out.put(n, new NodeState(n, s.get("viewNo").asInt(), s.get("ledgerSize").asLong(), s.get("ledgerRoot").asText()));
            }
        });
        return out;
    }

    /** {@code load.sh --requests N --rate R --json} in the background, each workload with its own seed. */
    @Override
    public Workload load(int requests, int ratePerSecond) {
        Scripts.Background load;
        try {
            load = Scripts.start("load.sh", "--base-dir", dir.toString(), "--requests", String.valueOf(requests),
                    "--rate", String.valueOf(ratePerSecond), "--seed", String.valueOf(++seed), "--json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        loads.add(load);
        return Workload.of(requests, timeout -> {
            try {
                Scripts.Result r = load.await(timeout.toSeconds());
                if (r.exitCode() != 0 && r.exitCode() != 1) {
                    throw new AssertionError("load.sh failed: " + r);
                }
                JsonNode summary = Codec.mapper().readTree(r.lastLine());
                return new Workload.Outcome(requests, summary.get("ordered").asLong(), summary.get("failed").asLong(), Map.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for load.sh");
            }
        });
    }

    @Override
    public Firewall firewall() {
        throw new UnsupportedOperationException("a pool of processes has no firewall; run the scenario on the simulator or in-process");
    }

    /** The lines of the nodes' logs that say what they did about a fault, for the operator reading the test's output. */
    public List<String> faultLog(String node) {
        Path log = dir.resolve("data").resolve(node).resolve("node.log");
        try {
            return !Files.isRegularFile(log) ? List.of() : Files.readAllLines(log).stream()
                    .filter(l -> l.contains("votes for view") || l.contains("is in view") || l.contains("caught up")
                            || l.contains("NEW_VIEW")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            for (Scripts.Background l : loads) {
                l.close();
            }
            Scripts.downAndSweep(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Map<String, JsonNode> status() {
        Scripts.Result r = pool("status", "--json");
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        try {
            for (JsonNode n : Codec.mapper().readTree(r.lastLine()).get("nodes")) {
                byName.put(n.get("name").asText(), n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return byName;
    }

    private Scripts.Result pool(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(args));
        all.addAll(List.of("--base-dir", dir.toString()));
        try {
            Scripts.Result r = Scripts.run(SCRIPT_TIMEOUT_S, "pool.sh", all.toArray(String[]::new));
            if (r.exitCode() != 0) {
                throw new AssertionError("pool.sh " + String.join(" ", all) + " failed: " + r);
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running pool.sh " + command);
        }
    }
}
