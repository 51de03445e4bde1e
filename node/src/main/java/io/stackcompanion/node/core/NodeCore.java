package io.stackcompanion.node.core;

import io.stackcompanion.node.core.RequestBook.RequestState;
import io.stackcompanion.node.config.CoreSettings;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.message.CatchupRep;
import io.stackcompanion.node.message.CatchupReq;
import io.stackcompanion.node.message.Checkpoint;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.ConsistencyProof;
import io.stackcompanion.node.message.InstanceChange;
import io.stackcompanion.node.message.LedgerStatus;
import io.stackcompanion.node.message.NewView;
import io.stackcompanion.node.message.ViewChange;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.GetStatus;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.MessageRequest;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Prepare;
import io.stackcompanion.node.message.Propagate;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.store.NodeStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;

/**
 * The node's deterministic core: a single-threaded state machine over {@link CoreInput}s. It reads
 * time only from {@link CoreRuntime#now()}, schedules only through its {@link Timers}, draws
 * randomness only from the injected {@link Random}, and acts only through the runtime. Fed the same
 * inputs at the same times on the same data, it produces the same outputs: that is what makes a
 * recording replayable.
 */
public final class NodeCore {
    private static final Logger log = LoggerFactory.getLogger(NodeCore.class);

    private final CoreContext ctx;
    private final Execution execution;
    private final RequestBook book;
    /** Answers the signature check that came with the input being handled (see {@link CoreInput.Received}). */
    private final VerdictVerifier verdicts;
    private final Propagator propagator;
    private final ConsensusState state;
    private final Checkpoints checkpoints;
    private final PrimaryBatcher batcher;
    private final PrePrepareStash stash;
    private final Ordering ordering;
    private final ViewChanges viewChanges;
    private final Catchup catchup;
    private final TreeSet<String> connectedNodes;
    /** The service that takes each kind of message nodes send each other (lookups only). */
    private final Map<Class<? extends Message>, BiConsumer<String, Message>> nodeMessageHandlers = new HashMap<>();
    private boolean started;

    /**
     * @param name    this node's name in {@code genesis}
     * @param store   the node's persisted ledger and state, owned by the caller
     * @param random  the only randomness the core may use; seed it for repeatable runs
     * @param signer  signs with this node's key (its VIEW_CHANGEs)
     */
    public NodeCore(String name, PoolGenesis genesis, CoreSettings settings, NodeStore store,
                    CoreRuntime runtime, Random random, NodeSigner signer) {
        this(name, genesis, settings, store, runtime, random, PrePrepareSchedule.NATURAL, SignatureVerifier.DIRECT, signer);
    }

    /**
     * @param schedule which batches this node cuts when it is primary: its own rules, or (replay)
     *                 exactly the recorded ones
     * @param verifier how signatures are checked: {@link SignatureVerifier#DIRECT} but in the
     *                 simulator, whose nodes share a memo of the same answers (a pure function)
     */
    public NodeCore(String name, PoolGenesis genesis, CoreSettings settings, NodeStore store,
                    CoreRuntime runtime, Random random, PrePrepareSchedule schedule, SignatureVerifier verifier,
                    NodeSigner signer) {
        if (genesis.indexOf(name) < 0) {
            throw new IllegalArgumentException("node " + name + " is not in the pool genesis " + genesis.names());
        }
        this.ctx = new CoreContext(name, genesis, settings, runtime, new Timers(), random);
        this.verdicts = new VerdictVerifier(verifier);
        this.connectedNodes = ctx.connected;
        this.execution = new Execution(store);
        this.book = new RequestBook();
        this.propagator = new Propagator(ctx, execution, book, this::onFinalised, verdicts, this::orderedAlready);
        this.state = new ConsensusState(ctx, execution);
        this.checkpoints = new Checkpoints(ctx, state, execution, this::startCatchup, this::primaryMayCut);
        this.batcher = new PrimaryBatcher(ctx, state, book, schedule);
        this.stash = new PrePrepareStash();
        this.ordering = new Ordering(ctx, state, execution, book, batcher, stash, checkpoints, this::startCatchup,
                this::voteInstanceChange, propagator::missing);
        this.viewChanges = new ViewChanges(ctx, state, execution, book, ordering, stash, this::startCatchup, checkpoints, verdicts,
                signer);
        this.catchup = new Catchup(ctx, state, execution, book, ordering, viewChanges, checkpoints);
        onNodeMessage(Propagate.class, propagator::onPropagate);
        onNodeMessage(MessageRequest.class, propagator::onMessageRequest);
        // A later view's 3-phase message: the pool may have moved on.
        onNodeMessage(PrePrepare.class, noteView(PrePrepare::viewNo, ordering::onPrePrepare));
        onNodeMessage(Prepare.class, noteView(Prepare::viewNo, ordering::onPrepare));
        onNodeMessage(Commit.class, noteView(Commit::viewNo, ordering::onCommit));
        onNodeMessage(Checkpoint.class, checkpoints::onCheckpoint);
        onNodeMessage(InstanceChange.class, viewChanges::onInstanceChange);
        onNodeMessage(ViewChange.class, viewChanges::onViewChange);
        onNodeMessage(NewView.class, viewChanges::onNewView);
        onNodeMessage(LedgerStatus.class, catchup::onLedgerStatus);
        onNodeMessage(ConsistencyProof.class, catchup::onConsistencyProof);
        onNodeMessage(CatchupReq.class, catchup::onCatchupReq);
        onNodeMessage(CatchupRep.class, catchup::onCatchupRep);
    }

