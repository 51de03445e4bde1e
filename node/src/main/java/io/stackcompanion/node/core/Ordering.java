package io.stackcompanion.node.core;

import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.InstanceChange;
import io.stackcompanion.node.message.NewView;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Prepare;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.ViewChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The master instance's 3-phase commit, checkpoints and view change, as in Plenum: the primary cuts
 * finalised requests into PRE-PREPAREs (by size or by wait), replicas check them by applying the batch
 * and comparing roots, PREPARE at n-f-1, COMMIT at n-f, and batches are ordered strictly in pp_seq_no
 * order. Every CHK_FREQ batches a CHECKPOINT; at n-f matching ones it is stable and the logs below it
 * go. A lost primary or a stalled request leads to INSTANCE_CHANGE votes; at n-f the view changes
 * (VIEW_CHANGE with prepared certificates, NEW_VIEW from the next primary, round-robin) and the
 * batches prepared in the old view are ordered again, with the same content, in the new one.
 */
final class Ordering {
    private static final Logger log = LoggerFactory.getLogger(Ordering.class);
    static final String BATCH_TIMER = "batch";
    static final String ORDERING_TIMER = "ordering-timeout";
    static final String PRIMARY_TIMER = "primary-lost";
    static final String VIEW_CHANGE_TIMER = "view-change";
    /** Messages of views further ahead than this are not kept (a peer cannot fill our memory). */
    private static final int MAX_VIEWS_AHEAD = 16;

    private final CoreContext ctx;
    private final Execution execution;
    private final Propagator propagator;
    private final PrePrepareSchedule schedule;
    private final ConsensusState state;
    private final Checkpoints checkpoints;
    private final Catchup.Trigger catchup;

    /** Finalised requests not yet in any batch, in finalisation order (a LinkedHashMap: ordered). */
    private final LinkedHashMap<String, RequestState> queue = new LinkedHashMap<>();
    /** Digests in batches applied and not yet ordered. */
    private final Set<String> batched = new HashSet<>();
    private final TreeMap<Long, Batch> batches = new TreeMap<>();
    /** PRE-PREPAREs of this view received ahead of their turn or before all their requests are known. */
    private final TreeMap<Long, PrePrepare> stashed = new TreeMap<>();
    /** Stashed pp_seq_nos that came in a NEW_VIEW: re-ordered batches, whose requests need not be finalised here. */
    private final TreeSet<Long> fromNewView = new TreeSet<>();
    /** PRE-PREPAREs of a later view (from that view's primary), kept until we are in it. */
    private final TreeMap<Long, PrePrepare> futurePrePrepares = new TreeMap<>();
    /** Each node's highest INSTANCE_CHANGE vote. */
    private final TreeMap<String, Integer> instanceChanges = new TreeMap<>();
    private int votedFor;
    private final TreeMap<Integer, TreeMap<String, ViewChange>> viewChanges = new TreeMap<>();
    private final TreeMap<Integer, NewView> futureNewViews = new TreeMap<>();
    /** Nodes seen sending 3-phase messages of a view later than ours, and that view. */
    private final TreeMap<String, Integer> futureViewSenders = new TreeMap<>();
    private ViewChange ownViewChange;
    private NewView lastNewView;

    Ordering(CoreContext ctx, ConsensusState state, Execution execution, Propagator propagator,
             PrePrepareSchedule schedule, Checkpoints checkpoints, Catchup.Trigger catchup) {
        this.ctx = ctx;
        this.checkpoints = checkpoints;
        this.catchup = catchup;
        this.state = state;
        this.execution = execution;
        this.propagator = propagator;
        this.schedule = schedule;
        this.votedFor = state.viewNo;
    }

    private boolean canOrder() {
        return !state.viewChanging && !state.catchingUp;
    }

    // ---------------------------------------------------------------- inputs

    void onStarted() {
        // The primary is watched once catch-up is done: links take a while to come up at start.
    }

    void onConnected(String peer) {
        if (peer.equals(state.primary())) {
            ctx.timers.cancel(PRIMARY_TIMER);
        }
        // What a peer that was away must hear again for the view change to make progress.
        if (votedFor > state.viewNo || (state.viewChanging && votedFor == state.viewNo)) {
            ctx.outbox.toNode(peer, new InstanceChange(votedFor, "re-sent on reconnect"));
        }
        if (state.viewChanging && ownViewChange != null && peer.equals(state.primary())) {
            ctx.outbox.toNode(peer, ownViewChange);
        }
        if (!state.viewChanging && state.isPrimary() && lastNewView != null && lastNewView.viewNo() == state.viewNo) {
            ctx.outbox.toNode(peer, lastNewView);
        }
    }

    void onDisconnected(String peer) {
        if (peer.equals(state.primary())) {
            watchPrimary();
        }
    }

