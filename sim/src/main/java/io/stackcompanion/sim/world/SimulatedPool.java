package io.stackcompanion.sim.world;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.CoreTap;
import io.stackcompanion.node.core.NodeCore;
import io.stackcompanion.node.core.PrePrepareSchedule;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.node.runtime.CoreStepper;
import io.stackcompanion.node.runtime.Stacks;
import io.stackcompanion.node.store.NodeStore;
import io.stackcompanion.recorder.RecordingClock;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A whole pool of cores in one thread on simulated time: messages between nodes are delivered after
 * a seeded random delay, timers fire at their deadlines, and a {@link Firewall} may drop, delay,
 * duplicate or rewrite them. The same
 * seed gives the same run, event for event. Scenario tests read like the protocol; no sockets.
 */
public final class SimulatedPool implements AutoCloseable {
    /** Simulated time starts here: 2026-01-01T00:00:00Z in nanoseconds. */
    public static final long EPOCH = 1_767_225_600_000_000_000L;

    /** One thing that crossed a core's boundary: an input, or a send. */
    public record Trace(long time, String node, String what, byte[] bytes) {
        @Override
        public String toString() {
            return time + " " + node + " " + what + (bytes == null ? "" : " " + text(bytes));
        }

        /** A payload for people: a binary message as its JSON, anything else as UTF-8 text. */
        public static String text(byte[] payload) {
            if (Codec.isBinary(payload)) {
                try {
                    return Codec.tree(payload).toString();
                } catch (IllegalArgumentException e) {
                    // malformed: shown as the bytes are
                }
            }
            return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** An input for a node, or (node null) an action of the world: a client's timer, a fault's start or end. */
    private record Event(long time, long seq, String node, CoreInput input, Runnable action) {
    }

    /** Thrown by a node's tap to end a step the way a SIGKILL ends it: after the recording, before the core. */
    private static final class Killed extends RuntimeException {
        Killed() {
            super(null, null, false, false);
        }
    }

    /** One node: its stacks are the simulated network, its tap the recording (if any) and the kill switch. */
    private final class SimNode implements Stacks, CoreTap {
        final String name;
        final CoreStepper stepper;
        NodeStore store;
        NodeCore core;
        /** With {@link #record}: the node's recording while it runs, as {@code STACK_COMPANION=1} keeps it. */
        NodeRecording recording;
        RecordingClock clock;
        /** Inputs delivered since the node's current start (its STARTED is input 0). */
        long inputs;
        /** The index of the input being stepped. */
        long input;
        long killBeforeInput = -1;
        /** This node's clock against the simulated time: ahead by {@code offset}, running fast by {@code driftPpm}. */
        long offsetNanos;
        long driftPpm;

        SimNode(String name, NodeStore store) {
            this.name = name;
            this.store = store;
            // A recorded node's time is its recording clock's, which must issue every time it records.
            this.stepper = new CoreStepper(() -> recording != null ? clock.now() : time(), this, this);
        }

        /** The node's own time now (its clock's skew and drift applied to the simulated time). */
        long time() {
            return localTime(now);
        }

        long localTime(long global) {
            return global + offsetNanos + Math.multiplyExact(global - EPOCH, driftPpm) / 1_000_000L;
        }

        /** The first simulated time at which this node's clock reads at least {@code local}. */
        long globalTime(long local) {
            long g = EPOCH + (long) Math.floor((local - offsetNanos - EPOCH) / (1 + driftPpm / 1e6));
            while (localTime(g) < local) {
                g++;
            }
            while (g > EPOCH && localTime(g - 1) >= local) {
                g--;
            }
            return g;
        }

        @Override
        public void onInput(long time, CoreInput in) {
            if (recording != null) {
                if (time != time()) {
                    throw new IllegalStateException(name + "'s recording clock left the simulated time; restart it later");
                }
                recording.onInput(time, in);
            }
            if (input == killBeforeInput) {
                killBeforeInput = -1;
                throw new Killed();
            }
        }

        @Override
        public void onSend(long time, StackName stack, List<String> peers, byte[] payload) {
            if (recording != null) {
                recording.onSend(time, stack, peers, payload);
            }
        }

        @Override
        public void onHandled(long time) {
            if (recording != null) {
                recording.onHandled(time);
            }
        }

        @Override
        public void onStop(long time, Status last) {
            if (recording != null) {
                recording.onStop(time, last);
            }
        }

        @Override
        public void onState(long time, io.stackcompanion.node.core.CoreSnapshot state) {
            if (recording != null) {
                recording.onState(time, state);
            }
        }

        @Override
        public void send(StackName stack, List<String> peers, byte[] payload) {
            long now = stepper.now();
            traceSink.accept(new Trace(now, name, "send " + stack + " " + peers, payload));
            Message message = decode(payload); // once for all the peers (messages are immutable)
            if (stack == StackName.CLIENT) {
                for (String p : peers) {
                    clientSink.accept(new ClientMessage(now, name, p, message));
                }
                return;
            }
            for (String p : peers) {
                if (!up.getOrDefault(p, false) || isCut(name, p)) {
                    continue;
                }
                network.carry(name, p, message, payload, (delayNanos, bytes) ->
                        schedule(now + delayNanos, p, new CoreInput.Received(StackName.NODE, name, bytes)));
            }
        }

        @Override
        public void flush() {
            // the simulated network delivers each send as it is made
        }

        @Override
        public void disconnect(StackName stack, String peer) {
            traceSink.accept(new Trace(now, name, "disconnect " + stack + " " + peer, null));
        }
    }

    /** A message a node sent on its client stack. */
    public record ClientMessage(long time, String node, String connection, Message message) {
    }

    private final PoolGenesis genesis;
    private final NodeConfig config;
    private final Random random;
    private final Map<String, SimNode> nodes = new LinkedHashMap<>();
    private final Map<String, Boolean> up = new LinkedHashMap<>();
    private final Set<String> recorded = new TreeSet<>();
    private BiConsumer<String, Long> afterInput = (node, index) -> { };
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.time != b.time
            ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final List<Trace> trace = new ArrayList<>();
    private Consumer<Trace> traceSink = trace::add;
    private final List<ClientMessage> clientInbox = new ArrayList<>();
    private Consumer<ClientMessage> clientSink = clientInbox::add;
    /** Links cut (each as "A|B", A before B): nothing crosses them, and both ends saw the other disconnect. */
    private final Set<String> cut = new TreeSet<>();
    private long seq;
    private long now = EPOCH;
    private long minDelayNanos = 1_000_000;
    private long maxDelayNanos = 3_000_000;
    private Network network = (from, to, message, payload, delivery) -> delivery.after(linkDelay(), payload);
    private final Path dir;
    /** The nodes' signature checks, shared: a request all of them verify costs one verification. */
    private final VerificationMemo verifier = new VerificationMemo();
    /** Each node's key pair (drawn from the seed), with which its core signs. */
    private final Map<String, KeyPair> nodeKeys = new LinkedHashMap<>();
    /** The planted weakness of {@link #plantSkipNewViewCheck}. */
    private boolean skipNewViewCheck;
    /** The planted weakness of {@link #plantVotesForAnyDigest}. */
    private boolean votesForAnyDigest;
    /** Nodes whose cores lie in their NEW_VIEWs ({@link #plantLyingNewViews}). */
    private final Set<String> lyingNewViews = new TreeSet<>();
    /** Nodes whose cores censor a client as primary ({@link #plantCensoring}). */
    private final Set<String> censoring = new TreeSet<>();
    /** Nodes whose cores equivocate as primary ({@link #plantEquivocation}). */
    private final Map<String, Boolean> equivocating = new TreeMap<>();

    public SimulatedPool(Path dir, int n, long seed, NodeConfig config) {
        this.random = new Random(seed);
        this.config = config;
        this.dir = dir;
        List<NodeInfo> infos = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            KeyPair kp = deterministicKeys(seed * 1000 + i);
            infos.add(new NodeInfo("Node" + i, "127.0.0.1", 0, 0, Keys.encodePublic(kp.getPublic())));
            nodeKeys.put("Node" + i, kp);
        }
        this.genesis = new PoolGenesis(infos);
        for (NodeInfo info : infos) {
            NodeStore store = NodeStore.openNode(dir.resolve(info.name()), NodeStore.Footprint.SMALL);
            nodes.put(info.name(), new SimNode(info.name(), store));
            up.put(info.name(), false);
        }
    }