    private <M extends Message> void onNodeMessage(Class<M> type, BiConsumer<String, M> handler) {
        nodeMessageHandlers.put(type, (from, m) -> handler.accept(from, type.cast(m)));
    }

    private <M extends Message> BiConsumer<String, M> noteView(ToIntFunction<M> viewOf, BiConsumer<String, M> handler) {
        return (from, m) -> {
            viewChanges.noteFutureView(from, viewOf.applyAsInt(m));
            handler.accept(from, m);
        };
    }

    public String name() {
        return ctx.name;
    }

    /** Handles one input to completion. Call only from the core thread. */
    public void handle(CoreInput input) {
        if (input instanceof CoreInput.Received r) {
            onReceived(r);
        } else if (input instanceof CoreInput.TimerFired t) {
            onTimer(t.timer());
        } else if (input instanceof CoreInput.Connected c) {
            onConnected(c);
        } else if (input instanceof CoreInput.Disconnected d) {
            onDisconnected(d);
        } else if (input instanceof CoreInput.Started) {
            onStarted();
        } else {
            throw new IllegalArgumentException("unknown input " + input);
        }
        ordering.afterInput();
    }

    /** When the next timer is due (core clock, nanoseconds), if any. */
    public OptionalLong nextTimerDeadline() {
        return ctx.timers.nextDeadline();
    }

    /** Timers due at {@code now}, in the order they must fire. */
    public List<String> dueTimers(long now) {
        return ctx.timers.due(now);
    }

    public Status status() {
        return status(false);
    }

    /**
     * Where the node stands; with {@code withRejected}, also the messages it rejected so far by sender
     * and reason (only when asked: a recording's STATUS replies must keep their bytes).
     */
    public Status status(boolean withRejected) {
        return new Status(ctx.name, state.viewNo(), state.primary(), state.lastOrdered(),
                execution.ledgerSize(), execution.ledgerRoot(), List.copyOf(connectedNodes),
                withRejected ? ctx.rejections.counts() : null);
    }

    /** Where the core stands, as plain values: the replay verdict's state, a debugger's view, what --check-state compares. */
    public CoreSnapshot snapshot() {
        return new CoreSnapshot(ctx.name, state.viewNo(), state.isViewChanging(), state.primary(), state.lastOrdered(),
                state.lastApplied(), state.stableCheckpoint(), state.highWatermark(), state.isCatchingUp(),
                execution.ledgerSize(), execution.ledgerRoot(), book.size(), book.queuedCount(), stash.size(),
                ordering.votes(), List.copyOf(connectedNodes), catchup.completed());
    }

    /** The stable checkpoint (pp_seq_no): cheap, for the stepper to notice when it moves. */
    public long stableCheckpoint() {
        return state.stableCheckpoint();
    }

    private void onStarted() {
        if (started) {
            log.warn("started twice; ignored");
            return;
        }
        started = true;
        log.info("{} started: view {}, primary {}, last ordered {}, ledger size {}", ctx.name, state.viewNo(),
                state.primary(), state.lastOrdered(), execution.ledgerSize());
        // Whatever happened while we were away, the pool knows: ask it before ordering anything. The
        // primary is watched once catch-up is done: links take a while to come up at start.
        catchup.start("the node started");
    }

    private void onConnected(CoreInput.Connected c) {
        if (c.stack() == StackName.NODE) {
            connectedNodes.add(c.peer());
            ctx.connectedAt.put(c.peer(), ctx.now());
            log.info("connected to {}", c.peer());
            viewChanges.onConnected(c.peer());
            catchup.onConnected(c.peer());
        }
    }

    private void onDisconnected(CoreInput.Disconnected d) {
        if (d.stack() == StackName.NODE) {
            connectedNodes.remove(d.peer());
            log.info("disconnected from {}", d.peer());
            viewChanges.onDisconnected(d.peer());
        }
    }

    private void onTimer(String timer) {
        if (!ctx.timers.fire(timer)) {
            return; // cancelled or rescheduled since it was found due
        }
        if (Catchup.TIMER.equals(timer)) {
            catchup.onTimer(timer);
        } else if (Propagator.MESSAGE_REQUEST_TIMER.equals(timer)) {
            propagator.onMessageRequestTimer();
        } else if (PrimaryBatcher.BATCH_TIMER.equals(timer)) {
            ordering.maybeCutBatch();
        } else {
            viewChanges.onTimer(timer);
        }
    }

    private void onFinalised(RequestState request) {
        viewChanges.onFinalised(request);
        ordering.onFinalised();
    }