    void onFinalised(RequestState request) {
        if (!batched.contains(request.digest)) {
            queue.put(request.digest, request);
        }
        ctx.timers.scheduleIfAbsent(ORDERING_TIMER, request.finalisedAt + ctx.millis(ctx.config.orderingTimeoutMs()));
        if (state.isPrimary()) {
            maybeCutBatch();
        } else {
            applyStashed();
        }
    }

    void onTimer(String timer) {
        if (BATCH_TIMER.equals(timer)) {
            maybeCutBatch();
        } else if (ORDERING_TIMER.equals(timer)) {
            checkOrderingTimeout();
        } else if (PRIMARY_TIMER.equals(timer)) {
            if (!state.viewChanging && !state.isPrimary() && !ctx.connected.contains(state.primary())) {
                voteInstanceChange(state.viewNo + 1, "primary " + state.primary() + " disconnected");
            }
        } else if (VIEW_CHANGE_TIMER.equals(timer)) {
            if (state.viewChanging) {
                state.failedViewChanges++;
                voteInstanceChange(state.viewNo + 1, "view change to " + state.viewNo + " did not complete in time");
            }
        }
    }

    void onPrePrepare(String from, PrePrepare pp) {
        if (pp.viewNo() > state.viewNo) {
            if (from.equals(ctx.primaryOf(pp.viewNo())) && pp.viewNo() <= state.viewNo + MAX_VIEWS_AHEAD
                    && pp.ppSeqNo() > state.lastOrdered && pp.ppSeqNo() <= state.lastOrdered + ctx.config.logSize()) {
                futurePrePrepares.put(pp.ppSeqNo(), pp);
            }
            noteFutureView(from, pp.viewNo());
            return;
        }
        if (pp.viewNo() < state.viewNo) {
            log.debug("PRE-PREPARE {}:{} from {} is not for view {}; ignored", pp.viewNo(), pp.ppSeqNo(), from, state.viewNo);
            return;
        }
        if (!from.equals(state.primary())) {
            log.warn("{} sent PRE-PREPARE {}:{} but the primary of view {} is {}; ignored",
                    from, pp.viewNo(), pp.ppSeqNo(), state.viewNo, state.primary());
            return;
        }
        state.lastProposalAt = ctx.now();
        if (pp.ppSeqNo() <= state.lastApplied) {
            Batch known = batches.get(pp.ppSeqNo());
            if (known != null && known.digest != null && !known.digest.equals(digest(pp))) {
                log.warn("primary {} sent a second, different PRE-PREPARE for {}:{}; ignored",
                        from, pp.viewNo(), pp.ppSeqNo());
            }
            return;
        }
        if (pp.ppSeqNo() > state.highWatermark()) {
            log.warn("PRE-PREPARE {}:{} is above the high watermark {}; ignored", pp.viewNo(), pp.ppSeqNo(), state.highWatermark());
            return;
        }
        if (fromNewView.contains(pp.ppSeqNo())) {
            return; // the NEW_VIEW decided this slot
        }
        stashed.putIfAbsent(pp.ppSeqNo(), pp);
        applyStashed();
    }

    void onPrepare(String from, Prepare p) {
        if (p.viewNo() > state.viewNo) {
            noteFutureView(from, p.viewNo());
        }
        if (!acceptVote(p.viewNo(), p.ppSeqNo())) {
            return;
        }
        if (from.equals(ctx.primaryOf(p.viewNo()))) {
            log.warn("primary {} sent a PREPARE for {}:{}; primaries do not prepare; ignored", from, p.viewNo(), p.ppSeqNo());
            return;
        }
        Batch b = batches.computeIfAbsent(p.ppSeqNo(), Batch::new);
        b.addPrepare(p.digest(), from);
        checkPrepared(b);
    }

    void onCommit(String from, Commit c) {
        if (c.viewNo() > state.viewNo) {
            noteFutureView(from, c.viewNo());
        }
        if (c.ppSeqNo() <= state.lastOrdered) {
            checkFork(from, c);
            return;
        }
        if (!acceptVote(c.viewNo(), c.ppSeqNo())) {
            return;
        }
        Batch b = batches.computeIfAbsent(c.ppSeqNo(), Batch::new);
        b.addCommit(c.digest(), from);
        tryOrder();
        catchUpIfStuck();
    }

