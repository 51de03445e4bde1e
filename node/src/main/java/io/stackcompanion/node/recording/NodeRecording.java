package io.stackcompanion.node.recording;

import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.Version;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.CoreTap;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.store.NodeStore;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.Recorder;
import io.stackcompanion.recorder.RecorderMetadata;
import io.stackcompanion.recorder.RecordingClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code STACK_COMPANION=1} adds to a node: two recorders, one per stack, under
 * {@code data/<node>/recorder/}, fed by the core's tap. Every input is recorded before the core
 * handles it and every send as the core makes it, at the core's own time. Each event is in the
 * recording (its journal, in the page cache) when the append returns, so a SIGKILL loses nothing the
 * core saw or did.
 * The node's own events (started, stopped, timers, initial state) go to the node-stack recorder.
 *
 * <p>Layout: {@code recorder/node/} and {@code recorder/client/} (RocksDB recordings),
 * {@code recorder/initial-state/} (a RocksDB checkpoint of the node's store when the recording was
 * created) and {@code recorder/pool_genesis.json} (the pool the recording belongs to).
 */
public final class NodeRecording implements CoreTap, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeRecording.class);
    public static final String FOLDER = "recorder";
    public static final String NODE_STACK = "node";
    public static final String CLIENT_STACK = "client";
    public static final String INITIAL_STATE = "initial-state";
    private static final List<String> NONE = List.of();
    private static final byte[] EMPTY = new byte[0];

    private final Recorder nodeRecorder;
    private final Recorder clientRecorder;
    private final RecordingClock clock;
    private final byte[] startedPayload;

    private NodeRecording(Recorder nodeRecorder, Recorder clientRecorder, RecordingClock clock, byte[] startedPayload) {
        this.nodeRecorder = nodeRecorder;
        this.clientRecorder = clientRecorder;
        this.clock = clock;
        this.startedPayload = startedPayload;
    }

    /** The recorder folder of a node's data folder. */
    public static Path folder(Path nodeDataDir) {
        return nodeDataDir.resolve(FOLDER);
    }

    /**
     * Opens (or continues) the recording of node {@code name}. A new recording first takes a
     * checkpoint of {@code store}, so recording can start on a node with history. A recording whose
     * previous run did not record its stop gets an {@code UNCLEAN_STOP} event; the node starts anyway.
     */
    public static NodeRecording open(Path nodeDataDir, String name, PoolGenesis genesis, NodeConfig config,
                                     NodeStore store, StartInfo start, RecordingClock clock) {
        NodeRecording recording = openStacks(nodeDataDir, name, genesis, config, start, clock);
        Path initialState = folder(nodeDataDir).resolve(INITIAL_STATE);
        try {
            if (!Files.isDirectory(initialState)) {
                // A checkpoint is hard links plus a copy of the live files: cheap, and consistent.
                Path tmp = initialState.resolveSibling(INITIAL_STATE + ".tmp");
                FileTrees.delete(tmp);
                store.checkpoint(tmp);
                Files.move(tmp, initialState, StandardCopyOption.ATOMIC_MOVE);
                recording.nodeRecorder.append(EventKind.INITIAL_STATE, NONE, Codec.toBytes(start));
            }
            return recording;
        } catch (IOException | RuntimeException e) {
            recording.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot take the initial state of " + name + " into " + initialState, io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * Opens (or continues) the two stack recordings of node {@code name} without taking the initial
     * state: what {@link #open} does first, and all a benchmark of the recording's cost needs.
     */
    public static NodeRecording openStacks(Path nodeDataDir, String name, PoolGenesis genesis, NodeConfig config,
                                           StartInfo start, RecordingClock clock) {
        Path dir = folder(nodeDataDir);
        Path initialState = dir.resolve(INITIAL_STATE);
        boolean fresh = !Files.isDirectory(dir.resolve(NODE_STACK));
        try {
            Files.createDirectories(dir);
            if (fresh) {
                Files.deleteIfExists(initialState.resolveSibling(INITIAL_STATE + ".tmp"));
                writeGenesis(dir, genesis);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the recording folder " + dir, e);
        }
        String hash = genesis.hash();
        Recorder node = Recorder.open(dir.resolve(NODE_STACK),
                RecorderMetadata.create(name, NODE_STACK, hash, Version.SOFTWARE, clock), clock);
        Recorder client;
        try {
            client = Recorder.open(dir.resolve(CLIENT_STACK),
                    RecorderMetadata.create(name, CLIENT_STACK, hash, Version.SOFTWARE, clock), clock);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        NodeRecording recording = new NodeRecording(node, client, clock, Codec.toBytes(start.withConfig(config)));
        try {
            Optional<RecordedEvent> last = node.lastEventAtOpen();
            if (last.isPresent() && last.get().kind() != EventKind.STOPPED) {
                log.warn("the previous run of {} did not record its stop (killed?); recording that as an unclean stop", name);
                node.append(EventKind.UNCLEAN_STOP, NONE, EMPTY);
            }
            return recording;
        } catch (RuntimeException e) {
            recording.close();
            throw e;
        }
    }

    /**
     * Where the node stands when it starts: recorded with STARTED (and INITIAL_STATE), so a replay can
     * check it starts from the same place and with the same configuration.
     */
    public record StartInfo(long ledgerSize, String ledgerRoot, long randomSeed, Map<String, String> config) {
        public StartInfo withConfig(NodeConfig c) {
            return new StartInfo(ledgerSize, ledgerRoot, randomSeed, c.asMap());
        }
    }

    public RecordingClock clock() {
        return clock;
    }

    /**
     * Records the input before the core handles it: a node killed while handling an input may
     * already have ordered a batch because of it, so the input must be in the recording first.
     */
    @Override
    public void onInput(long time, CoreInput input) {
        if (input instanceof CoreInput.Received r) {
            recorder(r.stack()).append(time, EventKind.INCOMING, List.of(r.peer()), r.bytes());
        } else if (input instanceof CoreInput.TimerFired t) {
            nodeRecorder.append(time, EventKind.TIMER_FIRED, NONE, t.timer().getBytes(StandardCharsets.UTF_8));
        } else if (input instanceof CoreInput.Connected c) {
            recorder(c.stack()).append(time, EventKind.CONNECTED, List.of(c.peer()), EMPTY);
        } else if (input instanceof CoreInput.Disconnected d) {
            recorder(d.stack()).append(time, EventKind.DISCONNECTED, List.of(d.peer()), EMPTY);
        } else if (input instanceof CoreInput.Started) {
            nodeRecorder.append(time, EventKind.STARTED, NONE, startedPayload);
        }
    }

    @Override
    public void onSend(long time, StackName stack, List<String> peers, byte[] payload) {
        recorder(stack).append(time, EventKind.OUTGOING, peers, payload);
    }

    /** Nothing to do: every input and send is already in the recording. */
    @Override
    public void onHandled(long time) {
    }

    @Override
    public void onStop(long time, Status last) {
        nodeRecorder.append(time, EventKind.STOPPED, NONE, Codec.encode(last));
    }

    private Recorder recorder(StackName stack) {
        return stack == StackName.NODE ? nodeRecorder : clientRecorder;
    }

    @Override
    public void close() {
        try {
            clientRecorder.close();
        } finally {
            nodeRecorder.close();
        }
    }

    private static void writeGenesis(Path dir, PoolGenesis genesis) throws IOException {
        genesis.write(dir.resolve(PoolGenesis.FILE_NAME));
    }
}
