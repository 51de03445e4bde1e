package io.stackcompanion.node.core;

import io.stackcompanion.node.config.Quorums;
import io.stackcompanion.node.core.RequestBook.RequestState;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.message.BatchId;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.InstanceChange;
import io.stackcompanion.node.message.NewView;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Prepare;
import io.stackcompanion.node.message.ViewChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Changing the primary, as Plenum's view change trigger and view change services: a lost primary or
 * a stalled request leads to INSTANCE_CHANGE votes; at n-f the view changes (VIEW_CHANGE with
 * prepared certificates, NEW_VIEW from the next primary, round-robin) and the batches prepared in the
 * old view are ordered again, with the same content, in the new one. The view itself changes only in
 * {@link #enterView}.
 */
final class ViewChanges {
    private static final Logger log = LoggerFactory.getLogger(ViewChanges.class);
    static final String ORDERING_TIMER = "ordering-timeout";
    static final String PRIMARY_TIMER = "primary-lost";
    static final String VIEW_CHANGE_TIMER = "view-change";
    /** Messages of views further ahead than this are not kept (a peer cannot fill our memory). */
    static final int MAX_VIEWS_AHEAD = 16;

    /** How the three phases vote for a view change (Ordering is built before ViewChanges). */
    @FunctionalInterface
    interface Vote {
        void forView(int view, String reason);
    }

    private final CoreContext ctx;
    private final ConsensusState state;
    private final Execution execution;
    private final RequestBook book;
    private final Ordering ordering;
    private final PrePrepareStash stash;
    private final Catchup.Trigger catchup;
    private final Checkpoints checkpoints;
    /** Each node's highest INSTANCE_CHANGE vote. */
    private final TreeMap<String, Integer> instanceChanges = new TreeMap<>();
    private int votedFor;
    private final TreeMap<Integer, TreeMap<String, ViewChange>> viewChanges = new TreeMap<>();
    private final TreeMap<Integer, NewView> futureNewViews = new TreeMap<>();
    /** Nodes seen sending 3-phase messages of a view later than ours, and that view. */
    private final TreeMap<String, Integer> futureViewSenders = new TreeMap<>();
    private ViewChange ownViewChange;
    private NewView lastNewView;
    private final SignatureVerifier verifier;
    private final NodeSigner signer;
    /** The pool's node keys (genesis), decoded once: VIEW_CHANGEs are checked against them. */
    private final TreeMap<String, PublicKey> nodeKeys = new TreeMap<>();
    /** False only in the simulator's planted-weakness test: NEW_VIEWs are taken on trust. */
    private boolean checkNewViews = true;
    /**
     * Replaying a recording made before VIEW_CHANGEs were signed: this node's VIEW_CHANGEs are unsigned
     * and its NEW_VIEWs carry none, as the recorded node's were, and the peers' are taken as they came.
     */
    private boolean unsigned;
    /**
     * Replaying a recording made before VIEW_CHANGEs carried checkpoints and pre-prepared batches (or
     * before they were signed): this node's VIEW_CHANGEs leave them out, as the recorded node's did,
     * and NEW_VIEWs follow the rule of then ({@link #legacyNewView}).
     */
    private boolean legacyRule;
    /** The simulator's Byzantine primary: its NEW_VIEWs leave out their last batch, and it acts on them. */
    private boolean omitLastBatch;

    ViewChanges(CoreContext ctx, ConsensusState state, Execution execution, RequestBook book, Ordering ordering,
                PrePrepareStash stash, Catchup.Trigger catchup, Checkpoints checkpoints, SignatureVerifier verifier,
                NodeSigner signer) {
        this.checkpoints = checkpoints;
        this.verifier = verifier;
        this.signer = signer;
        this.ctx = ctx;
        this.state = state;
        this.execution = execution;
        this.book = book;
        this.ordering = ordering;
        this.stash = stash;
        this.catchup = catchup;
        this.votedFor = state.viewNo();
    }

    /** The simulator's planted weakness: replicas no longer check NEW_VIEWs (a test shows the swarm finds it). */
    void skipNewViewCheck() {
        checkNewViews = false;
    }

    /** The simulator's Byzantine primary (see {@link #omitLastBatch}). */
    void lieInNewViews() {
        omitLastBatch = true;
    }

    /** Replay of a recording made before VIEW_CHANGEs were signed (see {@link #unsigned}). */
    void replayUnsignedViewChanges() {
        unsigned = true;
        legacyRule = true;
        checkNewViews = false;
    }

    /** Replay of a recording made before VIEW_CHANGEs carried their evidence (see {@link #legacyRule}). */
    void replayViewChangesWithoutEvidence() {
        legacyRule = true;
    }

    /**
     * The one place the view changes. {@code changing}: the VIEW_CHANGE to {@code view} starts (the
     * established view stays what it was). Otherwise the node is in {@code view} with its primary
     * (NEW_VIEW processed, or the view found by catch-up): the view change is over.
     */
    private void enterView(int view, boolean changing) {
        if (changing) {
            state.startViewChange(view);
            viewChanges.headMap(view, false).clear();
        } else {
            state.enterView(view);
            ownViewChange = null;
            ctx.timers.cancel(VIEW_CHANGE_TIMER);
            viewChanges.headMap(view, true).clear();
        }
        votedFor = Math.max(votedFor, view);
        instanceChanges.entrySet().removeIf(e -> e.getValue() <= view);
        futureViewSenders.entrySet().removeIf(e -> e.getValue() <= view);
    }

    // ---------------------------------------------------------------- watching the primary

    void onConnected(String peer) {
        if (peer.equals(state.primary())) {
            ctx.timers.cancel(PRIMARY_TIMER);
        }
        // What a peer that was away must hear again for the view change to make progress.
        if (votedFor > state.viewNo() || (state.isViewChanging() && votedFor == state.viewNo())) {
            ctx.outbox.toNode(peer, new InstanceChange(votedFor, "re-sent on reconnect"));
        }
        if (state.isViewChanging() && ownViewChange != null && peer.equals(state.primary())) {
            ctx.outbox.toNode(peer, ownViewChange);
        }
        if (!state.isViewChanging() && state.isPrimary() && lastNewView != null && lastNewView.viewNo() == state.viewNo()) {
            ctx.outbox.toNode(peer, lastNewView);
        }
    }

    void onDisconnected(String peer) {
        if (peer.equals(state.primary())) {
            watchPrimary();
        }
    }

    /** A finalised request must be ordered within the ordering timeout. */
    void onFinalised(RequestState request) {
        ctx.timers.scheduleIfAbsent(ORDERING_TIMER, request.finalisedAt() + ctx.settings.orderingTimeout().toNanos());
    }

    void onTimer(String timer) {
        if (ORDERING_TIMER.equals(timer)) {
            checkOrderingTimeout();
        } else if (PRIMARY_TIMER.equals(timer)) {
            if (!state.isViewChanging() && !state.isPrimary() && !ctx.connected.contains(state.primary())) {
                voteInstanceChange(state.viewNo() + 1, "primary " + state.primary() + " disconnected");
            }
        } else if (VIEW_CHANGE_TIMER.equals(timer)) {
            if (state.isViewChanging()) {
                state.viewChangeTimedOut();
                // The NEW_VIEW may have been sent and lost: the primary answers a VIEW_CHANGE for its view
                // with its NEW_VIEW again. Without this, a node that missed it waited for good when the
                // others were in the view (dst.sh run --seed 64 --nodes 7 --requests 100).
                if (ownViewChange != null && ownViewChange.viewNo() == state.viewNo() && !state.isPrimary()) {
                    ctx.outbox.toNode(state.primary(), ownViewChange);
                }
                voteInstanceChange(state.viewNo() + 1, "view change to " + state.viewNo() + " did not complete in time");
                if (state.isViewChanging()) {
                    ctx.timers.schedule(VIEW_CHANGE_TIMER, ctx.now()
                            + (ctx.settings.viewChangeTimeout().toNanos() << Math.min(state.failedViewChanges(), 10)));
                }
            }
        }
    }

    private void checkOrderingTimeout() {
        long timeout = ctx.settings.orderingTimeout().toNanos();
        Optional<RequestState> oldest = book.oldestFinalised();
        if (oldest.isEmpty()) {
            return;
        }
        long deadline = Math.max(oldest.get().finalisedAt(), state.viewStartedAt()) + timeout;
        if (ctx.now() < deadline) {
            ctx.timers.schedule(ORDERING_TIMER, deadline);
            return;
        }
        long lastProgress = Math.max(Math.max(state.lastOrderedAt(), state.lastProposalAt()), state.viewStartedAt());
        // Looked at again when the pool, if it does nothing more, has stood still for a timeout: a node
        // whose last batches lack the COMMITs lost on their way (the pool ordered them) starts its
        // catch-up a timeout after its last progress, not up to two (dst.sh run --seed 884 --nodes 7
        // --faults all: the primary of the new view, stuck at a checkpoint below the others, caught up
        // only after the run's settle time).
        ctx.timers.schedule(ORDERING_TIMER, ctx.now() - lastProgress >= timeout ? ctx.now() + timeout : lastProgress + timeout);
        // An overloaded pool is slow but orders, or its primary at least proposes; a stalled one needs a
        // new primary, and so does one that censors: it proposed requests finalised here more than half a
        // timeout after this one, which waits still, in no batch (a primary cuts its queue oldest first,
        // and the nodes finalise a request within a few network delays of each other). A primary that
        // censors more cleverly is caught after three more timeouts.
        boolean stalled = ctx.now() - lastProgress >= timeout;
        long latestProposed = state.latestProposedFinalisedAt(); // Long.MIN_VALUE: none in this view
        boolean skipped = latestProposed != Long.MIN_VALUE && !book.isInBatch(oldest.get().digest)
                && latestProposed - oldest.get().finalisedAt() > timeout / 2;
        boolean censored = skipped || ctx.now() - deadline >= 3 * timeout;
        if ((stalled || censored) && !state.isViewChanging() && !state.isCatchingUp()) {
            String why = "a request finalised " + (ctx.now() - oldest.get().finalisedAt()) / 1_000_000 + " ms ago is not ordered"
                    + (skipped && !stalled ? " while the primary proposed requests finalised after it" : "");
            if (votedFor > state.viewNo()) {
                // This node voted already and the view has not changed: its INSTANCE_CHANGE may have been
                // lost on a link that stayed up (reconnects re-send it), so say it again. Without this two
                // honest nodes that each missed the other's vote waited for good (dst.sh run --seed 1046
                // --faults all).
                ctx.outbox.broadcast(new InstanceChange(votedFor, "re-sent: " + why));
            }
            voteInstanceChange(state.viewNo() + 1, why);
            // The pool may have ordered it without this node (3-phase messages lost on a cut link): with
            // no further checkpoint to tell it, only asking the peers' ledgers finds that out.
            catchup.start(why + " here", false);
        }
    }

    /** The primary is lost unless it comes back within the grace period. */
    void watchPrimary() {
        if (!state.isPrimary() && !ctx.connected.contains(state.primary())) {
            ctx.timers.schedule(PRIMARY_TIMER, ctx.now() + ctx.settings.primaryDisconnectGrace().toNanos());
        }
    }

    /** f+1 nodes working in a later view: we missed a view change; catch-up tells us where the pool is. */
    void noteFutureView(String from, int view) {
        if (view <= state.viewNo() || view > state.viewNo() + MAX_VIEWS_AHEAD) {
            return;
        }
        futureViewSenders.merge(from, view, Math::max);
        long ahead = futureViewSenders.values().stream().filter(v -> v > state.viewNo()).count();
        if (ahead >= ctx.f() + 1 && !state.isCatchingUp()) {
            catchup.start("f+1 nodes are in a view after " + state.viewNo(), false);
        }
    }

    // ---------------------------------------------------------------- instance changes

    void voteInstanceChange(int view, String reason) {
        if (view <= votedFor || view <= state.viewNo()) {
            return;
        }
        votedFor = view;
        log.info("{} votes for view {}: {}", ctx.name, view, reason);
        ctx.outbox.broadcast(new InstanceChange(view, reason));
        instanceChanges.put(ctx.name, view);
        evaluateInstanceChanges();
    }

    void onInstanceChange(String from, InstanceChange ic) {
        if (ic.viewNo() <= state.viewNo() || ic.viewNo() > state.viewNo() + MAX_VIEWS_AHEAD) {
            return;
        }
        Integer before = instanceChanges.get(from);
        if (before == null || before < ic.viewNo()) {
            instanceChanges.put(from, ic.viewNo());
        }
        evaluateInstanceChanges();
    }

    private int votesFor(int view, boolean includeSelf) {
        int n = 0;
        for (Map.Entry<String, Integer> e : instanceChanges.entrySet()) {
            if (e.getValue() >= view && (includeSelf || !e.getKey().equals(ctx.name))) {
                n++;
            }
        }
        return n;
    }

    private void evaluateInstanceChanges() {
        // Join a view change that f+1 others want: at least one honest node saw a reason.
        for (int v = state.viewNo() + MAX_VIEWS_AHEAD; v > state.viewNo(); v--) {
            if (v > votedFor && votesFor(v, false) >= ctx.f() + 1) {
                votedFor = v;
                log.info("{} votes for view {}: f+1 nodes do", ctx.name, v);
                ctx.outbox.broadcast(new InstanceChange(v, "f+1 nodes voted for it"));
                instanceChanges.put(ctx.name, v);
                break;
            }
        }
        for (int v = state.viewNo() + MAX_VIEWS_AHEAD; v > state.viewNo(); v--) {
            if (votesFor(v, true) >= ctx.quorums.viewChange()) {
                startViewChange(v);
                return;
            }
        }
    }

    // ---------------------------------------------------------------- view change and new view

    private void startViewChange(int view) {
        log.info("{} starts the view change to view {} (primary {})", ctx.name, view, ctx.primaryOf(view));
        enterView(view, true);
        execution.persist(state.viewNo(), state.stableCheckpoint());
        ordering.leaveView();
        ctx.timers.cancel(PRIMARY_TIMER);
        if (unsigned) {
            ownViewChange = new ViewChange(view, null, state.stableCheckpoint(), state.preparedAboveStable(), null);
        } else {
            ViewChange vc = legacyRule
                    ? new ViewChange(view, ctx.name, state.stableCheckpoint(), state.preparedAboveStable(), null)
                    : new ViewChange(view, ctx.name, state.stableCheckpoint(), state.preparedAboveStable(), state.heldCheckpoints(),
                            state.prePreparedAboveStable(), null);
            ownViewChange = vc.withSignature(Base64.getEncoder().encodeToString(signer.sign(Codec.signingBytes(vc))));
        }
        ctx.outbox.broadcast(ownViewChange);
        viewChanges.computeIfAbsent(view, v -> new TreeMap<>()).put(ctx.name, ownViewChange);
        long timeout = ctx.settings.viewChangeTimeout().toNanos() << Math.min(state.failedViewChanges(), 10);
        ctx.timers.schedule(VIEW_CHANGE_TIMER, ctx.now() + timeout);
        NewView early = futureNewViews.remove(view);
        futureNewViews.headMap(view, false).clear();
        if (early != null) {
            processNewView(early);
        } else if (state.isPrimary()) {
            tryNewView();
        }
    }

    void onViewChange(String from, ViewChange vc) {
        if (vc.viewNo() == state.viewNo() && !state.isViewChanging() && state.isPrimary() && lastNewView != null
                && lastNewView.viewNo() == state.viewNo()) {
            ctx.outbox.toNode(from, lastNewView); // it missed our NEW_VIEW
            return;
        }
        if (vc.viewNo() < state.viewNo() || (vc.viewNo() == state.viewNo() && !state.isViewChanging())
                || vc.viewNo() > state.viewNo() + MAX_VIEWS_AHEAD) {
            return;
        }
        // Only a VIEW_CHANGE its sender signed can go into a NEW_VIEW that every replica checks.
        if (!unsigned && (!from.equals(vc.node()) || !signedByItsNode(vc))) {
            ctx.rejections.reject(from, from.equals(vc.node()) ? "bad-view-change-signature" : "forged-view-change",
                    "{} sent a VIEW_CHANGE for view {} {}; ignored", from, vc.viewNo(),
                    from.equals(vc.node()) ? "with a signature that does not verify" : "in the name of " + vc.node());
            return;
        }
        if (!legacyRule && !vc.hasEvidence()) {
            ctx.rejections.reject(from, "view-change-without-evidence",
                    "{} sent a VIEW_CHANGE for view {} without its checkpoints and pre-prepared batches; ignored", from, vc.viewNo());
            return;
        }
        viewChanges.computeIfAbsent(vc.viewNo(), v -> new TreeMap<>()).put(from, vc);
        if (state.isViewChanging() && vc.viewNo() == state.viewNo() && state.isPrimary()) {
            tryNewView();
        }
    }

    private void tryNewView() {
        TreeMap<String, ViewChange> vcs = viewChanges.get(state.viewNo());
        if (vcs == null || vcs.size() < ctx.quorums.viewChange()) {
            return;
        }
        NewView nv;
        if (legacyRule) {
            nv = legacyNewView(state.viewNo(), List.copyOf(vcs.values()));
        } else {
            Optional<NewView> decided = newView(state.viewNo(), List.copyOf(vcs.values()), ctx.quorums);
            if (decided.isEmpty()) {
                log.info("{} cannot decide NEW_VIEW {} from the VIEW_CHANGEs of {} yet; waiting for more", ctx.name, state.viewNo(),
                        vcs.keySet());
                if (log.isDebugEnabled()) {
                    vcs.values().forEach(vc -> log.debug("  {}: stable {}, holds {}, prepared {}, pre-prepared {}", vc.node(),
                            vc.stableCheckpoint(), vc.checkpoints(),
                            vc.prepared().stream().map(pp -> pp.viewNo() + ":" + pp.ppSeqNo() + ":" + Batch.digestOf(pp).substring(0, 6)).toList(),
                            vc.preprepared().stream().map(id -> id.viewNo() + ":" + id.ppSeqNo() + ":" + id.digest().substring(0, 6)).toList()));
                }
                return;
            }
            nv = decided.get();
            if (log.isDebugEnabled()) {
                NewView before = legacyNewView(state.viewNo(), List.copyOf(vcs.values()));
                if (before.checkpoint() != nv.checkpoint() || !before.batches().equals(nv.batches())) {
                    log.debug("{}: NEW_VIEW {} has checkpoint {} and {} batches; the rule that believed each VIEW_CHANGE would have"
                            + " given checkpoint {} and {} batches", ctx.name, nv.viewNo(), nv.checkpoint(), nv.batches().size(),
                            before.checkpoint(), before.batches().size());
                }
            }
        }
        if (unsigned) {
            nv = new NewView(nv.viewNo(), nv.checkpoint(), nv.batches(), List.of());
        } else if (omitLastBatch && !nv.batches().isEmpty()) {
            log.info("{} (Byzantine) leaves batch {} out of its NEW_VIEW", ctx.name, nv.batches().get(nv.batches().size() - 1).ppSeqNo());
            nv = new NewView(nv.viewNo(), nv.checkpoint(), nv.batches().subList(0, nv.batches().size() - 1), nv.viewChanges());
        }
        log.info("{} sends NEW_VIEW {}: checkpoint {}, {} batches to re-order, from {}", ctx.name, state.viewNo(), nv.checkpoint(),
                nv.batches().size(), vcs.keySet());
        lastNewView = nv;
        ctx.outbox.broadcast(nv);
        processNewView(nv);
    }

    /**
     * The NEW_VIEW of view {@code view} from {@code vcs}, n-f or more signed VIEW_CHANGEs for it, one per
     * node, or empty when they do not decide one (the primary waits for more): the primary sends it and
     * every replica computes it again (a pure function of the VIEW_CHANGEs, in node order). PBFT's
     * selection rule (Castro and Liskov, TOCS 2002, 4.5: conditions A1 and A2) as Plenum's
     * NewViewBuilder applies it, so that what one node signs is believed only where others bear it out:
     * <ul>
     * <li>the checkpoint is the highest that f+1 VIEW_CHANGEs hold (one honest node ordered that far)
     *     and that is not below the stable checkpoint of n-f of them;</li>
     * <li>then, pp_seq_no by pp_seq_no, a batch one of them prepared in view v, if n-f of them do not
     *     contradict it (their stable checkpoint is below it, and they prepared there nothing of a later
     *     view, nor another batch in view v) and f+1 pre-prepared it in view v or later; none there if
     *     n-f prepared nothing there (the run stops: ordering is in order, a batch after a gap was
     *     ordered nowhere); otherwise nothing is decided.</li>
     * </ul>
     * A batch ordered anywhere was prepared by n-f nodes, f+1 of them honest, in every n-f VIEW_CHANGEs
     * at least one honest one reports it, and no later view can have prepared another batch there; a
     * batch one node made up finds no f+1 that pre-prepared it.
     */
    static Optional<NewView> newView(int view, List<ViewChange> vcs, Quorums quorums) {
        List<Claims> claims = vcs.stream().map(Claims::of).toList();
        OptionalLong checkpoint = selectedCheckpoint(claims, quorums);
        if (checkpoint.isEmpty()) {
            return Optional.empty();
        }
        List<PrePrepare> batches = new ArrayList<>();
        for (long s = checkpoint.getAsLong() + 1; ; s++) {
            PrePrepare chosen = selectedBatch(s, claims, quorums);
            if (chosen != null) {
                batches.add(chosen);
            } else if (preparedNothing(s, claims) >= quorums.viewChange()) {
                break;
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(new NewView(view, checkpoint.getAsLong(), batches, vcs));
    }

    /** A prepared batch as a VIEW_CHANGE claims it, with its digest (computed once). */
    private record Prepared(PrePrepare pp, String digest) {
    }

    /** What one VIEW_CHANGE claims, indexed by pp_seq_no (the rule looks at each slot of each VIEW_CHANGE). */
    private record Claims(long stable, java.util.Set<Long> held, TreeMap<Long, List<Prepared>> prepared,
                          TreeMap<Long, List<BatchId>> prePrepared) {
        static Claims of(ViewChange vc) {
            TreeMap<Long, List<Prepared>> prepared = new TreeMap<>();
            for (PrePrepare pp : vc.prepared()) {
                prepared.computeIfAbsent(pp.ppSeqNo(), k -> new ArrayList<>()).add(new Prepared(pp, Batch.digestOf(pp)));
            }
            TreeMap<Long, List<BatchId>> prePrepared = new TreeMap<>();
            for (BatchId id : vc.preprepared() == null ? List.<BatchId>of() : vc.preprepared()) {
                prePrepared.computeIfAbsent(id.ppSeqNo(), k -> new ArrayList<>()).add(id);
            }
            return new Claims(vc.stableCheckpoint(), new TreeSet<>(vc.checkpoints() == null ? List.of() : vc.checkpoints()),
                    prepared, prePrepared);
        }

        List<Prepared> preparedAt(long s) {
            return prepared.getOrDefault(s, List.of());
        }
    }

    private static OptionalLong selectedCheckpoint(List<Claims> claims, Quorums quorums) {
        TreeSet<Long> held = new TreeSet<>();
        claims.forEach(c -> held.addAll(c.held()));
        for (long c : held.descendingSet()) {
            int holders = 0;
            int notAbove = 0;
            for (Claims vc : claims) {
                if (vc.held().contains(c)) {
                    holders++;
                }
                if (vc.stable() <= c) {
                    notAbove++;
                }
            }
            if (holders >= quorums.f() + 1 && notAbove >= quorums.viewChange()) {
                return OptionalLong.of(c);
            }
        }
        return OptionalLong.empty();
    }

    /** The batch selected at {@code s}, or null: candidates of later views first, then by digest. */
    private static PrePrepare selectedBatch(long s, List<Claims> claims, Quorums quorums) {
        TreeSet<Prepared> candidates = new TreeSet<>(java.util.Comparator.comparingInt((Prepared p) -> p.pp().viewNo()).reversed()
                .thenComparing(Prepared::digest));
        claims.forEach(c -> candidates.addAll(c.preparedAt(s)));
        for (Prepared candidate : candidates) {
            int view = candidate.pp().viewNo();
            TreeMap<Integer, String> digestInView = new TreeMap<>(); // the candidate's digest as re-ordered in a later view
            int notContradicting = 0;
            int prePrepared = 0;
            for (Claims vc : claims) {
                if (vc.stable() < s && vc.preparedAt(s).stream().noneMatch(p -> p.pp().viewNo() > view
                        || (p.pp().viewNo() == view && !p.digest().equals(candidate.digest())))) {
                    notContradicting++;
                }
                if (vc.prePrepared().getOrDefault(s, List.of()).stream().anyMatch(id -> id.viewNo() >= view
                        && id.digest().equals(digestInView.computeIfAbsent(id.viewNo(),
                                v -> Batch.digestOf(inView(candidate.pp(), v)))))) {
                    prePrepared++;
                }
            }
            if (notContradicting >= quorums.viewChange() && prePrepared >= quorums.f() + 1) {
                return candidate.pp();
            }
        }
        return null;
    }

    /** How many of {@code claims} prepared nothing at {@code s}, their stable checkpoint below it. */
    private static int preparedNothing(long s, List<Claims> claims) {
        int n = 0;
        for (Claims vc : claims) {
            if (vc.stable() < s && vc.preparedAt(s).isEmpty()) {
                n++;
            }
        }
        return n;
    }

    /** {@code pp}'s batch as the PRE-PREPARE of view {@code view} (how a new view re-orders it). */
    private static PrePrepare inView(PrePrepare pp, int view) {
        return pp.viewNo() == view ? pp
                : new PrePrepare(view, pp.ppSeqNo(), pp.ppTime(), pp.reqDigests(), pp.ledgerSize(), pp.txnRoot(), pp.stateRoot());
    }

    /**
     * The NEW_VIEW rule of recordings made before VIEW_CHANGEs carried their evidence (replay only):
     * the highest stable checkpoint reported; for each pp_seq_no above, the batch prepared in the
     * latest view; only a gap-free run from the checkpoint on. It believes what each node signs.
     */
    static NewView legacyNewView(int view, List<ViewChange> vcs) {
        long checkpoint = 0;
        for (ViewChange vc : vcs) {
            checkpoint = Math.max(checkpoint, vc.stableCheckpoint());
        }
        TreeMap<Long, PrePrepare> chosen = new TreeMap<>();
        for (ViewChange vc : vcs) {
            for (PrePrepare pp : vc.prepared()) {
                if (pp.ppSeqNo() <= checkpoint) {
                    continue;
                }
                PrePrepare have = chosen.get(pp.ppSeqNo());
                if (have == null || pp.viewNo() > have.viewNo()
                        || (pp.viewNo() == have.viewNo() && Batch.digestOf(pp).compareTo(Batch.digestOf(have)) < 0)) {
                    chosen.put(pp.ppSeqNo(), pp);
                }
            }
        }
        List<PrePrepare> batchesToReorder = new ArrayList<>();
        long next = checkpoint + 1;
        for (PrePrepare pp : chosen.values()) {
            if (pp.ppSeqNo() != next) {
                break;
            }
            batchesToReorder.add(pp);
            next++;
        }
        return new NewView(view, checkpoint, batchesToReorder, vcs);
    }

    /**
     * Why {@code nv} does not follow from the VIEW_CHANGEs it carries, or null if it does: at least n-f
     * of them, one per node of the pool, for its view, each signed by its node and carrying its
     * evidence, and the checkpoint and batches are what {@link #newView} gives for them.
     */
    private String whyNotValid(NewView nv) {
        if (nv.viewChanges().size() < ctx.quorums.viewChange()) {
            return "it carries " + nv.viewChanges().size() + " VIEW_CHANGEs, fewer than the " + ctx.quorums.viewChange() + " it needs";
        }
        String previous = null;
        for (ViewChange vc : nv.viewChanges()) {
            if (vc.node() == null || !nodeKey(vc.node()).isPresent()) {
                return "it carries a VIEW_CHANGE of " + vc.node() + ", which is not a node of the pool";
            }
            if (previous != null && vc.node().compareTo(previous) <= 0) {
                return "its VIEW_CHANGEs are not one per node in node order (" + vc.node() + " after " + previous + ")";
            }
            previous = vc.node();
            if (vc.viewNo() != nv.viewNo()) {
                return vc.node() + "'s VIEW_CHANGE in it is for view " + vc.viewNo();
            }
            if (!signedByItsNode(vc)) {
                return vc.node() + "'s VIEW_CHANGE in it is not signed by " + vc.node();
            }
            if (!legacyRule && !vc.hasEvidence()) {
                return vc.node() + "'s VIEW_CHANGE in it carries no checkpoints and pre-prepared batches";
            }
        }
        NewView expected;
        if (legacyRule) {
            expected = legacyNewView(nv.viewNo(), nv.viewChanges());
        } else {
            Optional<NewView> decided = newView(nv.viewNo(), nv.viewChanges(), ctx.quorums);
            if (decided.isEmpty()) {
                return "its VIEW_CHANGEs decide no checkpoint and batches (too few of them bear out what the others claim)";
            }
            expected = decided.get();
        }
        if (expected.checkpoint() != nv.checkpoint()) {
            return "its checkpoint is " + nv.checkpoint() + " but its VIEW_CHANGEs give " + expected.checkpoint();
        }
        if (!expected.batches().equals(nv.batches())) {
            return "it re-orders " + nv.batches().size() + " batches but its VIEW_CHANGEs give " + expected.batches().size()
                    + (expected.batches().size() == nv.batches().size() ? " other ones" : "");
        }
        return null;
    }

    private boolean signedByItsNode(ViewChange vc) {
        Optional<PublicKey> key = vc.node() == null ? Optional.empty() : nodeKey(vc.node());
        if (key.isEmpty() || vc.signature() == null) {
            return false;
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(vc.signature());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return verifier.verify(key.get(), Codec.signingBytes(vc), signature);
    }

    private Optional<PublicKey> nodeKey(String node) {
        PublicKey key = nodeKeys.get(node);
        if (key == null) {
            Optional<PublicKey> decoded = ctx.genesis.node(node).map(n -> Keys.decodePublic(n.publicKey()));
            decoded.ifPresent(k -> nodeKeys.put(node, k));
            return decoded;
        }
        return Optional.of(key);
    }

    void onNewView(String from, NewView nv) {
        if (!from.equals(ctx.primaryOf(nv.viewNo()))) {
            ctx.rejections.reject(from, "new-view-not-from-primary", "{} sent NEW_VIEW {} but its primary is {}; ignored", from,
                    nv.viewNo(), ctx.primaryOf(nv.viewNo()));
            return;
        }
        if (nv.viewNo() < state.viewNo() || nv.viewNo() > state.viewNo() + MAX_VIEWS_AHEAD
                || (nv.viewNo() == state.viewNo() && !state.isViewChanging())) {
            return;
        }
        String invalid = checkNewViews ? whyNotValid(nv) : null;
        if (invalid != null) {
            ctx.rejections.reject(from, "new-view-does-not-follow",
                    "{} sent NEW_VIEW {} that does not follow from its VIEW_CHANGEs: {}; rejected", from, nv.viewNo(), invalid);
            if (nv.viewNo() == state.viewNo()) {
                voteInstanceChange(nv.viewNo() + 1, "primary " + from + " sent a NEW_VIEW that does not follow from its VIEW_CHANGEs");
            }
            return;
        }
        if (nv.viewNo() > state.viewNo() && nv.viewNo() <= state.viewNo() + MAX_VIEWS_AHEAD) {
            futureNewViews.put(nv.viewNo(), nv);
            noteFutureView(from, nv.viewNo());
        } else if (nv.viewNo() == state.viewNo() && state.isViewChanging()) {
            processNewView(nv);
        }
    }

    private void processNewView(NewView nv) {
        enterView(state.viewNo(), false);
        log.info("{} is in view {}: primary {}, checkpoint {}, {} batches to re-order (last ordered {})", ctx.name,
                state.viewNo(), state.primary(), nv.checkpoint(), nv.batches().size(), state.lastOrdered());
        watchPrimary();
        long expected = nv.checkpoint() + 1;
        for (PrePrepare old : nv.batches()) {
            if (old.ppSeqNo() != expected++) {
                ctx.rejections.reject(state.primary(), "new-view-gap",
                        "NEW_VIEW {} from {} re-orders batches with a gap at {}; ignoring the rest", state.viewNo(),
                        state.primary(), old.ppSeqNo());
                break;
            }
            PrePrepare pp = new PrePrepare(state.viewNo(), old.ppSeqNo(), old.ppTime(), old.reqDigests(), old.ledgerSize(),
                    old.txnRoot(), old.stateRoot());
            if (pp.ppSeqNo() <= state.lastOrdered()) {
                PrePrepare mine = state.orderedAt(pp.ppSeqNo());
                if (mine != null && !sameContent(mine, pp)) {
                    ctx.rejections.reject(state.primary(), "new-view-contradicts-ordered",
                            "NEW_VIEW {} re-orders at {} another batch than the one this node ordered there; "
                            + "voting for the next view", state.viewNo(), pp.ppSeqNo());
                    voteInstanceChange(state.viewNo() + 1, "NEW_VIEW contradicts an ordered batch");
                    return;
                }
                // Already ordered here: vote for it in the new view, so the nodes that have not can.
                state.prePrepared(pp);
                String d = Batch.digestOf(pp);
                if (!state.isPrimary()) {
                    ctx.outbox.broadcast(new Prepare(state.viewNo(), pp.ppSeqNo(), d));
                }
                ctx.outbox.broadcast(new Commit(state.viewNo(), pp.ppSeqNo(), d));
            } else {
                stash.stashReordered(pp);
            }
        }
        stash.takeFuture(state.viewNo());
        if (nv.checkpoint() > state.stableCheckpoint() && nv.checkpoint() <= state.lastOrdered()) {
            // The view starts from this checkpoint (as PBFT's NEW-VIEW sets the low watermark): stable here
            // too, though this node missed the CHECKPOINTs that made it stable (they are not sent again).
            // Without this, nodes whose watermark stayed at the checkpoint before refused every later
            // PRE-PREPARE ("above the high watermark"), view after view (dst.sh run --seed 80 --nodes 7
            // --requests 100 --faults all).
            checkpoints.markStable(nv.checkpoint());
        }
        if (nv.checkpoint() > state.lastOrdered()) {
            catchup.start("NEW_VIEW " + state.viewNo() + " starts from checkpoint " + nv.checkpoint()
                    + " but this node ordered only up to " + state.lastOrdered(), true);
            return;
        }
        ordering.resume();
    }

    private static boolean sameContent(PrePrepare a, PrePrepare b) {
        return a.ppSeqNo() == b.ppSeqNo() && a.ppTime() == b.ppTime() && a.reqDigests().equals(b.reqDigests())
                && a.ledgerSize() == b.ledgerSize() && a.txnRoot().equals(b.txnRoot()) && a.stateRoot().equals(b.stateRoot());
    }

    /** Catch-up found the pool in {@code view}, later than ours (or the one we were changing to): join it. */
    void adoptView(int view) {
        log.info("{} joins view {} (primary {}) found by catch-up", ctx.name, view, ctx.primaryOf(view));
        stash.clear();
        enterView(view, false);
        NewView nv = futureNewViews.remove(view);
        futureNewViews.headMap(view, true).clear();
        if (nv != null) {
            processNewView(nv);
        } else {
            stash.takeFuture(state.viewNo());
            watchPrimary();
        }
    }
}