    /**
     * The next batch is committed by f+1 nodes (so by an honest one: the pool orders it) but we cannot
     * apply it: its requests never reached us (we were away), or n-f committed it and its PRE-PREPARE
     * never came. Only catch-up brings it.
     */
    private void catchUpIfStuck() {
        if (!canOrder()) {
            return;
        }
        long next = state.lastOrdered + 1;
        Batch b = batches.get(next);
        if (b == null || b.prePrepare != null) {
            return;
        }
        PrePrepare pp = stashed.get(next);
        boolean stuck;
        if (pp == null) {
            stuck = b.maxCommitCount() >= ctx.quorums.commit();
        } else {
            boolean missing = false;
            for (String d : pp.reqDigests()) {
                if (propagator.get(d) == null) {
                    missing = true;
                    break;
                }
            }
            stuck = missing && b.maxCommitCount() >= ctx.f() + 1;
        }
        if (stuck) {
            catchup.start("batch " + next + " is committed in the pool but this node lacks its "
                    + (pp == null ? "PRE-PREPARE" : "requests"));
        }
    }

    /** Votes of this view, or of a view a little ahead (kept until we are in it), inside the watermarks. */
    private boolean acceptVote(int voteView, long ppSeqNo) {
        return voteView >= state.viewNo && voteView <= state.viewNo + MAX_VIEWS_AHEAD && ppSeqNo > state.lastOrdered
                && ppSeqNo <= Math.max(state.highWatermark(), state.lastOrdered + ctx.config.logSize());
    }

    /** Invariant: n-f nodes committing another batch at a pp_seq_no we ordered in that view is a fork. */
    private void checkFork(String from, Commit c) {
        PrePrepare mine = state.orderedLog.get(c.ppSeqNo());
        if (mine == null || mine.viewNo() != c.viewNo() || digest(mine).equals(c.digest())) {
            return;
        }
        TreeSet<String> voters = state.conflictingCommits.computeIfAbsent(c.ppSeqNo(), s -> new TreeSet<>());
        voters.add(from);
        if (voters.size() >= ctx.quorums.commit()) {
            throw new IllegalStateException("invariant broken: " + voters + " committed another batch at "
                    + c.viewNo() + ":" + c.ppSeqNo() + " than the one this node ordered there (" + digest(mine) + ")");
        }
    }

    // ---------------------------------------------------------------- the primary

    /** After every input when batches are forced: a forced batch may have become due. */
    void afterInput() {
        if (schedule.isForced()) {
            maybeCutBatch();
        }
    }

    void maybeCutBatch() {
        if (!state.isPrimary() || !canOrder() || !stashed.isEmpty()) {
            return;
        }
        if (schedule.isForced()) {
            cutForcedBatches();
            return;
        }
        long maxWait = ctx.millis(ctx.config.maxBatchWaitMs());
        int maxSize = ctx.config.maxBatchSize();
        while (!queue.isEmpty() && state.lastApplied - state.lastOrdered < ctx.config.maxBatchesInFlight()
                && state.lastApplied < state.highWatermark()) {
            RequestState oldest = queue.values().iterator().next();
            boolean full = queue.size() >= maxSize;
            boolean waited = ctx.now() - oldest.finalisedAt >= maxWait;
            if (!full && !waited) {
                ctx.timers.schedule(BATCH_TIMER, oldest.finalisedAt + maxWait);
                return;
            }
            List<RequestState> requests = new ArrayList<>();
            Iterator<RequestState> it = queue.values().iterator();
            while (it.hasNext() && requests.size() < maxSize) {
                RequestState r = it.next();
                it.remove();
                if (propagator.get(r.digest) == r) { // not ordered meanwhile (catch-up)
                    requests.add(r);
                }
            }
            if (!requests.isEmpty()) {
                cutBatch(requests, Math.max(ctx.nowMillis(), state.lastPpTime));
            }
        }
        if (queue.isEmpty()) {
            ctx.timers.cancel(BATCH_TIMER);
        }
    }

    /** Cuts the scheduled batches that are due and whose requests are all finalised here. */
    private void cutForcedBatches() {
        while (true) {
            var forced = schedule.forced(state.viewNo, state.lastApplied + 1);
            if (forced.isEmpty() || ctx.now() < forced.get().sentAt()) {
                return;
            }
            List<RequestState> requests = new ArrayList<>();
            for (String d : forced.get().reqDigests()) {
                RequestState r = queue.get(d);
                if (r == null) {
                    return; // not finalised here yet; a later input will bring it
                }
                requests.add(r);
            }
            cutBatch(requests, forced.get().ppTime());
        }
    }

    /**
     * The one place a primary makes a batch: PRE-PREPARE {@code requests}, in this order, with
     * {@code ppTime}, as the next pp_seq_no. Everything the batch is made of is an argument, so a
     * replay can force the recorded batches here.
     */
    void cutBatch(List<RequestState> requests, long ppTime) {
        long ppSeqNo = state.lastApplied + 1;
        state.lastProposalAt = ctx.now();
        Execution.Roots roots = execution.apply(requests, ppSeqNo, ppTime);
        PrePrepare pp = new PrePrepare(state.viewNo, ppSeqNo, ppTime, digests(requests),
                roots.ledgerSize(), roots.txnRoot(), roots.stateRoot());
        Batch b = batches.computeIfAbsent(ppSeqNo, Batch::new);
        accept(b, pp, requests);
        log.debug("sending PRE-PREPARE {}:{} with {} requests", state.viewNo, ppSeqNo, requests.size());
        ctx.outbox.broadcast(pp);
        checkPrepared(b);
    }

