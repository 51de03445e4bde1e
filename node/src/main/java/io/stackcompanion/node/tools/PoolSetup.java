package io.stackcompanion.node.tools;

import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.client.NodeUnavailableException;
import io.stackcompanion.node.config.ConfigException;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Status;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * Founding a local pool and asking it how it is: what {@code scripts/pool.sh} does through
 * {@link PoolMain}. A base dir holds {@code pool_genesis.json} (public keys only) and each node's
 * secret key at {@code data/<node>/keys/node.key}, readable by its owner only.
 */
public final class PoolSetup {
    public static final int DEFAULT_BASE_PORT = 9701;
    public static final String DEFAULT_HOST = "127.0.0.1";

    private PoolSetup() {
    }

    public static Path genesisFile(Path baseDir) {
        return baseDir.resolve(PoolGenesis.FILE_NAME);
    }

    /** Where node {@code node} keeps its secret key. */
    public static Path keyFile(Path baseDir, String node) {
        return baseDir.resolve("data").resolve(node).resolve("keys").resolve("node.key");
    }

    /** What {@link #init} did: founded a new pool, or found one and left it alone. */
    public record InitResult(PoolGenesis genesis, boolean created) {
    }

    /**
     * Founds a pool of {@code nodes} nodes Node1..NodeN in {@code baseDir}, unless its genesis exists.
     * Node i listens on {@code basePort + 2(i-1)} (node stack) and the next port (client stack); with
     * an empty {@code basePort} free ephemeral ports are picked instead.
     *
     * @throws ConfigException when a port is taken, the existing genesis has another size, or the
     *                         base dir holds node data without a genesis
     */
    public static InitResult init(Path baseDir, int nodes, String host, OptionalInt basePort) throws IOException {
        Objects.requireNonNull(host, "host");
        if (nodes < 1) {
            throw new ConfigException("--nodes must be at least 1, not " + nodes);
        }
        Path genesisFile = genesisFile(baseDir);
        if (Files.exists(genesisFile)) {
            PoolGenesis existing = PoolGenesis.read(genesisFile);
            if (existing.nodes().size() != nodes) {
                throw new ConfigException("the pool in " + baseDir + " has " + existing.nodes().size()
                        + " nodes, not " + nodes + "; use --nodes " + existing.nodes().size()
                        + " or another --base-dir to found a new pool");
            }
            return new InitResult(existing, false);
        }
        Path data = baseDir.resolve("data");
        if (Files.isDirectory(data)) {
            try (Stream<Path> entries = Files.list(data)) {
                if (entries.findAny().isPresent()) {
                    throw new ConfigException(baseDir + " holds node data but no " + PoolGenesis.FILE_NAME
                            + "; restore the genesis, or remove " + data + " to found a new pool");
                }
            }
        }
        List<Integer> ports = basePort.isPresent() ? fixedPorts(host, nodes, basePort.getAsInt()) : freePorts(host, 2 * nodes);
        Files.createDirectories(baseDir);
        List<NodeInfo> infos = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            String name = "Node" + i;
            KeyPair kp = Keys.generate();
            Keys.writePrivate(keyFile(baseDir, name), kp.getPrivate());
            infos.add(new NodeInfo(name, host, ports.get(2 * (i - 1)), ports.get(2 * (i - 1) + 1),
                    Keys.encodePublic(kp.getPublic())));
        }
        PoolGenesis genesis = new PoolGenesis(infos);
        genesis.write(genesisFile); // last, atomically: a genesis exists only once every key does
        return new InitResult(genesis, true);
    }

    private static List<Integer> fixedPorts(String host, int nodes, int basePort) {
        int last = basePort + 2 * nodes - 1;
        if (basePort < 1 || last > 65535) {
            throw new ConfigException("ports " + basePort + ".." + last + " are not all valid TCP ports; pick a --base-port in 1.." + (65536 - 2 * nodes));
        }
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 2 * nodes; i++) {
            int port = basePort + i;
            String role = (i % 2 == 0 ? "node port" : "client port") + " of Node" + (i / 2 + 1);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(host, port));
            } catch (IOException e) {
                throw new ConfigException("port " + port + " (" + role + ") on " + host + " is not free ("
                        + e.getMessage() + "); stop what uses it, or pass another --base-port or --random-ports");
            }
            ports.add(port);
        }
        return ports;
    }

    /** Ports the OS hands out as free; all held open together so no two are the same. */
    private static List<Integer> freePorts(String host, int count) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.bind(new InetSocketAddress(host, 0));
            }
            return held.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new ConfigException("cannot listen on " + host + " (" + e.getMessage() + "); pass a --host of this machine");
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /**
     * One node as {@code pool.sh status} shows it. All fields but name and running are null when
     * the node did not answer. {@code rejected}: the messages it rejected since it started, sender ->
     * reason -> count (empty when none; null when it did not answer, or is of a version that does not
     * count them).
     */
    public record NodeState(String name, boolean running, Integer viewNo, String primary, Long lastOrderedPpSeqNo,
                            Long ledgerSize, String ledgerRoot, List<String> connected,
                            Map<String, Map<String, Long>> rejected) {
        static NodeState of(Status s, String name) {
            return new NodeState(name, true, s.viewNo(), s.primary(), s.lastOrderedPpSeqNo(), s.ledgerSize(),
                    s.ledgerRoot(), s.connected(), s.rejected());
        }

        static NodeState down(String name) {
            return new NodeState(name, false, null, null, null, null, null, null, null);
        }

        /** E.g. {@code Node1 equivocation 3, Node1 forged-view-change 1}; empty when none. */
        public String rejectedLine() {
            if (rejected == null) {
                return "";
            }
            List<String> parts = new ArrayList<>();
            rejected.forEach((sender, reasons) -> reasons.forEach((reason, n) -> parts.add(sender + " " + reason + " " + n)));
            return String.join(", ", parts);
        }
    }

    /**
     * The pool at one moment. {@code agree}: at least one node runs and every running node has the
     * same ledger size and root.
     */
    public record PoolStatus(List<NodeState> nodes, boolean agree) {
        public PoolStatus {
            nodes = List.copyOf(nodes);
        }

        /**
         * For each node that is down or misses peers, the peers it is not connected to (a node that
         * is down misses them all), in genesis order. Empty when the pool is fully connected.
         */
        public Map<String, List<String>> missingPeers() {
            Map<String, List<String>> missing = new LinkedHashMap<>();
            List<String> names = nodes.stream().map(NodeState::name).toList();
            for (NodeState n : nodes) {
                List<String> miss = names.stream()
                        .filter(o -> !o.equals(n.name()))
                        .filter(o -> !n.running() || !n.connected().contains(o))
                        .toList();
                if (!n.running() || !miss.isEmpty()) {
                    missing.put(n.name(), miss);
                }
            }
            return missing;
        }
    }

    /** Asks every node at once; a node that does not answer within {@code timeout} is not running. */
    public static PoolStatus status(PoolGenesis genesis, Duration timeout) {
        ExecutorService pool = Executors.newFixedThreadPool(genesis.nodes().size(), r -> {
            Thread t = new Thread(r, "pool-status");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<NodeState>> asks = genesis.nodes().stream()
                    .map(n -> CompletableFuture.supplyAsync(() -> ask(n, timeout), pool))
                    .toList();
            List<NodeState> states = asks.stream().map(CompletableFuture::join).toList();
            List<NodeState> running = states.stream().filter(NodeState::running).toList();
            boolean agree = !running.isEmpty() && running.stream().allMatch(s ->
                    Objects.equals(s.ledgerSize(), running.get(0).ledgerSize())
                            && Objects.equals(s.ledgerRoot(), running.get(0).ledgerRoot()));
            return new PoolStatus(states, agree);
        } finally {
            pool.shutdownNow();
        }
    }

    private static NodeState ask(NodeInfo node, Duration timeout) {
        try {
            return NodeState.of(Client.status(node, timeout, true), node.name());
        } catch (NodeUnavailableException e) {
            return NodeState.down(node.name());
        }
    }
}
