package io.stackcompanion.node.recording;

import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.Version;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.CoreSnapshot;
import io.stackcompanion.node.core.CoreTap;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.crypto.SignatureVerdict;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.store.NodeStore;
import io.stackcompanion.recorder.EventKey;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.Recorder;
import io.stackcompanion.recorder.RecorderMetadata;
import io.stackcompanion.recorder.RecordingClock;
import io.stackcompanion.recorder.StoreDigest;
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
 * created), {@code recorder/restart-states/<seq>/} (a checkpoint of the store at each start after an
 * unclean stop, named by the sequence number of its {@code UNCLEAN_STOP} event) and {@code
 * recorder/pool_genesis.json} (the pool the recording belongs to).
 *
 * <p>Why restart states: an input is recorded before the core handles it, so a node killed while
 * handling one may have committed all, some or none of what that input made it write. Only the
 * store it restarted with says which; a replay continues from that checkpoint.
 */
public final class NodeRecording implements CoreTap, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeRecording.class);
    public static final String FOLDER = "recorder";
    public static final String NODE_STACK = "node";
    public static final String CLIENT_STACK = "client";
    public static final String INITIAL_STATE = "initial-state";
    public static final String RESTART_STATES = "restart-states";
    private static final List<String> NONE = List.of();
    private static final byte[] EMPTY = new byte[0];

    private final Recorder nodeRecorder;
    private final Recorder clientRecorder;
    private final RecordingClock clock;
    /** The UNCLEAN_STOP this run recorded when it opened, or null after a clean stop (or none). */
    private final EventKey uncleanStop;
    /** What STARTED records: where the node stands, and its restart state once taken. */
    private StartInfo start;

    private NodeRecording(Recorder nodeRecorder, Recorder clientRecorder, RecordingClock clock, EventKey uncleanStop,
                          StartInfo start) {
        this.nodeRecorder = nodeRecorder;
        this.clientRecorder = clientRecorder;
        this.clock = clock;
        this.uncleanStop = uncleanStop;
        this.start = start;
    }

    /** The recorder folder of a node's data folder. */
    public static Path folder(Path nodeDataDir) {
        return nodeDataDir.resolve(FOLDER);
    }

    /**
     * Opens (or continues) the recording of node {@code name}. A new recording first takes a
     * checkpoint of {@code store}, so recording can start on a node with history. A recording whose
     * previous run did not record its stop gets an {@code UNCLEAN_STOP} event and a checkpoint of the
     * store the node restarts with (named in the STARTED event that follows); the node starts anyway.
     */
    public static NodeRecording open(Path nodeDataDir, String name, PoolGenesis genesis, NodeConfig config,
                                     NodeStore store, StartInfo start, RecordingClock clock) {
        NodeRecording recording = openStacks(nodeDataDir, name, genesis, config, start, clock);
        Path dir = folder(nodeDataDir);
        Path initialState = dir.resolve(INITIAL_STATE);
        try {
            if (!Files.isDirectory(initialState)) {
                checkpoint(store, initialState);
                // What the checkpoint holds goes into the event that names it: a reader can tell it from a damaged one.
                recording.nodeRecorder.append(EventKind.INITIAL_STATE, NONE,
                        Codec.toBytes(start.withStateDigest(StoreDigest.of(initialState))));
            } else if (recording.uncleanStop != null) {
                recording.takeRestartState(store, dir, name);
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
     * Checkpoints the store this start opens after an unclean stop and names it in the STARTED event.
     * A failure only costs the replay its exactness after this restart (it says so if it matters):
     * the node starts anyway, as it must after any unclean stop.
     */
    private void takeRestartState(NodeStore store, Path dir, String name) {
        String relative = restartState(uncleanStop);
        try {
            checkpoint(store, dir.resolve(relative));
            start = start.withRestartState(relative, StoreDigest.of(dir.resolve(relative)));
        } catch (IOException | RuntimeException e) {
            log.warn("{} could not checkpoint its store into {} after the unclean stop ({}); recording goes on without it",
                    name, dir.resolve(relative), e.toString());
        }
    }

    /** The recorder-relative folder of the restart state taken after the unclean stop {@code uncleanStop}. */
    static String restartState(EventKey uncleanStop) {
        return RESTART_STATES + "/" + String.format(java.util.Locale.ROOT, "%020d", uncleanStop.seq());
    }

    /** A checkpoint is hard links plus a copy of the live files: cheap, and consistent; whole or absent. */
    private static void checkpoint(NodeStore store, Path target) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        FileTrees.delete(tmp);
        try {
            store.checkpoint(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteQuietly(tmp);
            throw e;
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
        long segment = config.settings().recorderSegmentBytes();
        Recorder node = Recorder.open(dir.resolve(NODE_STACK),
                RecorderMetadata.create(name, NODE_STACK, hash, Version.SOFTWARE, clock), clock, segment);
        Recorder client;
        try {
            client = Recorder.open(dir.resolve(CLIENT_STACK),
                    RecorderMetadata.create(name, CLIENT_STACK, hash, Version.SOFTWARE, clock), clock, segment);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        try {
            Optional<RecordedEvent> last = node.lastEventAtOpen();
            EventKey unclean = null;
            if (last.isPresent() && last.get().kind() != EventKind.STOPPED) {
                log.warn("the previous run of {} did not record its stop (killed?); recording that as an unclean stop", name);
                unclean = node.append(EventKind.UNCLEAN_STOP, NONE, EMPTY);
            }
            return new NodeRecording(node, client, clock, unclean, start.withConfig(config));
        } catch (RuntimeException e) {
            try {
                client.close();
            } finally {
                node.close();
            }
            throw e;
        }
    }

    /**
     * Where the node stands when it starts: recorded with STARTED (and INITIAL_STATE), so a replay can
     * check it starts from the same place and with the same configuration.
     *
     * @param restartState after an unclean stop, the recorder-relative folder holding a checkpoint of
     *                     the store this start opened (see {@link #RESTART_STATES}); otherwise null
     * @param stateDigest  what the checkpoint this event names holds (the initial state for
     *                     INITIAL_STATE, the restart state for STARTED) when it was taken; null when
     *                     it names none, or was recorded before digests
     */
    public record StartInfo(long ledgerSize, String ledgerRoot, long randomSeed, Map<String, String> config,
                            String restartState, StoreDigest stateDigest) {
        public StartInfo(long ledgerSize, String ledgerRoot, long randomSeed, Map<String, String> config) {
            this(ledgerSize, ledgerRoot, randomSeed, config, null, null);
        }

        public StartInfo withConfig(NodeConfig c) {
            return new StartInfo(ledgerSize, ledgerRoot, randomSeed, c.asMap(), restartState, stateDigest);
        }

        StartInfo withRestartState(String folder, StoreDigest digest) {
            return new StartInfo(ledgerSize, ledgerRoot, randomSeed, config, folder, digest);
        }

        StartInfo withStateDigest(StoreDigest digest) {
            return new StartInfo(ledgerSize, ledgerRoot, randomSeed, config, restartState, digest);
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
            if (!r.verdicts().isEmpty()) {
                recorder(r.stack()).append(time, EventKind.VERIFIED, List.of(r.peer()), SignatureVerdict.toBytes(r.verdicts()));
            }
            recorder(r.stack()).append(time, EventKind.INCOMING, List.of(r.peer()), r.bytes());
        } else if (input instanceof CoreInput.TimerFired t) {
            nodeRecorder.append(time, EventKind.TIMER_FIRED, NONE, t.timer().getBytes(StandardCharsets.UTF_8));
        } else if (input instanceof CoreInput.Connected c) {
            recorder(c.stack()).append(time, EventKind.CONNECTED, List.of(c.peer()), EMPTY);
        } else if (input instanceof CoreInput.Disconnected d) {
            recorder(d.stack()).append(time, EventKind.DISCONNECTED, List.of(d.peer()), EMPTY);
        } else if (input instanceof CoreInput.Started) {
            nodeRecorder.append(time, EventKind.STARTED, NONE, Codec.toBytes(start));
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

    @Override
    public void onState(long time, CoreSnapshot state) {
        nodeRecorder.append(time, EventKind.STATE, NONE, Codec.toBytes(state));
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