    // ---------------------------------------------------------------- replicas

    private void applyStashed() {
        if (!canOrder()) {
            return;
        }
        stashed.headMap(state.lastApplied, true).clear();
        fromNewView.headSet(state.lastApplied, true).clear();
        PrePrepare pp;
        while ((pp = stashed.get(state.lastApplied + 1)) != null) {
            boolean reordered = fromNewView.contains(pp.ppSeqNo());
            List<RequestState> requests = new ArrayList<>(pp.reqDigests().size());
            for (String d : pp.reqDigests()) {
                RequestState r = propagator.get(d);
                if (r == null || (!reordered && !r.finalised)) {
                    if (r == null) {
                        catchUpIfStuck();
                    }
                    return; // wait for its propagates; a later finalisation calls us again
                }
                requests.add(r);
            }
            stashed.remove(pp.ppSeqNo());
            fromNewView.remove(pp.ppSeqNo());
            if (!applyPrePrepare(pp, requests, reordered)) {
                return;
            }
        }
        if (state.isPrimary()) {
            maybeCutBatch();
        }
    }

    private boolean applyPrePrepare(PrePrepare pp, List<RequestState> requests, boolean reordered) {
        String problem = checkPrePrepare(pp, reordered);
        if (problem != null) {
            log.error("PRE-PREPARE {}:{} from {} rejected: {}", pp.viewNo(), pp.ppSeqNo(), state.primary(), problem);
            return false;
        }
        Execution.Roots roots = execution.apply(requests, pp.ppSeqNo(), pp.ppTime());
        if (roots.ledgerSize() != pp.ledgerSize() || !roots.txnRoot().equals(pp.txnRoot())
                || !roots.stateRoot().equals(pp.stateRoot())) {
            log.error("PRE-PREPARE {}:{} from {} announces ledger {} / {} and state {}, but applying it gives "
                            + "{} / {} and {}; not preparing", pp.viewNo(), pp.ppSeqNo(), state.primary(), pp.ledgerSize(),
                    pp.txnRoot(), pp.stateRoot(), roots.ledgerSize(), roots.txnRoot(), roots.stateRoot());
            reapplyAccepted();
            if (reordered) {
                voteInstanceChange(state.viewNo + 1, "NEW_VIEW re-orders a batch that does not apply here");
            }
            return false;
        }
        Batch b = batches.computeIfAbsent(pp.ppSeqNo(), Batch::new);
        accept(b, pp, requests);
        if (!state.isPrimary()) {
            ctx.outbox.broadcast(new Prepare(state.viewNo, pp.ppSeqNo(), b.digest));
            b.addPrepare(b.digest, ctx.name);
        }
        checkPrepared(b);
        return true;
    }

    private String checkPrePrepare(PrePrepare pp, boolean reordered) {
        if (!reordered) {
            if (pp.ppTime() < state.lastPpTime) {
                return "pp_time " + pp.ppTime() + " is before the previous batch's " + state.lastPpTime;
            }
            if (Math.abs(pp.ppTime() - ctx.nowMillis()) > ctx.config.ppTimeToleranceMs()) {
                return "pp_time " + pp.ppTime() + " is too far from our clock " + ctx.nowMillis();
            }
        }
        if (pp.reqDigests().isEmpty()) {
            return "the batch is empty";
        }
        if (new HashSet<>(pp.reqDigests()).size() != pp.reqDigests().size()) {
            return "the batch lists a request twice";
        }
        for (String d : pp.reqDigests()) {
            if (batched.contains(d)) {
                return "request " + d + " is already in an earlier batch";
            }
        }
        return null;
    }

    private void accept(Batch b, PrePrepare pp, List<RequestState> requests) {
        b.prePrepare = pp;
        b.digest = digest(pp);
        b.requests = List.copyOf(requests);
        for (RequestState r : requests) {
            queue.remove(r.digest);
            batched.add(r.digest);
        }
        state.applied(pp);
    }

    /** Undo a failed speculative application: discard all uncommitted, reapply the accepted batches. */
    private void reapplyAccepted() {
        execution.discardUncommitted();
        for (Batch b : batches.subMap(state.lastOrdered, false, state.lastApplied, true).values()) {
            execution.apply(b.requests, b.ppSeqNo, b.prePrepare.ppTime());
        }
    }

