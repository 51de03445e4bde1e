package io.stackcompanion.node.core;

import io.stackcompanion.node.core.RequestBook.RequestState;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Prepare;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The master instance's three phases, as Plenum's ordering service: the primary's batches (what to cut
 * comes from {@link PrimaryBatcher}, the PRE-PREPARE is made in {@link #cutBatch}); replicas check a
 * PRE-PREPARE by applying the batch and comparing roots, PREPARE at n-f-1, COMMIT at n-f, and batches
 * are ordered strictly in pp_seq_no order. Where the node stands is {@link ConsensusState}; every
 * ordered batch goes to {@link Checkpoints}; {@link ViewChanges} and {@link Catchup} move the view and
 * the ledger under it through the hooks at the end.
 */
final class Ordering {
    private static final Logger log = LoggerFactory.getLogger(Ordering.class);

    private final CoreContext ctx;
    private final Execution execution;
    private final RequestBook book;
    private final PrimaryBatcher batcher;
    private final PrePrepareStash stash;
    private final ConsensusState state;
    private final Checkpoints checkpoints;
    private final Catchup.Trigger catchup;
    private final ViewChanges.Vote viewChange;
    /** Asks the peers for requests a PRE-PREPARE names that this node lacks ({@link Propagator#missing}). */
    private final Consumer<List<String>> missingRequests;

    private final TreeMap<Long, Batch> batches = new TreeMap<>();
    /** True only in the simulator's planted-weakness test ({@link #countVotesForAnyDigest}). */
    private boolean votesForAnyDigest;
    /** The simulator's equivocating primary ({@link #equivocate}). */
    private Equivocation equivocate = Equivocation.NONE;
    /**
     * PREPAREs and COMMITs of the current view: pp_seq_no, digest, voters. f+1 nodes voting for another
     * batch than the one the primary sent us prove that it sent two ({@link #checkEquivocation}).
     */
    private final TreeMap<Long, TreeMap<String, TreeSet<String>>> votesThisView = new TreeMap<>();
    private int votesView = -1;
    /** The last batch a catch-up was started for because its requests or PRE-PREPARE were missing, and when. */
    private long stuckCatchupBatch = -1;
    private long stuckCatchupAt;

    Ordering(CoreContext ctx, ConsensusState state, Execution execution, RequestBook book,
             PrimaryBatcher batcher, PrePrepareStash stash, Checkpoints checkpoints, Catchup.Trigger catchup,
             ViewChanges.Vote viewChange, Consumer<List<String>> missingRequests) {
        this.ctx = ctx;
        this.checkpoints = checkpoints;
        this.catchup = catchup;
        this.state = state;
        this.execution = execution;
        this.book = book;
        this.batcher = batcher;
        this.stash = stash;
        this.viewChange = viewChange;
        this.missingRequests = missingRequests;
    }

    /** Every slot above the stable checkpoint with its votes, by pp_seq_no. */
    java.util.List<CoreSnapshot.BatchVotes> votes() {
        return batches.values().stream().map(Batch::votes).toList();
    }

    // ---------------------------------------------------------------- inputs

    /** A request was finalised (it waits in the book's queue, unless a NEW_VIEW's batch holds it). */
    void onFinalised() {
        if (state.isPrimary()) {
            maybeCutBatch();
        } else {
            applyStashed();
        }
    }

    void onPrePrepare(String from, PrePrepare pp) {
        if (pp.viewNo() > state.viewNo()) {
            if (from.equals(ctx.primaryOf(pp.viewNo())) && pp.viewNo() <= state.viewNo() + ViewChanges.MAX_VIEWS_AHEAD
                    && pp.ppSeqNo() > state.lastOrdered() && pp.ppSeqNo() <= state.lastOrdered() + ctx.settings.logSize()) {
                stash.keepForLaterView(pp);
            }
            return; // ViewChanges notes the later view
        }
        if (pp.viewNo() < state.viewNo()) {
            log.debug("PRE-PREPARE {}:{} from {} is not for view {}; ignored", pp.viewNo(), pp.ppSeqNo(), from,
                    state.viewNo());
            return;
        }
        if (!from.equals(state.primary())) {
            ctx.rejections.reject(from, "pre-prepare-not-from-primary",
                    "{} sent PRE-PREPARE {}:{} but the primary of view {} is {}; ignored",
                    from, pp.viewNo(), pp.ppSeqNo(), state.viewNo(), state.primary());
            return;
        }
        state.proposalSeen();
        if (pp.ppSeqNo() <= state.lastApplied()) {
            Batch known = batches.get(pp.ppSeqNo());
            if (known != null && known.digest() != null && !known.digest().equals(Batch.digestOf(pp))) {
                ctx.rejections.reject(from, "equivocation", "primary {} sent a second, different PRE-PREPARE for {}:{}; ignored",
                        from, pp.viewNo(), pp.ppSeqNo());
            }
            return;
        }
        if (pp.ppSeqNo() > state.highWatermark()) {
            log.warn("PRE-PREPARE {}:{} is above the high watermark {}; ignored", pp.viewNo(), pp.ppSeqNo(), state.highWatermark());
            return;
        }
        if (stash.isReordered(pp.ppSeqNo())) {
            return; // the NEW_VIEW decided this slot
        }
        stash.stash(pp);
        applyStashed();
    }

    void onPrepare(String from, Prepare p) {
        if (!acceptVote(p.viewNo(), p.ppSeqNo())) {
            return;
        }
        if (from.equals(ctx.primaryOf(p.viewNo()))) {
            ctx.rejections.reject(from, "prepare-from-primary",
                    "primary {} sent a PREPARE for {}:{}; primaries do not prepare; ignored",
                    from, p.viewNo(), p.ppSeqNo());
            return;
        }
        Batch b = batches.computeIfAbsent(p.ppSeqNo(), Batch::new);
        b.addPrepare(counted(b, p.digest()), from);
        noteVote(p.viewNo(), p.ppSeqNo(), p.digest(), from);
        checkPrepared(b);
    }

    private void noteVote(int view, long ppSeqNo, String digest, String from) {
        if (view != state.viewNo() || state.isViewChanging()) {
            return;
        }
        if (votesView != view) {
            votesThisView.clear();
            votesView = view;
        }
        votesThisView.headMap(state.lastOrdered(), true).clear();
        votesThisView.computeIfAbsent(ppSeqNo, x -> new TreeMap<>()).computeIfAbsent(digest, x -> new TreeSet<>()).add(from);
        checkEquivocation(ppSeqNo);
    }

    /**
     * An honest node prepares or commits only the batch the primary of the view sent it: when f+1 nodes
     * (one of them honest) vote in this view for another batch at {@code ppSeqNo} than the one the
     * primary sent this node, the primary sent two. That is equivocation: vote for a new primary now,
     * rather than wait for the ordering timeout of the stalled batch.
     */
    private void checkEquivocation(long ppSeqNo) {
        Batch b = batches.get(ppSeqNo);
        TreeMap<String, TreeSet<String>> votes = votesThisView.get(ppSeqNo);
        if (b == null || b.prePrepare() == null || b.prePrepare().viewNo() != state.viewNo() || votes == null
                || votesView != state.viewNo() || state.isPrimary() || (votes.size() == 1 && votes.containsKey(b.digest()))) {
            return; // the common case: every vote is for our batch
        }
        TreeSet<String> others = new TreeSet<>();
        votes.forEach((digest, voters) -> {
            if (!digest.equals(b.digest())) {
                others.addAll(voters);
            }
        });
        others.remove(state.primary()); // its own word proves nothing
        if (others.size() >= ctx.f() + 1) {
            ctx.rejections.reject(state.primary(), "equivocation",
                    "primary {} sent this node a PRE-PREPARE for {}:{} and another to {}, who voted for that one",
                    state.primary(), state.viewNo(), ppSeqNo, others);
            viewChange.forView(state.viewNo() + 1, "primary " + state.primary() + " sent two PRE-PREPAREs for "
                    + state.viewNo() + ":" + ppSeqNo);
        }
    }

    void onCommit(String from, Commit c) {
        if (c.ppSeqNo() <= state.lastOrdered()) {
            checkFork(from, c);
            return;
        }
        if (!acceptVote(c.viewNo(), c.ppSeqNo())) {
            return;
        }
        Batch b = batches.computeIfAbsent(c.ppSeqNo(), Batch::new);
        b.addCommit(counted(b, c.digest()), from);
        noteVote(c.viewNo(), c.ppSeqNo(), c.digest(), from);
        tryOrder();
        catchUpIfStuck();
    }

    /**
     * The next batch is committed by f+1 nodes (so by an honest one: the pool orders it) but we cannot
     * apply it: its requests never reached us (we were away), or n-f committed it and its PRE-PREPARE
     * never came. Only catch-up brings it.
     */
    private void catchUpIfStuck() {
        if (!state.canOrder()) {
            return;
        }
        long next = state.lastOrdered() + 1;
        Batch b = batches.get(next);
        if (b == null || b.prePrepare() != null) {
            return;
        }
        PrePrepare pp = stash.get(next);
        boolean stuck;
        if (pp == null) {
            stuck = b.maxCommitCount() >= ctx.quorums.commit();
        } else {
            boolean missing = pp.reqDigests().stream().anyMatch(d -> book.get(d) == null);
            stuck = missing && b.maxCommitCount() >= ctx.f() + 1;
        }
        // Once per batch and catch-up timeout: while the pool has not ordered the batch yet (f+1
        // commits, not n-f), a catch-up brings nothing, and starting the next one at once is a storm
        // of LEDGER_STATUS (found by dst.sh run --seed 11 --faults all). Votes, the ordering timeout
        // and checkpoints start it again later.
        if (stuck && (next != stuckCatchupBatch || ctx.now() - stuckCatchupAt >= ctx.settings.catchupTimeout().toNanos())) {
            stuckCatchupBatch = next;
            stuckCatchupAt = ctx.now();
            catchup.start("batch " + next + " is committed in the pool but this node lacks its "
                    + (pp == null ? "PRE-PREPARE" : "requests"), true);
        }
    }

    /** Votes of this view, or of a view a little ahead (kept until we are in it), inside the watermarks. */
    private boolean acceptVote(int voteView, long ppSeqNo) {
        return voteView >= state.viewNo() && voteView <= state.viewNo() + ViewChanges.MAX_VIEWS_AHEAD
                && ppSeqNo > state.lastOrdered()
                && ppSeqNo <= Math.max(state.highWatermark(), state.lastOrdered() + ctx.settings.logSize());
    }

    /** Invariant: n-f nodes committing another batch at a pp_seq_no we ordered in that view is a fork. */
    private void checkFork(String from, Commit c) {
        PrePrepare mine = state.orderedAt(c.ppSeqNo());
        if (mine == null || mine.viewNo() != c.viewNo() || Batch.digestOf(mine).equals(c.digest())) {
            return;
        }
        Set<String> voters = state.conflictingCommit(c.ppSeqNo(), from);
        if (voters.size() >= ctx.quorums.commit()) {
            throw new IllegalStateException("invariant broken: " + voters + " committed another batch at "
                    + c.viewNo() + ":" + c.ppSeqNo() + " than the one this node ordered there (" + Batch.digestOf(mine) + ")");
        }
    }

    // ---------------------------------------------------------------- the primary

    /** After every input when batches are forced: a forced batch may have become due. */
    void afterInput() {
        if (batcher.isForced()) {
            maybeCutBatch();
        }
    }

    void maybeCutBatch() {
        if (!state.isPrimary() || !state.canOrder() || !stash.isEmpty()) {
            return;
        }
        if (state.mayHaveProposedBeforeStart(state.lastApplied() + 1)) {
            // Proposing another batch at a pp_seq_no we proposed before restarting is equivocation: some
            // replicas may have prepared the old one. The next primary re-orders whatever was prepared.
            viewChange.forView(state.viewNo() + 1, "this primary restarted and cannot know which batch it proposed at "
                    + (state.lastApplied() + 1) + " in view " + state.viewNo());
            return;
        }
        batcher.cut(this::cutBatch);
    }

    /**
     * The one place a primary makes a batch: PRE-PREPARE {@code requests}, in this order, with
     * {@code ppTime}, as the next pp_seq_no. Everything the batch is made of is an argument, so a
     * replay can force the recorded batches here.
     */
    void cutBatch(List<RequestState> requests, long ppTime) {
        long ppSeqNo = state.lastApplied() + 1;
        execution.persistProposed(state.viewNo(), ppSeqNo);
        state.proposalSeen();
        // The simulator's equivocating primary: other valid batches at this pp_seq_no, made before ours.
        List<PrePrepare> otherBatches = equivocate == Equivocation.NONE ? List.of() : otherBatches(requests, ppSeqNo, ppTime);
        Execution.Roots roots = execution.apply(requests, ppSeqNo, ppTime);
        PrePrepare pp = new PrePrepare(state.viewNo(), ppSeqNo, ppTime, requests.stream().map(r -> r.digest).toList(),
                roots.ledgerSize(), roots.txnRoot(), roots.stateRoot());
        Batch b = batches.computeIfAbsent(ppSeqNo, Batch::new);
        accept(b, pp, requests);
        log.debug("sending PRE-PREPARE {}:{} with {} requests", state.viewNo(), ppSeqNo, requests.size());
        if (otherBatches.isEmpty()) {
            ctx.outbox.broadcast(pp);
        } else {
            sendEquivocating(pp, otherBatches);
        }
        checkPrepared(b);
    }

    private List<String> otherNodes() {
        return ctx.nodes.stream().filter(n -> !n.equals(ctx.name)).toList();
    }

    /**
     * The simulator's Byzantine primary: other valid batches of the same requests at the same
     * pp_seq_no, 1, 2... ms later (one for {@code SPLIT}, one per other replica for {@code EACH_ITS_OWN}).
     */
    private List<PrePrepare> otherBatches(List<RequestState> requests, long ppSeqNo, long ppTime) {
        int count = equivocate == Equivocation.SPLIT ? 1 : otherNodes().size() - 1;
        List<PrePrepare> batches = new ArrayList<>(count);
        for (int k = 1; k <= count; k++) {
            Execution.Roots roots = execution.apply(requests, ppSeqNo, ppTime + k);
            execution.discardLast();
            batches.add(new PrePrepare(state.viewNo(), ppSeqNo, ppTime + k, requests.stream().map(r -> r.digest).toList(),
                    roots.ledgerSize(), roots.txnRoot(), roots.stateRoot()));
        }
        return batches;
    }

    /** {@code SPLIT}: the first f other nodes get {@code pp}, the rest the other batch; else each its own. */
    private void sendEquivocating(PrePrepare pp, List<PrePrepare> otherBatches) {
        List<String> others = otherNodes();
        if (equivocate == Equivocation.SPLIT) {
            ctx.outbox.toNodes(others.subList(0, ctx.f()), pp);
            ctx.outbox.toNodes(others.subList(ctx.f(), others.size()), otherBatches.get(0));
            return;
        }
        ctx.outbox.toNode(others.get(0), pp);
        for (int k = 1; k < others.size(); k++) {
            ctx.outbox.toNode(others.get(k), otherBatches.get(k - 1));
        }
    }

    /** How the simulator's Byzantine primary equivocates ({@link #equivocate}). */
    enum Equivocation {
        NONE,
        /** f replicas get each batch it proposes, the others another (the others can prepare theirs). */
        SPLIT,
        /** Every replica gets its own batch: none can prepare. */
        EACH_ITS_OWN
    }

    /**
     * The simulator's Byzantine primary: every batch it proposes goes to some replicas, and other batches
     * of the same requests a millisecond or more later, applied to the same state and so with valid
     * roots, to the others (equivocation). Nothing but the simulator sets it.
     */
    void equivocate(Equivocation how) {
        equivocate = how;
    }

    // ---------------------------------------------------------------- replicas

    private void applyStashed() {
        if (!state.canOrder()) {
            return;
        }
        stash.dropUpTo(state.lastApplied());
        PrePrepare pp;
        while ((pp = stash.get(state.lastApplied() + 1)) != null) {
            boolean reordered = stash.isReordered(pp.ppSeqNo());
            if (reordered) {
                String ordered = pp.reqDigests().stream().filter(d -> book.get(d) == null && book.known(d) != null)
                        .findFirst().orElse(null);
                if (ordered != null) {
                    endReorderedRun(pp.ppSeqNo(), "request " + ordered + " is ordered already");
                    continue; // the slot is free again
                }
            }
            List<RequestState> requests = new ArrayList<>(pp.reqDigests().size());
            List<String> lacking = new ArrayList<>();
            for (String d : pp.reqDigests()) {
                RequestState r = book.get(d);
                if (r == null || (!reordered && !r.isFinalised())) {
                    lacking.add(d);
                } else {
                    requests.add(r);
                }
            }
            if (!lacking.isEmpty()) {
                // Wait for their propagates (a later finalisation calls us again); ask the peers if they
                // do not come; and if the pool ordered the batch without us, only catch-up brings it.
                missingRequests.accept(lacking);
                catchUpIfStuck();
                return;
            }
            stash.remove(pp.ppSeqNo());
            if (!applyPrePrepare(pp, requests, reordered)) {
                return;
            }
        }
        if (state.isPrimary()) {
            maybeCutBatch();
        }
    }

    private boolean applyPrePrepare(PrePrepare pp, List<RequestState> requests, boolean reordered) {
        Problem problem = checkPrePrepare(pp, reordered);
        if (problem != null) {
            if (reordered) {
                endReorderedRun(pp.ppSeqNo(), problem.detail());
                return true; // the slot is free again: go on
            }
            ctx.rejections.reject(state.primary(), problem.reason(), "PRE-PREPARE {}:{} from {} rejected: {}", pp.viewNo(),
                    pp.ppSeqNo(), state.primary(), problem.detail());
            return false;
        }
        Execution.Roots roots = execution.apply(requests, pp.ppSeqNo(), pp.ppTime());
        if (roots.ledgerSize() != pp.ledgerSize() || !roots.txnRoot().equals(pp.txnRoot())
                || !roots.stateRoot().equals(pp.stateRoot())) {
            ctx.rejections.reject(state.primary(), "pre-prepare-wrong-roots",
                    "PRE-PREPARE {}:{} from {} announces ledger {} / {} and state {}, but applying it gives "
                            + "{} / {} and {}; not preparing", pp.viewNo(), pp.ppSeqNo(), state.primary(), pp.ledgerSize(),
                    pp.txnRoot(), pp.stateRoot(), roots.ledgerSize(), roots.txnRoot(), roots.stateRoot());
            execution.discardLast();
            if (reordered) {
                endReorderedRun(pp.ppSeqNo(), "it does not apply on the batches before it");
                return true;
            }
            return false;
        }
        Batch b = batches.computeIfAbsent(pp.ppSeqNo(), Batch::new);
        accept(b, pp, requests);
        if (!reordered) {
            for (RequestState r : requests) {
                state.proposedFinalisedAt(r.finalisedAt());
            }
        }
        if (!state.isPrimary()) {
            ctx.outbox.broadcast(new Prepare(state.viewNo(), pp.ppSeqNo(), b.digest()));
            b.addPrepare(b.digest(), ctx.name);
        }
        checkPrepared(b);
        return true;
    }

    /**
     * The NEW_VIEW re-orders at {@code ppSeqNo} a batch that does not follow the batches before it:
     * one prepared in an older view than its predecessor, on another predecessor (the NEW_VIEW takes
     * each slot's batch of the latest view). Such a batch was committed nowhere (a committed batch's
     * predecessor keeps its content in every later NEW_VIEW, and no committed batch holds a request
     * ordered before it), so the re-ordered run ends before it, here as on every honest node (they
     * apply the same batches on the same ledger), and the primary proposes from there. Without this,
     * every NEW_VIEW re-ordered it again and the pool changed views for good (dst.sh run --seed 11
     * --requests 150 --faults byzantine,partition,cut,drop,delay).
     */
    private void endReorderedRun(long ppSeqNo, String why) {
        log.warn("NEW_VIEW {} re-orders at {} a batch that follows none of the batches before it ({}): it was ordered "
                + "nowhere; the re-ordered batches end there", state.viewNo(), ppSeqNo, why);
        stash.dropReorderedFrom(ppSeqNo);
    }

    /** A request a stashed re-ordered batch names is in this ledger already: that batch was committed nowhere. */
    void orderedAlready(String digest) {
        long s = stash.reorderedNaming(digest);
        if (s > state.lastApplied() && state.canOrder()) {
            endReorderedRun(s, "request " + digest + " is ordered already");
            resume();
        }
    }

    /** Why a PRE-PREPARE is refused: a {@link Rejections} reason token and the words for the log. */
    private record Problem(String reason, String detail) {
    }

    private Problem checkPrePrepare(PrePrepare pp, boolean reordered) {
        if (!reordered) {
            if (pp.ppTime() < state.lastPpTime()) {
                return new Problem("pre-prepare-bad-time", "pp_time " + pp.ppTime() + " is before the previous batch's "
                        + state.lastPpTime());
            }
            if (Math.abs(pp.ppTime() - ctx.nowMillis()) > ctx.settings.ppTimeTolerance().toMillis()) {
                return new Problem("pre-prepare-bad-time", "pp_time " + pp.ppTime() + " is too far from our clock "
                        + ctx.nowMillis());
            }
        }
        if (pp.reqDigests().isEmpty()) {
            return new Problem("pre-prepare-bad-requests", "the batch is empty");
        }
        if (new HashSet<>(pp.reqDigests()).size() != pp.reqDigests().size()) {
            return new Problem("pre-prepare-bad-requests", "the batch lists a request twice");
        }
        for (String d : pp.reqDigests()) {
            if (book.isInBatch(d)) {
                return new Problem("pre-prepare-bad-requests", "request " + d + " is already in an earlier batch");
            }
        }
        return null;
    }

    private void accept(Batch b, PrePrepare pp, List<RequestState> requests) {
        b.accept(pp);
        book.inBatch(requests);
        state.applied(pp);
        state.prePrepared(pp);
        checkEquivocation(pp.ppSeqNo()); // votes for another batch may have come first
    }

    /** The simulator's planted weakness: votes are counted whatever digest they name. */
    void countVotesForAnyDigest() {
        votesForAnyDigest = true;
    }

    /** The digest a vote for {@code digest} counts for: its own, or, with the planted weakness, the batch's we accepted. */
    private String counted(Batch b, String digest) {
        return votesForAnyDigest && b.digest() != null ? b.digest() : digest;
    }

    private void checkPrepared(Batch b) {
        if (b.prePrepare() != null && !b.isCommitSent() && b.prepareCount() >= ctx.quorums.prepare()) {
            b.markCommitSent();
            state.prepared(b.prePrepare());
            ctx.outbox.broadcast(new Commit(state.viewNo(), b.ppSeqNo, b.digest()));
            b.addCommit(b.digest(), ctx.name);
            tryOrder();
        }
    }

    private void tryOrder() {
        if (!state.canOrder()) {
            return;
        }
        Batch b;
        boolean orderedAny = false;
        while ((b = batches.get(state.lastOrdered() + 1)) != null && b.isCommitSent()
                && b.commitCount() >= ctx.quorums.commit()) {
            order(b);
            orderedAny = true;
        }
        if (orderedAny && state.isPrimary()) {
            maybeCutBatch();
        }
    }

    private void order(Batch b) {
        state.ordered(b.prePrepare()); // checks first that it is the next pp_seq_no, ordered once
        List<Execution.Ordered> ordered = execution.commitOldest(state.viewNo(), b.prePrepare());
        for (Execution.Ordered o : ordered) {
            ctx.outbox.toClients(book.ordered(o.request().digest), o.reply());
        }
        batches.remove(b.ppSeqNo);
        log.debug("ordered {}:{} ({} requests, ledger size {})", state.viewNo(), b.ppSeqNo, ordered.size(), execution.ledgerSize());
        checkpoints.onOrdered(b.ppSeqNo);
    }

    /**
     * Drops everything applied and not ordered (uncommitted ledger and state); the requests of those
     * batches go back to the queue, in batch order. With {@code keepPrePrepares} (catch-up, same view)
     * their PRE-PREPAREs are stashed again, to be re-applied after.
     */
    private void discardSpeculative(boolean keepPrePrepares) {
        book.backToQueue(execution.discardUncommitted()); // the accepted batches' requests, in order
        for (Batch b : batches.tailMap(state.lastOrdered(), false).values()) {
            if (keepPrePrepares && b.prePrepare() != null) {
                stash.restash(b.prePrepare());
            }
            b.unaccept();
        }
        state.backToOrdered();
        if (!keepPrePrepares) {
            stash.clear();
        }
    }

    // ---------------------------------------------------------------- catch-up hooks

    /** Catch-up starts: nothing may stay uncommitted while it appends verified transactions. */
    void enterCatchup() {
        if (!state.isViewChanging()) {
            // Re-ordered batches stay marked as such; ordinary ones are re-applied from the stash.
            discardSpeculative(true);
        }
        batcher.stop();
    }

    /** Catch-up is done ({@link ConsensusState#catchupDone}): no slot keeps an accepted PRE-PREPARE. */
    void afterCatchup() {
        batches.headMap(state.lastOrdered(), true).clear();
        for (Batch b : batches.values()) {
            b.unaccept();
        }
    }

    // ---------------------------------------------------------------- view change hooks

    /** A view change starts: nothing applied in the old view survives; the primary stops cutting. */
    void leaveView() {
        votesThisView.clear();
        discardSpeculative(false);
        batcher.stop();
    }

    /** The node can order again (new view, or catch-up done): apply, order and cut what is due. */
    void resume() {
        applyStashed();
        tryOrder();
        maybeCutBatch();
    }
}
