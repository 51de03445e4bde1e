package io.stackcompanion.node.tools;

import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.client.NodeUnavailableException;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.recorder.ErrorExit;
import io.stackcompanion.recorder.StackCompanionException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Pool setup and inspection for {@code scripts/pool.sh}:
 * {@code init}, {@code status}, {@code wait-connected} and {@code ping} (is one node up). Exit codes: 0 done, 1 the pool is not
 * as asked (wait-connected timed out), 2 bad arguments or configuration (one line on stderr).
 */
public final class PoolMain {
    private static final String USAGE = """
            usage: PoolMain init --base-dir DIR [--nodes N] [--base-port P | --random-ports] [--host H]
                   PoolMain status --base-dir DIR [--json] [--timeout-ms T]
                   PoolMain wait-connected --base-dir DIR --timeout-s S
                   PoolMain ping --base-dir DIR --node NAME [--timeout-ms T]""";

    private static final int DEFAULT_NODES = 4;
    /** Each node is its own JVM on this machine; more is a typo, not a pool. */
    static final int MAX_NODES = 100;
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);

    private PoolMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one subcommand, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return Cli.EXIT_USAGE;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "init" -> init(rest, out, err);
                case "status" -> status(rest, out);
                case "wait-connected" -> waitConnected(rest, out, err);
                case "ping" -> ping(rest, out, err);
                case "-h", "--help", "help" -> {
                    out.println(USAGE);
                    yield 0;
                }
                default -> throw new Cli.UsageException("unknown subcommand '" + args[0] + "'; use init, status, wait-connected or ping");
            };
        } catch (StackCompanionException e) {
            return ErrorExit.print(err, "pool", e);
        } catch (IOException e) {
            err.println("pool: " + e.getMessage());
            return 1;
        }
    }

    private static int init(String[] args, PrintStream out, PrintStream err) throws Cli.UsageException, IOException {
        Options o = new Options()
                .addOption(Cli.value("base-dir", "DIR", "the pool's folder (default ./pool)"))
                .addOption(Cli.value("nodes", "N", "number of nodes (default 4, or the existing pool's)"))
                .addOption(Cli.value("base-port", "P", "first port (default " + PoolSetup.DEFAULT_BASE_PORT + ")"))
                .addOption(Cli.flag("random-ports", "pick free ephemeral ports"))
                .addOption(Cli.value("host", "H", "address the nodes listen on (default " + PoolSetup.DEFAULT_HOST + ")"));
        CommandLine cmd = Cli.parse(o, args);
        if (cmd.hasOption("random-ports") && cmd.hasOption("base-port")) {
            throw new Cli.UsageException("use either --base-port or --random-ports, not both");
        }
        Path baseDir = Cli.baseDir(cmd);
        // Without --nodes an existing pool is reused whatever its size, and a new one has four nodes.
        int nodes = cmd.hasOption("nodes") ? Cli.intValue(cmd, "nodes", DEFAULT_NODES, 1, MAX_NODES)
                : existingSize(baseDir).orElse(DEFAULT_NODES);
        OptionalInt basePort = cmd.hasOption("random-ports") ? OptionalInt.empty()
                : OptionalInt.of(Cli.intValue(cmd, "base-port", PoolSetup.DEFAULT_BASE_PORT, 1, 65535));
        PoolSetup.InitResult r = PoolSetup.init(baseDir, nodes, cmd.getOptionValue("host", PoolSetup.DEFAULT_HOST), basePort);
        Path genesis = PoolSetup.genesisFile(baseDir);
        if (r.created()) {
            out.println("created a pool of " + nodes + " nodes in " + baseDir + " (" + genesis + ")");
            r.genesis().nodes().forEach(n -> out.println("  " + n.name() + "  " + n.host() + "  node port "
                    + n.nodePort() + "  client port " + n.clientPort() + "  key " + PoolSetup.keyFile(baseDir, n.name())));
        } else {
            out.println("reusing the existing pool of " + nodes + " nodes in " + genesis);
        }
        faultTolerance(nodes).ifPresent(err::println);
        return 0;
    }

    /**
     * What a pool of {@code n} nodes tolerates, said plainly when it is not what one would assume of
     * n nodes: n = 3f+1 nodes tolerate f faulty ones, so fewer than 4 tolerate none, and a size
     * between two 3f+1 steps tolerates no more than the step below it. Empty for n = 3f+1, n >= 4.
     */
    static java.util.Optional<String> faultTolerance(int n) {
        int f = (n - 1) / 3;
        if (f == 0) {
            return java.util.Optional.of("warning: a pool of " + n + " node" + (n == 1 ? "" : "s")
                    + " tolerates no faulty node (n = 3f+1, so f = 0): if any node stops or misbehaves, the pool stops"
                    + " ordering; use --nodes 4 or more to tolerate one");
        }
        if (n != 3 * f + 1) {
            return java.util.Optional.of("note: a pool of " + n + " nodes tolerates " + f + " faulty node" + (f == 1 ? "" : "s")
                    + ", as " + (3 * f + 1) + " do (n = 3f+1, so f = " + f + "); " + (3 * f + 4)
                    + " nodes would tolerate " + (f + 1));
        }
        return java.util.Optional.empty();
    }

    private static OptionalInt existingSize(Path baseDir) {
        Path genesis = PoolSetup.genesisFile(baseDir);
        return java.nio.file.Files.exists(genesis) ? OptionalInt.of(PoolGenesis.read(genesis).nodes().size()) : OptionalInt.empty();
    }

    private static int status(String[] args, PrintStream out) throws Cli.UsageException {
        Options o = new Options()
                .addOption(Cli.value("base-dir", "DIR", "the pool's folder (default ./pool)"))
                .addOption(Cli.flag("json", "print one JSON object as the last line"))
                .addOption(Cli.value("timeout-ms", "T", "how long to wait for each node (default 1000)"));
        CommandLine cmd = Cli.parse(o, args);
        long timeoutMs = Cli.longValue(cmd, "timeout-ms", 1000, 1, 3_600_000);
        PoolGenesis genesis = PoolGenesis.read(PoolSetup.genesisFile(Cli.baseDir(cmd)));
        PoolSetup.PoolStatus st = PoolSetup.status(genesis, Duration.ofMillis(timeoutMs));
        printTable(st, out);
        if (cmd.hasOption("json")) {
            out.println(new String(Codec.toBytes(st), StandardCharsets.UTF_8));
        }
        return 0;
    }

    private static void printTable(PoolSetup.PoolStatus st, PrintStream out) {
        String fmt = "%-8s %-8s %5s %-8s %8s %8s %-14s %s%n";
        out.printf(fmt, "NODE", "RUNNING", "VIEW", "PRIMARY", "ORDERED", "LEDGER", "ROOT", "CONNECTED");
        for (PoolSetup.NodeState n : st.nodes()) {
            if (n.running()) {
                out.printf(fmt, n.name(), "yes", n.viewNo(), n.primary(), n.lastOrderedPpSeqNo(), n.ledgerSize(),
                        Cli.abbreviate(n.ledgerRoot(), 12), String.join(",", n.connected()));
            } else {
                out.printf(fmt, n.name(), "no", "-", "-", "-", "-", "-", "-");
            }
        }
        for (PoolSetup.NodeState n : st.nodes()) {
            String rejected = n.rejectedLine();
            if (!rejected.isEmpty()) {
                out.println(n.name() + " rejected: " + rejected);
            }
        }
        long running = st.nodes().stream().filter(PoolSetup.NodeState::running).count();
        out.println((st.agree() ? "ledgers agree" : "ledgers DO NOT agree") + " (" + running + " of "
                + st.nodes().size() + " nodes running)");
    }

    /** Exit 0 when the node answers a STATUS on its client port, 1 when it does not. */
    private static int ping(String[] args, PrintStream out, PrintStream err) throws Cli.UsageException {
        Options o = new Options()
                .addOption(Cli.value("base-dir", "DIR", "the pool's folder (default ./pool)"))
                .addOption(Cli.value("node", "NAME", "the node to ask"))
                .addOption(Cli.value("timeout-ms", "T", "how long to wait for its answer (default 1000)"));
        CommandLine cmd = Cli.parse(o, args);
        if (!cmd.hasOption("node")) {
            throw new Cli.UsageException("ping needs --node NAME");
        }
        long timeoutMs = Cli.longValue(cmd, "timeout-ms", 1000, 1, 3_600_000);
        PoolGenesis genesis = PoolGenesis.read(PoolSetup.genesisFile(Cli.baseDir(cmd)));
        String name = cmd.getOptionValue("node");
        NodeInfo node = genesis.node(name).orElseThrow(() -> new Cli.UsageException(
                "no node named '" + name + "' in the pool; its nodes are " + String.join(", ", genesis.names())));
        try {
            Status st = Client.status(node, Duration.ofMillis(timeoutMs));
            out.println(name + " answers: view " + st.viewNo() + ", ledger size " + st.ledgerSize());
            return 0;
        } catch (NodeUnavailableException e) {
            err.println("pool: " + e.getMessage());
            return 1;
        }
    }

    private static int waitConnected(String[] args, PrintStream out, PrintStream err) throws Cli.UsageException {
        Options o = new Options()
                .addOption(Cli.value("base-dir", "DIR", "the pool's folder (default ./pool)"))
                .addOption(Cli.value("timeout-s", "S", "how long to wait (default 30)"));
        CommandLine cmd = Cli.parse(o, args);
        long timeoutS = Cli.longValue(cmd, "timeout-s", 30, 0, 3600);
        PoolGenesis genesis = PoolGenesis.read(PoolSetup.genesisFile(Cli.baseDir(cmd)));
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutS).toNanos();
        if (System.console() != null) {
            err.println("waiting up to " + timeoutS + " s for " + genesis.nodes().size() + " nodes to connect to each other...");
        }
        PoolSetup.PoolStatus st;
        while (true) {
            // a full answer time on every poll, even the last: a shrinking one would call slow nodes down
            st = PoolSetup.status(genesis, POLL_TIMEOUT);
            if (st.missingPeers().isEmpty()) {
                out.println("all " + genesis.nodes().size() + " nodes are connected to each other");
                return 0;
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
            try {
                Thread.sleep(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        err.println("pool: not connected after " + timeoutS + " s: " + describeMissing(st)
                + "; see the nodes' logs in " + Cli.baseDir(cmd).resolve("data"));
        return 1;
    }

    /** E.g. {@code Node2 is not running; Node3 misses Node2,Node4}. */
    static String describeMissing(PoolSetup.PoolStatus st) {
        Map<String, Boolean> running = st.nodes().stream()
                .collect(Collectors.toMap(PoolSetup.NodeState::name, PoolSetup.NodeState::running));
        return st.missingPeers().entrySet().stream()
                .map(e -> running.get(e.getKey()) ? e.getKey() + " misses " + String.join(",", e.getValue())
                        : e.getKey() + " is not running")
                .collect(Collectors.joining("; "));
    }
}