    /** How {@code node}'s core signs (its key pair, drawn from the seed). */
    public NodeSigner signer(String node) {
        return NodeSigner.of(nodeKeys.get(node));
    }

    /**
     * The planted weakness: every node started from now on takes NEW_VIEWs on trust (the test that the
     * swarm finds a weakened node).
     */
    public void plantSkipNewViewCheck() {
        skipNewViewCheck = true;
    }

    /**
     * The planted weakness: every node started from now on counts PREPAREs and COMMITs whatever digest
     * they name (the test that the swarm finds a weakened node).
     */
    public void plantVotesForAnyDigest() {
        votesForAnyDigest = true;
    }

    /**
     * {@code node}'s core (at every start from now on) lies in its NEW_VIEWs as a Byzantine primary:
     * it leaves out the last batch to re-order and acts on that.
     */
    public void plantLyingNewViews(String node) {
        lyingNewViews.add(node);
    }

    /**
     * {@code node}'s core (at every start from now on) censors as primary: it never proposes the
     * requests of one client (the first whose request it had to cut).
     */
    public void plantCensoring(String node) {
        censoring.add(node);
    }

    /**
     * {@code node}'s core (at every start from now on) equivocates as primary: f replicas get each batch
     * it proposes and the others another valid batch at the same pp_seq_no ({@code split}), or every
     * replica its own.
     */
    public void plantEquivocation(String node, boolean split) {
        equivocating.put(node, split);
    }