    private void checkPrepared(Batch b) {
        if (b.prePrepare != null && !b.commitSent && b.prepareCount() >= ctx.quorums.prepare()) {
            b.commitSent = true;
            state.preparedLog.put(b.ppSeqNo, b.prePrepare);
            ctx.outbox.broadcast(new Commit(state.viewNo, b.ppSeqNo, b.digest));
            b.addCommit(b.digest, ctx.name);
            tryOrder();
        }
    }

    private void tryOrder() {
        if (!canOrder()) {
            return;
        }
        Batch b;
        boolean orderedAny = false;
        while ((b = batches.get(state.lastOrdered + 1)) != null && b.commitSent
                && b.commitCount() >= ctx.quorums.commit()) {
            order(b);
            orderedAny = true;
        }
        if (orderedAny && state.isPrimary()) {
            maybeCutBatch();
        }
    }

    private void order(Batch b) {
        if (b.ppSeqNo != state.lastOrdered + 1 || state.orderedLog.containsKey(b.ppSeqNo)) {
            throw new IllegalStateException("invariant broken: ordering " + state.viewNo + ":" + b.ppSeqNo
                    + " after " + state.lastOrdered + "; a pp_seq_no is ordered once, in order");
        }
        List<Reply> replies = execution.commitOldest(state.viewNo, b.prePrepare);
        for (int i = 0; i < replies.size(); i++) {
            RequestState r = b.requests.get(i);
            batched.remove(r.digest);
            ctx.outbox.toClients(propagator.ordered(r.digest), replies.get(i));
        }
        state.ordered(b.prePrepare);
        batches.remove(b.ppSeqNo);
        log.debug("ordered {}:{} ({} requests, ledger size {})", state.viewNo, b.ppSeqNo, replies.size(), execution.ledgerSize());
        checkpoints.onOrdered(b.ppSeqNo);
    }

    // ---------------------------------------------------------------- ordering timeout

    private void checkOrderingTimeout() {
        long timeout = ctx.millis(ctx.config.orderingTimeoutMs());
        Optional<RequestState> oldest = propagator.oldestFinalised();
        if (oldest.isEmpty()) {
            return;
        }
        long deadline = Math.max(oldest.get().finalisedAt, state.viewStartedAt) + timeout;
        if (ctx.now() < deadline) {
            ctx.timers.schedule(ORDERING_TIMER, deadline);
            return;
        }
        ctx.timers.schedule(ORDERING_TIMER, ctx.now() + timeout);
        // An overloaded pool is slow but orders, or its primary at least proposes; a stalled one (or a
        // primary that censors a request for several timeouts) needs a new primary.
        boolean stalled = ctx.now() - Math.max(Math.max(state.lastOrderedAt, state.lastProposalAt), state.viewStartedAt) >= timeout;
        boolean censored = ctx.now() - deadline >= 3 * timeout;
        if ((stalled || censored) && !state.viewChanging && !state.catchingUp) {
            voteInstanceChange(state.viewNo + 1, "a request finalised " + (ctx.now() - oldest.get().finalisedAt) / 1_000_000
                    + " ms ago is not ordered");
        }
    }

    // ---------------------------------------------------------------- view change

    /** The primary is lost unless it comes back within the grace period. */
    private void watchPrimary() {
        if (!state.isPrimary() && !ctx.connected.contains(state.primary())) {
            ctx.timers.schedule(PRIMARY_TIMER, ctx.now() + ctx.millis(ctx.config.primaryDisconnectGraceMs()));
        }
    }

    private void voteInstanceChange(int view, String reason) {
        if (view <= votedFor || view <= state.viewNo) {
            return;
        }
        votedFor = view;
        log.info("{} votes for view {}: {}", ctx.name, view, reason);
        ctx.outbox.broadcast(new InstanceChange(view, reason));
        instanceChanges.put(ctx.name, view);
        evaluateInstanceChanges();
    }

