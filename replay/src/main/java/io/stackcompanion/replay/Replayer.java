package io.stackcompanion.replay;

import io.stackcompanion.node.FileTrees;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.config.ConfigException;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.crypto.SignatureVerdict;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.CoreTap;
import io.stackcompanion.node.core.NodeCore;
import io.stackcompanion.node.core.PrePrepareSchedule;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.recording.CombinedRecorder;
import io.stackcompanion.node.recording.MergedEvent;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.node.runtime.CoreStepper;
import io.stackcompanion.node.store.NodeStore;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.PacedReader;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.RecordingReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Rebuilds a recorded node and feeds it every recorded input at its recorded time, under a patched
 * clock (the core's time is the recorded time of the event being replayed), with silenced stacks:
 * what the core sends is compared with what the recorded node sent, in order, and goes nowhere.
 * Timers fire only when the recording says they fired. At a recorded stop the node is closed; at
 * the recorded start a new one opens the same replay data, as the original did. When the node is
 * primary it cuts exactly the recorded PRE-PREPARE batches.
 *
 * <p>For the debugger: {@link #beforeEvent} is called before each event with its index; a
 * conditional breakpoint there ({@code index == 1234}) stops right before event 1234.
 */
public final class Replayer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Replayer.class);

    /** How replay time passes. */
    public enum Mode {
        /** The clock jumps from event to event: as fast as the machine allows. */
        VIRTUAL,
        /** The recorded intervals are kept in wall time. */
        REALTIME
    }

    /**
     * @param untilEvent   stop before this event index and report the node's state; null: replay all
     * @param overrides    configuration keys to change against the recorded configuration
     * @param freeBatching the replayed primary cuts its own batches instead of the recorded ones (a
     *                     what-if experiment: the first difference is reported, later ones expected)
     * @param checkState   compare the node's consensus state with the recorded one wherever the
     *                     recording holds it (each stable checkpoint, each clean stop)
     * @param ignoreUnknownConfig replay a recording whose configuration has keys this build does not
     *                     know as if they were not set (the verdict lists them); false: refuse it
     */
    public record Options(Mode mode, Long untilEvent, Map<String, String> overrides, boolean freeBatching, boolean checkState,
                          boolean ignoreUnknownConfig) {
        public Options {
            overrides = Map.copyOf(overrides);
        }

        public Options(Mode mode, Long untilEvent, Map<String, String> overrides) {
            this(mode, untilEvent, overrides, false, false, false);
        }

        public static Options defaults() {
            return new Options(Mode.VIRTUAL, null, Map.of());
        }
    }

    /** How many events up to a divergence or stop the verdict shows, decoded. */
    static final int RECENT_EVENTS = 12;

    private final RecordingSource source;
    private final Options options;
    private final Path workDir;
    private final ReplayClock clock = new ReplayClock();
    /** The signature verdict recorded for the next INCOMING, if any. */
    private PendingVerdict verdict;
    private final ArrayDeque<SilencedStacks.Sent> pending;
    private final CoreStepper stepper;
    private NodeStore store;
    private NodeCore core;
    private int runs;
    private boolean afterUncleanStop;
    /** An input fed to the core, and the ledger size before it: what a kill inside it may have left. */
    private record Fed(long index, long ledgerBefore) {
    }

    /** The input being (or last) replayed, or null. */
    private Fed lastInput;
    /** The input the original node was killed in (the last one before an UNCLEAN_STOP), or null. */
    private Fed killedInput;
    private Divergence divergence;
    /** The replayed node's state where the replay diverged or stopped, or null. */
    private Object state;
    /** Recorded states compared ({@code --check-state}). */
    private long statesChecked;
    /** Signature verdicts the live node recorded, fed to the core with their inputs. */
    private long verdictsTaken;
    /** The Ed25519 verifications the replayed core ran itself (no recorded verdict answered them). */
    private long verified;
    private final SignatureVerifier verifications = (key, data, signature) -> {
        verified++;
        return SignatureVerifier.DIRECT.verify(key, data, signature);
    };
    /** Recorded states seen. */
    private long statesRecorded;
    /** The last {@link #RECENT_EVENTS} events fed, the current one last. */
    private final ArrayDeque<MergedEvent> recent = new ArrayDeque<>();
    /** The replayed node's status when its last run ended (or now, if it is running). */
    private Status lastStatus;
    /** Recorded configuration keys this build does not know, left out with --ignore-unknown-config. */
    private final Map<String, String> ignoredConfig = new TreeMap<>();

    /**
     * @param workDir an empty folder for the replayed node's data (a copy of the initial state); the
     *                recording itself is only read
     */
    public Replayer(RecordingSource source, Options options, Path workDir) {
        this(source, options, workDir, CoreTap.NONE);
    }

    /**
     * Like {@link #Replayer(RecordingSource, Options, Path)}, with {@code tap} seeing the replayed
     * core's inputs, sends, steps and stops as the same {@code CoreStepper} shows them to a live node's tap: e.g.
     * a {@code NodeRecording}, to measure what recording costs the core on a real workload.
     */
    public Replayer(RecordingSource source, Options options, Path workDir, CoreTap tap) {
        this.source = source;
        this.options = options;
        this.workDir = workDir;
        SilencedStacks stacks = new SilencedStacks();
        this.pending = stacks.pending();
        this.stepper = new CoreStepper(clock, stacks, tap);
    }

    /** Replays the whole recording (or up to {@code --until-event}); {@code progress} gets each event index. */
    public Verdict run(LongConsumer progress) {
        long started = System.nanoTime();
        long replayed = 0;
        long firstTime = -1;
        long lastTime = -1;
        Long stoppedAt = null;
        List<String> notes = new java.util.ArrayList<>();
        if (options.freeBatching()) {
            notes.add("--free-batching: when primary, the replayed node cut its own batches; once its first PRE-PREPARE differs"
                    + " from the recorded one, the replay is expected to diverge: the verdict reports that first difference");
        }
        try (RecordingReader nodeStack = RecordingReader.open(source.nodeStack());
             RecordingReader clientStack = RecordingReader.open(source.clientStack())) {
            RecordedBatches batches = RecordedBatches.read(nodeStack);
            log.info("replaying {}: {} recorded PRE-PREPAREs will be forced when it is primary", source.node(), batches.count());
            if (batches.unsignedViewChanges()) {
                notes.add("recorded before VIEW_CHANGEs were signed and NEW_VIEWs carried them: the replayed node made and took"
                        + " its view changes as the recorded one did, without those checks");
            } else if (batches.viewChangesWithoutEvidence()) {
                notes.add("recorded before VIEW_CHANGEs carried checkpoints and pre-prepared batches: the replayed node made its"
                        + " VIEW_CHANGEs and computed NEW_VIEWs as the recorded one did, by the rule of then");
            }
            try (CombinedRecorder merged = new CombinedRecorder(nodeStack, clientStack)) {
                Iterator<MergedEvent> events = options.mode() == Mode.REALTIME ? paced(merged) : merged;
                while (events.hasNext() && divergence == null) {
                    MergedEvent e = events.next();
                    if (options.untilEvent() != null && e.index() >= options.untilEvent()) {
                        stoppedAt = e.index();
                        state = describe();
                        break;
                    }
                    if (recent.size() == RECENT_EVENTS) {
                        recent.removeFirst();
                    }
                    recent.addLast(e);
                    long t = e.event().timeNanos();
                    if (firstTime < 0) {
                        firstTime = t;
                    }
                    lastTime = t;
                    ReplayLog.at(t, e.index());
                    beforeEvent(e.index(), e);
                    replay(e, batches);
                    replayed++;
                    progress.accept(e.index());
                }
            }
            // Sends still unmatched here belong to the last input of a recording that ends without a
            // stop (the node was killed and never restarted, or it was copied while recording): they
            // were never recorded, so they prove nothing either way. Every earlier input's sends were
            // checked before the next input, and a recorded stop checks them too.
            Status end = core != null ? core.status() : lastStatus;
            long ledgerSize = end != null ? end.ledgerSize() : 0;
            String ledgerRoot = end != null ? end.ledgerRoot() : Hashes.hex(io.stackcompanion.node.store.MerkleTree.emptyRoot());
            long ordered = end != null ? end.lastOrderedPpSeqNo() : 0;
            double recordedSeconds = firstTime < 0 ? 0 : (lastTime - firstTime) / 1e9;
            if (options.checkState()) {
                notes.add(statesRecorded == 0
                        ? "--check-state: the recording holds no recorded states (made before they were recorded); only messages and ledgers were compared"
                        : "--check-state: " + statesChecked + " of " + statesRecorded + " recorded states compared with the replayed node's");
            }
            if (verdictsTaken > 0) {
                notes.add("signatures: the replay took " + verdictsTaken + " verdicts the node recorded on client requests' signatures"
                        + " (checked on its stacks' threads) and verified " + verified + " signatures itself");
            }
            Verdict.Outcome outcome = divergence != null ? Verdict.Outcome.DIVERGED
                    : stoppedAt != null ? Verdict.Outcome.STOPPED : Verdict.Outcome.MATCH;
            return new Verdict(source.node(), outcome, replayed, ordered, ledgerSize, ledgerRoot, divergence,
                    recordedSeconds, (System.nanoTime() - started) / 1e9,
                    options.mode().name().toLowerCase(java.util.Locale.ROOT), stoppedAt,
                    outcome == Verdict.Outcome.MATCH ? null : state,
                    outcome == Verdict.Outcome.MATCH ? List.of() : recentEvents(), notes, ignoredConfig);
        }
    }

    /** The replayed node's state now, for the verdict. */
    private Object describe() {
        return core == null ? Map.of("node", source.node() + " is not running here (not started yet, or stopped)") : core.snapshot();
    }

    /** Records the first divergence and the replayed node's state at that moment. */
    private void diverge(Divergence d) {
        divergence = d;
        state = describe();
    }

    /** The recent events, decoded as {@code recording.sh export} prints them. */
    private List<JsonNode> recentEvents() {
        io.stackcompanion.recorder.JsonLinesExporter exporter = new io.stackcompanion.recorder.JsonLinesExporter(Codec::readable);
        List<JsonNode> out = new java.util.ArrayList<>();
        for (MergedEvent e : recent) {
            ObjectNode line = Codec.mapper().createObjectNode();
            line.put("index", e.index());
            line.put("stack", e.stack().name());
            try {
                out.add(Codec.mapper().readTree(exporter.toJsonLine(line, e.event())));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return out;
    }

    /**
     * Called before each replayed event, with its index in the merged stream: the place for a
     * conditional breakpoint ({@code index == N}) to stop right before event N in an IDE.
     */
    @SuppressWarnings("unused")
    public void beforeEvent(long index, MergedEvent event) {
        // Intentionally empty: a hook for debuggers.
    }

    private void replay(MergedEvent e, RecordedBatches batches) {
        RecordedEvent ev = e.event();
        switch (ev.kind()) {
            case INITIAL_STATE -> { }
            case STARTED -> start(e, batches);
            case STOPPED -> stop(e);
            case UNCLEAN_STOP -> {
                // The recording may lack the sends of the input the node was killed in.
                pending.clear();
                if (core != null) {
                    killedInput = lastInput;
                }
                closeRun();
                afterUncleanStop = true;
            }
            case OUTGOING -> compareSend(e);
            case STATE -> checkState(e);
            case VERIFIED -> verdict = verdict(e);
            case INCOMING -> {
                // The verdict recorded just before it, for this very input (same stack, same peer).
                List<SignatureVerdict> v = verdict != null && verdict.stack() == e.stack() && verdict.peer().equals(ev.peers().get(0))
                        ? verdict.verdicts() : List.of();
                verdict = null;
                verdictsTaken += v.size();
                feed(e, new CoreInput.Received(e.stack(), ev.peers().get(0), ev.payload(), v, null));
            }
            case CONNECTED -> feed(e, new CoreInput.Connected(e.stack(), ev.peers().get(0)));
            case DISCONNECTED -> feed(e, new CoreInput.Disconnected(e.stack(), ev.peers().get(0)));
            case TIMER_FIRED -> feed(e, new CoreInput.TimerFired(new String(ev.payload(), StandardCharsets.UTF_8)));
            default -> throw new ReplayException("event " + e.index() + " of " + source.folder() + " has kind "
                    + ev.kind() + ", which this replayer does not know; use a newer Stack Companion");
        }
    }

    /** A {@link EventKind#VERIFIED} event's verdicts, for the INCOMING after it. */
    private PendingVerdict verdict(MergedEvent e) {
        RecordedEvent ev = e.event();
        try {
            if (ev.peers().size() != 1) {
                throw new IllegalArgumentException("it names " + ev.peers().size() + " peers, not one");
            }
            return new PendingVerdict(e.stack(), ev.peers().get(0), SignatureVerdict.listFromBytes(ev.payload()));
        } catch (IllegalArgumentException x) {
            throw new ReplayException("event " + e.index() + " of " + source.folder() + " (VERIFIED) is malformed: " + x.getMessage()
                    + "; 'recording.sh verify' checks the recording");
        }
    }

    private record PendingVerdict(StackName stack, String peer, List<SignatureVerdict> verdicts) {
    }

    private void start(MergedEvent e, RecordedBatches batches) {
        if (core != null) {
            closeRun(); // a start without a recorded stop before it
        }
        NodeRecording.StartInfo info = readJson(e, NodeRecording.StartInfo.class);
        // Before anything is opened: a configuration this build cannot rebuild is refused first.
        NodeConfig config = config(info);
        if (store == null) {
            store = openStore();
        }
        Path restartState = afterUncleanStop ? source.restartState(info.restartState()) : null;
        long size = store.ledger().size();
        String root = Hashes.hex(store.ledger().root());
        if (size != info.ledgerSize() || !root.equals(info.ledgerRoot())) {
            String why = "at this start the recorded node's ledger differs from the replayed node's";
            if (killedInput != null && committedPartOfKilledInput(info)) {
                if (restartState != null) {
                    log.info("{} was killed in event {} before it committed all of it (ledger {} of {} txns); "
                            + "continuing from the store it restarted with", source.node(), killedInput.index(), info.ledgerSize(), size);
                    why = null;
                } else {
                    why = "the recorded node was killed in event " + killedInput.index() + " before it committed all of it, and the "
                            + "recording lacks the checkpoint of the store it restarted with ("
                            + (info.restartState() == null ? "recorded by an older version" : info.restartState() + " is missing") + ")";
                }
            }
            if (why != null) {
                diverge(new Divergence(e.index(), time(e.event().timeNanos()), null, why,
                        ledger(info.ledgerSize(), info.ledgerRoot()), ledger(size, root)));
                return;
            }
        }
        if (restartState != null) {
            // Exactly what the original restarted with, even what the ledger does not show (view, position).
            store.close();
            store = openStoreFrom(restartState, "restart state");
        }
        killedInput = null;
        afterUncleanStop = false;
        ReplayLog.startedWith(config.settings().logLevel());
        PrePrepareSchedule schedule = options.freeBatching() ? PrePrepareSchedule.NATURAL : batches.forRun(runs);
        runs++;
        core = new NodeCore(source.node(), source.genesis(), config.settings().core(), store, stepper, new Random(info.randomSeed()),
                schedule, verifications, batches.signer());
        if (batches.unsignedViewChanges()) {
            core.replayUnsignedViewChanges();
        } else if (batches.viewChangesWithoutEvidence()) {
            core.replayViewChangesWithoutEvidence();
        }
        stepper.attach(core);
        feed(e, new CoreInput.Started());
    }

    /** The configuration the node was recorded with at this start, with {@code --set} on top. */
    private NodeConfig config(NodeRecording.StartInfo info) {
        try {
            NodeConfig.Replayed c = NodeConfig.forReplay(info.config(), "the recording of " + source.node() + " in " + source.folder(),
                    options.overrides(), options.ignoreUnknownConfig());
            if (!c.ignored().isEmpty() && !c.ignored().equals(ignoredConfig)) {
                log.warn("{}: ignoring recorded configuration this build does not know (--ignore-unknown-config): {}", source.node(), c.ignored());
            }
            ignoredConfig.putAll(c.ignored());
            return c.config();
        } catch (ConfigException ex) {
            throw new ReplayException(ex.getMessage(), ex);
        }
    }

    private void stop(MergedEvent e) {
        checkNothingPending(e);
        if (divergence != null || core == null) {
            closeRun();
            return;
        }
        Status recorded = readJson(e, Status.class);
        Status replayed = core.status();
        if (recorded.ledgerSize() != replayed.ledgerSize() || !recorded.ledgerRoot().equals(replayed.ledgerRoot())) {
            diverge(new Divergence(e.index(), time(e.event().timeNanos()), null,
                    "at this stop the recorded node's ledger differs from the replayed node's",
                    ledger(recorded.ledgerSize(), recorded.ledgerRoot()), ledger(replayed.ledgerSize(), replayed.ledgerRoot())));
        }
        closeRun();
    }

    private void feed(MergedEvent e, CoreInput input) {
        checkNothingPending(e);
        if (divergence != null) {
            return;
        }
        if (core == null) {
            throw new ReplayException("event " + e.index() + " of " + source.folder()
                    + " comes before the node's recorded start; the recording is incomplete");
        }
        clock.moveTo(e.event().timeNanos());
        lastInput = new Fed(e.index(), store.ledger().size());
        try {
            stepper.step(input);
        } catch (RuntimeException ex) {
            // Kept whole: the stack is what a developer needs, in the verdict and at a breakpoint here.
            diverge(new Divergence(e.index(), time(e.event().timeNanos()), e.stack().name(),
                    "the replayed core failed on this input: " + ex.getMessage(), null, null, ex));
        }
    }

    private void compareSend(MergedEvent e) {
        RecordedEvent ev = e.event();
        SilencedStacks.Sent actual = pending.poll();
        if (actual == null) {
            diverge(new Divergence(e.index(), time(ev.timeNanos()), e.stack().name(),
                    "the recorded node sent this message; the replayed node sent nothing here",
                    send(e.stack(), ev.peers(), ev.payload()), null));
            return;
        }
        if (actual.stack() != e.stack() || !actual.peers().equals(ev.peers()) || !sameMessage(actual.payload(), ev.payload())) {
            diverge(new Divergence(e.index(), time(ev.timeNanos()), e.stack().name(),
                    "the replayed node sent a different message than the recorded node",
                    send(e.stack(), ev.peers(), ev.payload()), send(actual.stack(), actual.peers(), actual.payload())));
        }
    }

    /**
     * Whether two payloads are the same message: the same bytes, or, when the bytes differ, both
     * messages and equal ones. A recording made before node messages went binary holds them as JSON,
     * and the replayed node now sends the same messages binary; the content is what is compared.
     */
    static boolean sameMessage(byte[] actual, byte[] recorded) {
        if (Arrays.equals(actual, recorded)) {
            return true;
        }
        try {
            return Codec.decode(actual).equals(Codec.decode(recorded));
        } catch (MalformedMessageException e) {
            return false;
        }
    }

    /**
     * A recorded state (after the input before it, or before a stop): with {@code --check-state}, the
     * replayed core must stand exactly there too. Not an input: nothing is fed.
     */
    private void checkState(MergedEvent e) {
        statesRecorded++;
        if (!options.checkState() || divergence != null || core == null) {
            return;
        }
        statesChecked++;
        byte[] actual = Codec.toBytes(core.snapshot());
        if (!Arrays.equals(actual, e.event().payload())) {
            JsonNode expected = json(e.event().payload());
            JsonNode got = json(actual);
            List<String> paths = new java.util.ArrayList<>();
            differences("", expected, got, paths);
            diverge(new Divergence(e.index(), time(e.event().timeNanos()), null,
                    "the replayed node's consensus state differs from the recorded one here (--check-state): "
                            + (paths.isEmpty() ? "in its encoding" : String.join(", ", paths)), expected, got));
        }
    }

    /** The paths (at most 8) where two JSON values differ, e.g. {@code batches[3].committedBy}. */
    static void differences(String path, JsonNode a, JsonNode b, List<String> out) {
        if (out.size() >= 8 || String.valueOf(a).equals(String.valueOf(b))) {
            return;
        }
        if (a != null && b != null && a.isObject() && b.isObject()) {
            java.util.TreeSet<String> names = new java.util.TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                differences(path.isEmpty() ? n : path + "." + n, a.get(n), b.get(n), out);
            }
        } else if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                differences(path + "[" + i + "]", a.get(i), b.get(i), out);
            }
        } else {
            out.add(path.isEmpty() ? "the whole state" : path);
        }
    }

    /** Everything the previous input made the core send must have been matched by recorded sends. */
    private void checkNothingPending(MergedEvent e) {
        if (divergence == null && !pending.isEmpty()) {
            SilencedStacks.Sent s = pending.peek();
            diverge(new Divergence(e.index(), time(e.event().timeNanos()), s.stack().name(),
                    "the replayed node sent a message the recorded node did not send (before this event)",
                    null, send(s.stack(), s.peers(), s.payload())));
        }
    }

    private void closeRun() {
        if (core != null) {
            lastStatus = stepper.stop();
        }
        core = null;
        if (store != null) {
            store.close(); // the next start reopens it, as the original node reopened its data
            store = null;
        }
    }

    /**
     * Whether the recorded ledger at this restart is what the replayed ledger was at some point of
     * the input the original was killed in: at least what it had before that input, at most what it
     * has after, and the same Merkle root at that size.
     */
    private boolean committedPartOfKilledInput(NodeRecording.StartInfo info) {
        long size = info.ledgerSize();
        return size >= killedInput.ledgerBefore() && size <= store.ledger().size()
                && Hashes.hex(store.ledger().rootAt(size)).equals(info.ledgerRoot());
    }

    /** Replaces the replayed node's data with a copy of {@code checkpoint} (the {@code what}) and opens it. */
    private NodeStore openStoreFrom(Path checkpoint, String what) {
        Path db = workDir.resolve(NodeStore.FOLDER);
        try {
            FileTrees.delete(db);
            FileTrees.copy(checkpoint, db);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the " + what + " " + checkpoint + " to " + db, e);
        }
        return NodeStore.open(db);
    }

    /** The replayed node's data: as the last run left it, or the initial state for the first run. */
    private NodeStore openStore() {
        Path db = workDir.resolve(NodeStore.FOLDER);
        if (!Files.exists(db) && source.initialState() != null) {
            return openStoreFrom(source.initialState(), "initial state");
        }
        return NodeStore.open(db);
    }

    /**
     * The merged stream paced by the recorder's {@link PacedReader}: each event only when as much
     * wall time has passed since the previous one as separated them in the original.
     */
    private static Iterator<MergedEvent> paced(Iterator<MergedEvent> merged) {
        ArrayDeque<MergedEvent> pulled = new ArrayDeque<>();
        PacedReader reader = new PacedReader(new Iterator<>() {
            @Override
            public boolean hasNext() {
                return merged.hasNext();
            }

            @Override
            public RecordedEvent next() {
                MergedEvent e = merged.next();
                pulled.add(e);
                return e.event();
            }
        }, System::nanoTime);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return reader.hasMore();
            }

            @Override
            public MergedEvent next() {
                while (reader.getNext().isEmpty()) {
                    long wait = reader.nanosUntilNext();
                    if (wait < 0) {
                        throw new java.util.NoSuchElementException();
                    }
                    LockSupport.parkNanos(Math.min(wait, 50_000_000L));
                }
                return pulled.poll();
            }
        };
    }

    private <T> T readJson(MergedEvent e, Class<T> type) {
        try {
            return Codec.mapper().readValue(e.event().payload(), type);
        } catch (IOException ex) {
            throw new ReplayException("event " + e.index() + " (" + e.event().kind() + ") of " + source.folder()
                    + " has an unreadable payload: " + ex.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static JsonNode send(StackName stack, List<String> peers, byte[] payload) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("stack", stack.name());
        o.set("to", Codec.mapper().valueToTree(peers));
        o.set("message", json(payload));
        return o;
    }

    static JsonNode json(byte[] payload) {
        try {
            return Codec.tree(payload);
        } catch (RuntimeException e) {
            return JsonNodeFactory.instance.textNode(new String(payload, StandardCharsets.UTF_8));
        }
    }

    private static JsonNode ledger(long size, String root) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("ledgerSize", size);
        o.put("ledgerRoot", root);
        return o;
    }

    private static String time(long nanos) {
        return nanos < 0 ? null : Instant.ofEpochSecond(0, nanos).toString();
    }

    @Override
    public void close() {
        closeRun();
    }
}