    /** An Ed25519 key pair that is the same for the same seed (the JDK's generator takes our randomness). */
    public static KeyPair deterministicKeys(long seed) {
        try {
            SecureRandom sr = SecureRandom.getInstance("SHA1PRNG");
            sr.setSeed(seed);
            KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
            g.initialize(255, sr);
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How the pool's nodes check client signatures (a memo of {@link Keys#verify}); checkers may use it too. */
    public VerificationMemo verifier() {
        return verifier;
    }

    public PoolGenesis genesis() {
        return genesis;
    }

    public List<String> names() {
        return genesis.names();
    }

    public long now() {
        return now;
    }

    /**
     * What every node-to-node message goes through, from now on; by default each arrives once after
     * {@link #linkDelay()}. Faults (drops, delays, duplicates, rewrites, cut links) are networks.
     */
    public void network(Network network) {
        this.network = java.util.Objects.requireNonNull(network, "network");
    }

    /** A link delay drawn from the pool's seeded randomness: uniform in 1..3 ms. */
    public long linkDelay() {
        return minDelayNanos + (long) (random.nextDouble() * (maxDelayNanos - minDelayNanos));
    }

    /**
     * Records {@code node} from its next start on, into {@code <dir>/<node>/recorder/}, as a node with
     * {@code STACK_COMPANION=1} does: every input before the core handles it, every send, its starts
     * and stops, the recording's clock being the simulated time.
     */
    public void record(String node) {
        recorded.add(node);
    }

    /** Called after every input a core handled, with the node and the input's index since its start. */
    public void afterEachInput(BiConsumer<String, Long> listener) {
        this.afterInput = listener;
    }

    /**
     * Kills {@code node} (see {@link #kill}) right after its recording took input {@code index}
     * (counted from its start, STARTED being 0) and before its core handles it: the moment of a
     * SIGKILL that a recorded input and the store it was about to change are on either side of.
     */
    public void killBeforeInput(String node, long index) {
        nodes.get(node).killBeforeInput = index;
    }

    /**
     * Stops {@code node} as a crash would: its pending inputs are lost, its store is closed, and the
     * nodes that are up see it disconnect. A recorded node records its stop.
     */
    public void stop(String node) {
        SimNode s = nodes.get(node);
        if (up.get(node)) {
            s.stepper.stop();
        }
        halt(node);
    }

    /** Like {@link #stop}, but a recorded node records nothing more, as after a SIGKILL. */
    public void kill(String node) {
        halt(node);
    }

    private void halt(String node) {
        SimNode s = nodes.get(node);
        if (!up.get(node)) {
            throw new IllegalStateException(node + " is not running");
        }
        up.put(node, false);
        traceSink.accept(new Trace(now, node, "Stopped", null));
        s.core = null;
        if (s.recording != null) {
            s.recording.close();
            s.recording = null;
        }
        s.store.close();
        for (String other : names()) {
            if (!other.equals(node) && up.get(other) && !isCut(node, other)) {
                schedule(now, other, new CoreInput.Disconnected(StackName.NODE, node));
            }
        }
    }

    /**
     * Cuts the link between two nodes as a broken TCP connection does: both ends that are up see the
     * other disconnect, and nothing crosses the link until {@link #healLink}. Messages already on
     * their way still arrive.
     */
    public void cutLink(String a, String b) {
        if (cut.add(link(a, b)) && up.get(a) && up.get(b)) {
            schedule(now, a, new CoreInput.Disconnected(StackName.NODE, b));
            schedule(now, b, new CoreInput.Disconnected(StackName.NODE, a));
        }
    }

    /** Re-establishes a cut link: both ends that are up connect again. */
    public void healLink(String a, String b) {
        if (cut.remove(link(a, b)) && up.get(a) && up.get(b)) {
            schedule(now, a, new CoreInput.Connected(StackName.NODE, b));
            schedule(now, b, new CoreInput.Connected(StackName.NODE, a));
        }
    }

    public boolean isCut(String a, String b) {
        return cut.contains(link(a, b));
    }

    private static String link(String a, String b) {
        return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
    }

    /**
     * Sets {@code node}'s clock (before it starts): ahead of the simulated time by {@code offsetNanos}
     * (negative: behind) and running fast by {@code driftPpm} parts per million (negative: slow). The
     * core's time, its timers and its recording all run on that clock.
     */
    public void clock(String node, long offsetNanos, long driftPpm) {
        if (driftPpm <= -1_000_000L) {
            throw new IllegalArgumentException("a clock that stands still or runs backwards: drift " + driftPpm + " ppm");
        }
        SimNode s = nodes.get(node);
        s.offsetNanos = offsetNanos;
        s.driftPpm = driftPpm;
    }

    /** Runs {@code action} at simulated time {@code time} (not before now), in order with the nodes' inputs. */
    public void at(long time, Runnable action) {
        queue.add(new Event(Math.max(time, now), seq++, null, null, action));
    }

    /** Sends everything that crosses a core's boundary to {@code sink} instead of keeping it for {@link #trace()}. */
    public void traceTo(Consumer<Trace> sink) {
        this.traceSink = java.util.Objects.requireNonNull(sink, "sink");
    }

    /**
     * Hands every message a node sends to a client to {@code sink}, as it is sent, instead of keeping
     * it for {@link #clientInbox()}. The sink may send (it only schedules).
     */
    public void clientMessagesTo(Consumer<ClientMessage> sink) {
        this.clientSink = java.util.Objects.requireNonNull(sink, "sink");
    }

    /** Starts a stopped node again on its data, as a restarted process. */
    public void restart(String node) {
        SimNode s = nodes.get(node);
        if (up.get(node)) {
            throw new IllegalStateException(node + " is running");
        }
        s.store = NodeStore.openNode(dir.resolve(node), NodeStore.Footprint.SMALL);
        start(node);
    }

    public boolean isUp(String node) {
        return up.get(node);
    }

    /** The node's store (for reading its ledger in assertions). */
    public NodeStore store(String node) {
        return nodes.get(node).store;
    }

    /** Starts every node and connects them all. */
    public void startAll() {
        for (String n : names()) {
            start(n);
        }
    }

    /** Starts {@code node} on its store and connects it with every node that is up. */
    public void start(String node) {
        SimNode s = nodes.get(node);
        if (recorded.contains(node)) {
            s.clock = RecordingClock.of(s.time(), s::time);
            s.recording = NodeRecording.open(dir.resolve(node), node, genesis, config, s.store,
                    new NodeRecording.StartInfo(s.store.ledger().size(), Hashes.hex(s.store.ledger().root()),
                            config.settings().randomSeed(node), Map.of()), s.clock);
        }
        s.core = new NodeCore(node, genesis, config.settings().core(), s.store, s.stepper,
                new Random(config.settings().randomSeed(node)), PrePrepareSchedule.NATURAL, verifier, signer(node));
        if (skipNewViewCheck) {
            s.core.plantSkipNewViewCheck();
        }
        if (votesForAnyDigest) {
            s.core.plantVotesForAnyDigest();
        }
        if (lyingNewViews.contains(node)) {
            s.core.plantLyingNewViews();
        }
        if (censoring.contains(node)) {
            s.core.plantCensoring();
        }
        if (equivocating.containsKey(node)) {
            s.core.plantEquivocation(equivocating.get(node));
        }
        s.stepper.attach(s.core);
        s.inputs = 0;
        up.put(node, true);
        deliver(s, new CoreInput.Started());
        for (String other : names()) {
            if (!other.equals(node) && up.get(other) && !isCut(node, other)) {
                schedule(now, node, new CoreInput.Connected(StackName.NODE, other));
                schedule(now, other, new CoreInput.Connected(StackName.NODE, node));
            }
        }
    }

    /** A client request (or any client message) arriving at {@code node} over connection {@code connection}. */
    public void clientSend(String node, String connection, Message m) {
        if (up.get(node)) {
            schedule(now, node, new CoreInput.Received(StackName.CLIENT, connection, Codec.encode(m)));
        }
    }

    /** Runs until simulated time {@code until} (nanoseconds) or nothing is left to do. */
    public void runUntil(long until) {
        while (true) {
            Event next = queue.peek();
            long timerAt = Long.MAX_VALUE;
            SimNode timerNode = null;
            for (SimNode s : nodes.values()) {
                if (!up.get(s.name)) {
                    continue;
                }
                OptionalLong d = s.core.nextTimerDeadline(); // on the node's own clock
                if (d.isPresent()) {
                    long at = s.globalTime(d.getAsLong());
                    if (at < timerAt) {
                        timerAt = at;
                        timerNode = s;
                    }
                }
            }
            long eventAt = next == null ? Long.MAX_VALUE : next.time;
            long at = Math.min(eventAt, timerAt);
            if (at == Long.MAX_VALUE || at > until) {
                now = Math.max(now, until == Long.MAX_VALUE ? now : until);
                return;
            }
            now = Math.max(now, at);
            if (timerAt < eventAt) {
                for (String t : timerNode.core.dueTimers(timerNode.time())) {
                    deliver(timerNode, new CoreInput.TimerFired(t));
                }
            } else {
                queue.poll();
                if (next.action != null) {
                    next.action.run();
                    continue;
                }
                SimNode s = nodes.get(next.node);
                if (up.get(next.node) && s.core != null) {
                    deliver(s, next.input);
                }
            }
        }
    }

    /** Runs for {@code millis} of simulated time. */
    public void runFor(long millis) {
        runUntil(now + millis * 1_000_000L);
    }

    public NodeCore core(String node) {
        return nodes.get(node).core;
    }

    public List<Trace> trace() {
        return trace;
    }

    /** Everything nodes sent to clients so far, in order. */
    public List<ClientMessage> clientInbox() {
        return clientInbox;
    }

    private void deliver(SimNode s, CoreInput input) {
        traceSink.accept(new Trace(now, s.name, describe(input), input instanceof CoreInput.Received r ? r.bytes() : null));
        long index = s.inputs++;
        s.input = index;
        try {
            s.stepper.step(input);
        } catch (Killed k) {
            kill(s.name);
            return;
        }
        afterInput.accept(s.name, index);
    }

    private static String describe(CoreInput input) {
        if (input instanceof CoreInput.Received r) {
            return "recv " + r.stack() + " " + r.peer();
        }
        return input.toString();
    }

    private void schedule(long time, String node, CoreInput input) {
        queue.add(new Event(time, seq++, node, input, null));
    }

    private static Message decode(byte[] payload) {
        try {
            return Codec.decode(payload);
        } catch (MalformedMessageException e) {
            throw new IllegalStateException("a core sent a message it cannot read back", e);
        }
    }

    @Override
    public void close() {
        for (SimNode s : nodes.values()) {
            if (s.recording != null) {
                s.recording.close();
                s.recording = null;
            }
            s.store.close(); // closing twice is allowed
        }
    }
}