    void onInstanceChange(String from, InstanceChange ic) {
        if (ic.viewNo() <= state.viewNo || ic.viewNo() > state.viewNo + MAX_VIEWS_AHEAD) {
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
        for (int v = state.viewNo + MAX_VIEWS_AHEAD; v > state.viewNo; v--) {
            if (v > votedFor && votesFor(v, false) >= ctx.f() + 1) {
                votedFor = v;
                log.info("{} votes for view {}: f+1 nodes do", ctx.name, v);
                ctx.outbox.broadcast(new InstanceChange(v, "f+1 nodes voted for it"));
                instanceChanges.put(ctx.name, v);
                break;
            }
        }
        for (int v = state.viewNo + MAX_VIEWS_AHEAD; v > state.viewNo; v--) {
            if (votesFor(v, true) >= ctx.quorums.viewChange()) {
                startViewChange(v);
                return;
            }
        }
    }

    private void startViewChange(int view) {
        log.info("{} starts the view change to view {} (primary {})", ctx.name, view, ctx.primaryOf(view));
        if (!state.viewChanging) {
            state.establishedView = state.viewNo;
        }
        state.viewNo = view;
        state.viewChanging = true;
        votedFor = Math.max(votedFor, view);
        instanceChanges.entrySet().removeIf(e -> e.getValue() <= view);
        execution.persist(state.viewNo, state.stableCheckpoint);
        discardSpeculative(false);
        ctx.timers.cancel(BATCH_TIMER);
        ctx.timers.cancel(PRIMARY_TIMER);
        ownViewChange = new ViewChange(view, state.stableCheckpoint,
                List.copyOf(state.preparedLog.tailMap(state.stableCheckpoint, false).values()));
        ctx.outbox.broadcast(ownViewChange);
        viewChanges.headMap(view, false).clear();
        viewChanges.computeIfAbsent(view, v -> new TreeMap<>()).put(ctx.name, ownViewChange);
        long timeout = ctx.millis(ctx.config.viewChangeTimeoutMs()) << Math.min(state.failedViewChanges, 10);
        ctx.timers.schedule(VIEW_CHANGE_TIMER, ctx.now() + timeout);
        futureViewSenders.entrySet().removeIf(e -> e.getValue() <= view);
        NewView early = futureNewViews.remove(view);
        futureNewViews.headMap(view, false).clear();
        if (early != null) {
            processNewView(early);
        } else if (state.isPrimary()) {
            tryNewView();
        }
    }

    void onViewChange(String from, ViewChange vc) {
        if (vc.viewNo() == state.viewNo && !state.viewChanging && state.isPrimary() && lastNewView != null
                && lastNewView.viewNo() == state.viewNo) {
            ctx.outbox.toNode(from, lastNewView); // it missed our NEW_VIEW
            return;
        }
        if (vc.viewNo() < state.viewNo || (vc.viewNo() == state.viewNo && !state.viewChanging) || vc.viewNo() > state.viewNo + MAX_VIEWS_AHEAD) {
            return;
        }
        viewChanges.computeIfAbsent(vc.viewNo(), v -> new TreeMap<>()).put(from, vc);
        if (state.viewChanging && vc.viewNo() == state.viewNo && state.isPrimary()) {
            tryNewView();
        }
    }

    /** As the new primary: with n-f VIEW_CHANGEs, choose what the new view re-orders and announce it. */
    private void tryNewView() {
        TreeMap<String, ViewChange> vcs = viewChanges.get(state.viewNo);
        if (vcs == null || vcs.size() < ctx.quorums.viewChange()) {
            return;
        }
        long checkpoint = 0;
        for (ViewChange vc : vcs.values()) {
            checkpoint = Math.max(checkpoint, vc.stableCheckpoint());
        }
        // For each pp_seq_no, the batch prepared in the latest view (PBFT): a batch ordered anywhere was
        // prepared by n-f nodes, so at least one of any n-f VIEW_CHANGEs reports it.
        TreeMap<Long, PrePrepare> chosen = new TreeMap<>();
        for (ViewChange vc : vcs.values()) {
            for (PrePrepare pp : vc.prepared()) {
                if (pp.ppSeqNo() <= checkpoint) {
                    continue;
                }
                PrePrepare have = chosen.get(pp.ppSeqNo());
                if (have == null || pp.viewNo() > have.viewNo()
                        || (pp.viewNo() == have.viewNo() && digest(pp).compareTo(digest(have)) < 0)) {
                    chosen.put(pp.ppSeqNo(), pp);
                }
            }
        }
        // Only a gap-free run: a batch after a gap was ordered nowhere (ordering is in order).
        List<PrePrepare> batchesToReorder = new ArrayList<>();
        long next = checkpoint + 1;
        for (PrePrepare pp : chosen.values()) {
            if (pp.ppSeqNo() != next) {
                break;
            }
            batchesToReorder.add(pp);
            next++;
        }
        NewView nv = new NewView(state.viewNo, checkpoint, batchesToReorder);
        log.info("{} sends NEW_VIEW {}: checkpoint {}, {} batches to re-order, from {}", ctx.name, state.viewNo, checkpoint,
                batchesToReorder.size(), vcs.keySet());
        lastNewView = nv;
        ctx.outbox.broadcast(nv);
        processNewView(nv);
    }

    void onNewView(String from, NewView nv) {
        if (!from.equals(ctx.primaryOf(nv.viewNo()))) {
            log.warn("{} sent NEW_VIEW {} but its primary is {}; ignored", from, nv.viewNo(), ctx.primaryOf(nv.viewNo()));
            return;
        }
        if (nv.viewNo() > state.viewNo && nv.viewNo() <= state.viewNo + MAX_VIEWS_AHEAD) {
            futureNewViews.put(nv.viewNo(), nv);
            noteFutureView(from, nv.viewNo());
        } else if (nv.viewNo() == state.viewNo && state.viewChanging) {
            processNewView(nv);
        }
    }

    private void processNewView(NewView nv) {
        state.viewChanging = false;
        state.establishedView = state.viewNo;
        state.failedViewChanges = 0;
        state.viewStartedAt = ctx.now();
        ownViewChange = null;
        ctx.timers.cancel(VIEW_CHANGE_TIMER);
        viewChanges.headMap(state.viewNo, true).clear();
        log.info("{} is in view {}: primary {}, checkpoint {}, {} batches to re-order (last ordered {})", ctx.name,
                state.viewNo, state.primary(), nv.checkpoint(), nv.batches().size(), state.lastOrdered);
        watchPrimary();
        long expected = nv.checkpoint() + 1;
        for (PrePrepare old : nv.batches()) {
            if (old.ppSeqNo() != expected++) {
                log.error("NEW_VIEW {} from {} re-orders batches with a gap at {}; ignoring the rest", state.viewNo, state.primary(),
                        old.ppSeqNo());
                break;
            }
            PrePrepare pp = new PrePrepare(state.viewNo, old.ppSeqNo(), old.ppTime(), old.reqDigests(), old.ledgerSize(),
                    old.txnRoot(), old.stateRoot());
            if (pp.ppSeqNo() <= state.lastOrdered) {
                PrePrepare mine = state.orderedLog.get(pp.ppSeqNo());
                if (mine != null && !sameContent(mine, pp)) {
                    log.error("NEW_VIEW {} re-orders at {} another batch than the one this node ordered there; "
                            + "voting for the next view", state.viewNo, pp.ppSeqNo());
                    voteInstanceChange(state.viewNo + 1, "NEW_VIEW contradicts an ordered batch");
                    return;
                }
                // Already ordered here: vote for it in the new view, so the nodes that have not can.
                String d = digest(pp);
                if (!state.isPrimary()) {
                    ctx.outbox.broadcast(new Prepare(state.viewNo, pp.ppSeqNo(), d));
                }
                ctx.outbox.broadcast(new Commit(state.viewNo, pp.ppSeqNo(), d));
            } else {
                stashed.put(pp.ppSeqNo(), pp);
                fromNewView.add(pp.ppSeqNo());
            }
        }
        for (PrePrepare pp : futurePrePrepares.values()) {
            if (pp.viewNo() == state.viewNo && !fromNewView.contains(pp.ppSeqNo())) {
                stashed.putIfAbsent(pp.ppSeqNo(), pp);
            }
        }
        futurePrePrepares.clear();
        if (nv.checkpoint() > state.lastOrdered) {
            catchup.start("NEW_VIEW " + state.viewNo + " starts from checkpoint " + nv.checkpoint() + " but this node ordered only up to "
                    + state.lastOrdered);
            return;
        }
        applyStashed();
        tryOrder();
        maybeCutBatch();
    }

    private static boolean sameContent(PrePrepare a, PrePrepare b) {
        return a.ppSeqNo() == b.ppSeqNo() && a.ppTime() == b.ppTime() && a.reqDigests().equals(b.reqDigests())
                && a.ledgerSize() == b.ledgerSize() && a.txnRoot().equals(b.txnRoot()) && a.stateRoot().equals(b.stateRoot());
    }

    /** f+1 nodes working in a later view: we missed a view change; catch-up tells us where the pool is. */
    private void noteFutureView(String from, int view) {
        if (view <= state.viewNo || view > state.viewNo + MAX_VIEWS_AHEAD) {
            return;
        }
        futureViewSenders.merge(from, view, Math::max);
        long ahead = futureViewSenders.values().stream().filter(v -> v > state.viewNo).count();
        if (ahead >= ctx.f() + 1 && !state.catchingUp) {
            catchup.start("f+1 nodes are in a view after " + state.viewNo);
        }
    }

    /**
     * Drops everything applied and not ordered (uncommitted ledger and state); the requests of those
     * batches go back to the queue, in batch order. With {@code keepPrePrepares} (catch-up, same view)
     * their PRE-PREPAREs are stashed again, to be re-applied after.
     */
    private void discardSpeculative(boolean keepPrePrepares) {
        execution.discardUncommitted();
        LinkedHashMap<String, RequestState> requeued = new LinkedHashMap<>();
        for (Batch b : batches.tailMap(state.lastOrdered, false).values()) {
            if (b.prePrepare != null) {
                for (RequestState r : b.requests) {
                    batched.remove(r.digest);
                    if (propagator.get(r.digest) == r) {
                        requeued.put(r.digest, r);
                    }
                }
                if (keepPrePrepares) {
                    if (fromNewView.contains(b.ppSeqNo) || !stashed.containsKey(b.ppSeqNo)) {
                        stashed.put(b.ppSeqNo, b.prePrepare);
                    }
                }
            }
            b.unaccept();
        }
        requeued.putAll(queue);
        queue.clear();
        queue.putAll(requeued);
        state.backToOrdered();
        if (!keepPrePrepares) {
            stashed.clear();
            fromNewView.clear();
        }
    }

    // ---------------------------------------------------------------- catch-up hooks

    /** Catch-up starts: nothing may stay uncommitted while it appends verified transactions. */
    void enterCatchup() {
        if (!state.viewChanging) {
            // Re-ordered batches stay marked as such; ordinary ones are re-applied from the stash.
            TreeSet<Long> keep = new TreeSet<>(fromNewView);
            discardSpeculative(true);
            fromNewView.clear();
            fromNewView.addAll(keep);
        }
        ctx.timers.cancel(BATCH_TIMER);
    }

    /** Transactions catch-up appended: their requests are ordered; waiting clients get the reply. */
    void caughtUp(List<Txn> txns) {
        for (Txn t : txns) {
            queue.remove(t.digest());
            batched.remove(t.digest());
            List<String> clients = propagator.ordered(t.digest());
            if (!clients.isEmpty()) {
                execution.replyFor(t.identifier(), t.reqId()).ifPresent(r -> ctx.outbox.toClients(clients, r));
            }
        }
    }

    /** Catch-up is done: continue after {@code position}, in view {@code view} if the pool moved on. */
    void finishCatchup(int view, Execution.Position position) {
        if (position.ppSeqNo() > state.lastOrdered) {
            state.caughtUpTo(position);
        }
        state.backToOrdered();
        long chk = ctx.config.chkFreq();
        long stable = Math.max(state.stableCheckpoint, state.lastOrdered / chk * chk);
        batches.headMap(state.lastOrdered, true).clear();
        for (Batch b : batches.values()) {
            b.unaccept();
        }
        if (view > state.viewNo || (view == state.viewNo && state.viewChanging)) {
            adoptView(view);
        }
        if (stable > state.stableCheckpoint) {
            checkpoints.markStable(stable);
        } else {
            execution.persist(state.viewNo, state.stableCheckpoint);
        }
        if (checkpoints.stableCheckpointAhead()) {
            catchup.start("another checkpoint became stable during catch-up");
            return;
        }
        if (!state.viewChanging) {
            watchPrimary();
        }
        applyStashed();
        tryOrder();
        maybeCutBatch();
    }

    private void adoptView(int view) {
        log.info("{} joins view {} (primary {}) found by catch-up", ctx.name, view, ctx.primaryOf(view));
        state.viewNo = view;
        votedFor = Math.max(votedFor, view);
        instanceChanges.entrySet().removeIf(e -> e.getValue() <= view);
        futureViewSenders.entrySet().removeIf(e -> e.getValue() <= view);
        viewChanges.headMap(view, true).clear();
        stashed.clear();
        fromNewView.clear();
        state.viewChanging = false;
        state.establishedView = view;
        state.failedViewChanges = 0;
        state.viewStartedAt = ctx.now();
        ownViewChange = null;
        ctx.timers.cancel(VIEW_CHANGE_TIMER);
        NewView nv = futureNewViews.remove(view);
        futureNewViews.headMap(view, true).clear();
        if (nv != null) {
            state.viewChanging = true; // processNewView completes it
            processNewView(nv);
        } else {
            for (PrePrepare pp : futurePrePrepares.values()) {
                if (pp.viewNo() == state.viewNo) {
                    stashed.putIfAbsent(pp.ppSeqNo(), pp);
                }
            }
            futurePrePrepares.clear();
            watchPrimary();
        }
    }

    // ---------------------------------------------------------------- helpers

    static String digest(PrePrepare pp) {
        return Hashes.sha256Hex(Codec.encode(pp));
    }

    private static List<String> digests(List<RequestState> requests) {
        List<String> d = new ArrayList<>(requests.size());
        for (RequestState r : requests) {
            d.add(r.digest);
        }
        return d;
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("viewNo", state.viewNo);
        m.put("viewChanging", state.viewChanging);
        m.put("primary", state.primary());
        m.put("lastOrdered", state.lastOrdered);
        m.put("lastApplied", state.lastApplied);
        m.put("stableCheckpoint", state.stableCheckpoint);
        m.put("queued", queue.size());
        m.put("stashedPrePrepares", stashed.size());
        m.put("catchingUp", state.catchingUp);
        return m;
    }
}
