package io.stackcompanion.node;

import io.stackcompanion.node.config.ConfigException;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.NodeSettings;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.CoreTap;
import io.stackcompanion.node.core.NodeCore;
import io.stackcompanion.node.core.PrePrepareSchedule;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.node.runtime.CoreStepper;
import io.stackcompanion.node.runtime.NodeLoop;
import io.stackcompanion.node.runtime.SignaturePrecheck;
import io.stackcompanion.node.runtime.Stacks;
import io.stackcompanion.node.stack.ClientStack;
import io.stackcompanion.node.stack.NodeStack;
import io.stackcompanion.node.stack.PreparingSink;
import io.stackcompanion.node.stack.StackSettings;
import io.stackcompanion.node.store.NodeStore;
import io.stackcompanion.recorder.RecordingClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A running node: its store, its core on one thread, and its two stacks. This is the one place that
 * assembles a node from configuration, and so the one place that reads {@code STACK_COMPANION}.
 * Each node lives in {@code <base-dir>/data/<name>/}. With {@code STACK_COMPANION=1} the node's core
 * tap is a {@link NodeRecording} and the core's clock is the recording clock, so recorded times are
 * exactly the times the core saw.
 */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private final String name;
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    private final NodeLoop loop;
    private volatile boolean closed;

    private Node(String name, NodeLoop loop, Deque<AutoCloseable> owned) {
        this.name = name;
        this.loop = loop;
        this.owned.addAll(owned);
    }

    /** The folder of node {@code name} in {@code baseDir}. */
    public static Path dataDir(Path baseDir, String name) {
        return baseDir.resolve("data").resolve(name);
    }

    /**
     * Opens node {@code name} of the pool in {@code baseDir} and starts it.
     *
     * @param onFatal called if the core stops on a broken invariant (a process exits; a test fails)
     * @throws ConfigException for anything the user must fix (unknown node, missing key, port in use...)
     */
    public static Node start(Path baseDir, String name, NodeConfig config, Consumer<Throwable> onFatal) {
        return start(baseDir, name, config, onFatal, UnaryOperator.identity());
    }

    /**
     * As {@link #start(Path, String, NodeConfig, Consumer)}, the core's sends going through
     * {@code stacks} applied to the node's two stacks: for tests only (a firewall between live nodes).
     */
    public static Node start(Path baseDir, String name, NodeConfig config, Consumer<Throwable> onFatal,
                             UnaryOperator<Stacks> stacks) {
        return start(baseDir, name, config, onFatal, stacks, NodeStack.tagged());
    }

    /**
     * As {@link #start(Path, String, NodeConfig, Consumer, UnaryOperator)}, the node stack made by
     * {@code nodeStacks}: for benchmarks and tests only ({@link NodeStack#withoutFrameTags()}).
     */
    public static Node start(Path baseDir, String name, NodeConfig config, Consumer<Throwable> onFatal,
                             UnaryOperator<Stacks> stacks, NodeStack.Maker nodeStacks) {
        PoolGenesis genesis = PoolGenesis.read(baseDir.resolve(PoolGenesis.FILE_NAME));
        if (genesis.node(name).isEmpty()) {
            throw new ConfigException("node " + name + " is not in the pool genesis; its nodes are " + genesis.names());
        }
        NodeSettings s = config.settings();
        if (s.stackCompanion() == 2) {
            throw new ConfigException("STACK_COMPANION=2 replays a node from its recording instead of running it: start it with"
                    + " scripts/pool.sh start (NodeMain), or use scripts/replay.sh");
        }
        Path dataDir = dataDir(baseDir, name);
        PrivateKey key = readKey(dataDir.resolve("keys").resolve("node.key"), name);

        Deque<AutoCloseable> owned = new ArrayDeque<>();
        try {
            NodeStore store = NodeStore.openNode(dataDir);
            owned.push(store);
            RecordingClock clock = RecordingClock.system();
            CoreTap tap = CoreTap.NONE;
            if (s.stackCompanion() == 1) {
                long seed = s.randomSeed(name);
                NodeRecording recording = NodeRecording.open(dataDir, name, genesis, config, store,
                        new NodeRecording.StartInfo(store.ledger().size(), Hashes.hex(store.ledger().root()), seed, Map.of()),
                        clock);
                owned.push(recording);
                tap = recording;
                log.info("{} records both stacks into {}", name, NodeRecording.folder(dataDir));
            }
            StackSettings settings = StackSettings.defaults()
                    .withMaxFrameBytes(s.maxFrameBytes())
                    .withReconnect(s.reconnectMinMs(), s.reconnectMaxMs())
                    .withLimits(new StackSettings.Limits(s.partialFrameBudgetBytes(), s.clientIdleTimeoutMs(),
                            s.clientFrameTimeoutMs(), s.clientMaxConnections(), s.clientMaxConnectionsPerAddress(),
                            s.warnIntervalMs()))
                    .withGenesisSource(baseDir.resolve(PoolGenesis.FILE_NAME).toString());
            NodeLoop[] loopRef = new NodeLoop[1];
            SignaturePrecheck precheck = s.precheckSignatures() ? new SignaturePrecheck() : null;
            // With the precheck, client signatures are verified on the stacks' threads (REQUESTs and PROPAGATEs).
            Consumer<CoreInput> enqueue = in -> loopRef[0].enqueue(in);
            Consumer<CoreInput> sink = precheck == null ? enqueue : PreparingSink.of(precheck::precheck, enqueue);
            NodeStack nodeStack = nodeStacks.make(name, key, genesis, settings, sink);
            ClientStack clientStack = new ClientStack(name, genesis, settings, sink);
            CoreStepper stepper = new CoreStepper(clock::now, stacks.apply(Stacks.of(nodeStack, clientStack)), tap);
            stepper.attach(new NodeCore(name, genesis, s.core(), store, stepper, new Random(s.randomSeed(name)),
                    PrePrepareSchedule.NATURAL, precheck == null ? SignatureVerifier.DIRECT : precheck.coreVerifier(), NodeSigner.of(key)));
            NodeLoop loop = new NodeLoop(stepper, onFatal);
            loopRef[0] = loop;
            loop.start();
            owned.push(loop);
            // Stacks close before the loop, so no input arrives at a stopped core.
            nodeStack.start();
            owned.push(nodeStack);
            clientStack.start();
            owned.push(clientStack);
            log.info("{} is up: node stack on port {}, client stack on port {}", name,
                    genesis.node(name).orElseThrow().nodePort(), genesis.node(name).orElseThrow().clientPort());
            return new Node(name, loop, owned);
        } catch (RuntimeException e) {
            closeAll(owned);
            throw e;
        }
    }

    private static PrivateKey readKey(Path file, String name) {
        try {
            return Keys.readPrivate(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("no secret key for " + name + " at " + file
                    + "; create the pool with 'scripts/pool.sh up' or copy the node's keys there");
        } catch (IOException e) {
            throw new ConfigException("cannot read the secret key of " + name + " at " + file + ": " + e.getMessage());
        }
    }

    public String name() {
        return name;
    }

    /** False once the core stopped on its own after a failure. */
    public boolean isHealthy() {
        return loop.isAlive() && loop.failure() == null;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(owned);
        log.info("{} stopped", name);
    }

    private static void closeAll(Deque<AutoCloseable> owned) {
        while (!owned.isEmpty()) {
            AutoCloseable c = owned.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