    // Where one service calls another that is built after it: resolved here, when the input is handled.

    private void startCatchup(String why, boolean poolAhead) {
        catchup.start(why, poolAhead);
    }

    private void orderedAlready(String digest) {
        ordering.orderedAlready(digest);
    }

    private void primaryMayCut() {
        ordering.maybeCutBatch();
    }

    private void voteInstanceChange(int view, String reason) {
        viewChanges.voteInstanceChange(view, reason);
    }

    private void onReceived(CoreInput.Received r) {
        verdicts.offer(r.verdicts());
        try {
            onReceivedMessage(r);
        } finally {
            verdicts.offer(List.of());
        }
    }

    private void onReceivedMessage(CoreInput.Received r) {
        Message m = r.decoded();
        try {
            if (m == null) {
                m = Codec.decode(r.bytes());
            }
        } catch (MalformedMessageException e) {
            ctx.rejections.reject(r.stack() == StackName.CLIENT ? Rejections.CLIENTS : r.peer(), "malformed",
                    "{} on the {} stack sent a malformed message ({}); closing that connection", r.peer(), r.stack(),
                    e.getMessage());
            ctx.runtime.disconnect(r.stack(), r.peer());
            return;
        }
        if (r.stack() == StackName.CLIENT) {
            onClientMessage(r.peer(), m);
        } else {
            onNodeMessage(r.peer(), m);
        }
    }

    private void onClientMessage(String connection, Message m) {
        if (m instanceof Request req) {
            propagator.onClientRequest(connection, req);
        } else if (m instanceof GetStatus gs) {
            ctx.outbox.toClient(connection, status(Boolean.TRUE.equals(gs.withRejected())));
        } else {
            ctx.rejections.reject(Rejections.CLIENTS, "not-a-client-message",
                    "client {} sent {}, which clients may not send; closing that connection", connection,
                    m.getClass().getSimpleName());
            ctx.runtime.disconnect(StackName.CLIENT, connection);
        }
    }

    private void onNodeMessage(String from, Message m) {
        BiConsumer<String, Message> handler = nodeMessageHandlers.get(m.getClass());
        if (handler != null) {
            handler.accept(from, m);
        } else {
            ctx.rejections.reject(from, "not-a-node-message",
                    "node {} sent {}, which nodes do not send each other; closing that connection", from,
                    m.getClass().getSimpleName());
            ctx.runtime.disconnect(StackName.NODE, from);
        }
    }

    /**
     * A planted weakness, for the simulator's test that its swarm finds one: this node takes NEW_VIEWs
     * on trust instead of computing them again from their VIEW_CHANGEs. Nothing else calls it.
     */
    public void plantSkipNewViewCheck() {
        viewChanges.skipNewViewCheck();
    }

    /**
     * A planted weakness, for the simulator's test that its swarm finds one: this node counts PREPAREs
     * and COMMITs whatever digest they name as votes for the batch it accepted, so a primary that sends
     * different PRE-PREPAREs to different replicas forks them. Nothing else calls it.
     */
    public void plantVotesForAnyDigest() {
        ordering.countVotesForAnyDigest();
    }

    /**
     * The simulator's Byzantine primary: whenever it is primary, some replicas get each batch it proposes
     * and the others other valid batches at the same pp_seq_no (equivocation): f replicas get ours and
     * the rest one other ({@code split}), or every replica its own. Nothing else calls it.
     */
    public void plantEquivocation(boolean split) {
        ordering.equivocate(split ? Ordering.Equivocation.SPLIT : Ordering.Equivocation.EACH_ITS_OWN);
    }

    /**
     * The simulator's Byzantine primary: its NEW_VIEWs leave out the last batch they should re-order,
     * and it acts on them (proposes other batches from there). What a replica that checks NEW_VIEWs
     * rejects, and one that does not ({@link #plantSkipNewViewCheck}) may fork on. Nothing else calls it.
     */
    public void plantLyingNewViews() {
        viewChanges.lieInNewViews();
    }

    /**
     * The simulator's censoring primary: whenever it is primary, it never proposes the requests of one
     * client (the first whose request it had to cut); the replicas see a later request proposed before
     * it and vote for a new primary at the ordering timeout. Nothing else calls it.
     */
    public void plantCensoring() {
        batcher.censor();
    }

    /**
     * For the replay of a recording made before VIEW_CHANGEs were signed (and NEW_VIEWs carried them):
     * this node makes its view changes as the recorded one did, and takes its peers' as they came.
     * A node never calls it.
     */
    public void replayUnsignedViewChanges() {
        viewChanges.replayUnsignedViewChanges();
    }

    /**
     * For the replay of a recording made before VIEW_CHANGEs carried checkpoints and pre-prepared
     * batches: this node makes its VIEW_CHANGEs without them, as the recorded one did, and computes
     * NEW_VIEWs by the rule of then. A node never calls it.
     */
    public void replayViewChangesWithoutEvidence() {
        viewChanges.replayViewChangesWithoutEvidence();
    }
}
