package io.stackcompanion.node.core;

import io.stackcompanion.node.message.PrePrepare;

import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where this node stands in consensus, shared by the services of the core (Plenum's
 * consensus_shared_data): the view and whether it is changing, who is primary, how far batches are
 * applied and ordered, the stable checkpoint and the watermarks, and the prepared and ordered logs
 * above it. This is the one place a reader looks for "what view are we in, what is stable". Who
 * writes what: the view fields only {@code ViewChanges} (in {@code enterView}, and the count of failed
 * view changes); the applied and ordered positions and the ordered log only the methods below; the
 * stable checkpoint only {@link #stable}, called by {@code Checkpoints}; the prepared log, the
 * conflicting COMMITs and {@link #lastProposalAt} {@code Ordering} (and {@link #stable} prunes them);
 * {@link #catchingUp} only {@code Catchup}.
 */
final class ConsensusState {
    private final CoreContext ctx;

    int viewNo;
    /** True from VIEW_CHANGE sent until NEW_VIEW processed; {@link #viewNo} is then the view we change to. */
    boolean viewChanging;
    /** The last view this node was in with a working primary (what it tells a catching-up peer). */
    int establishedView;
    int failedViewChanges;
    long viewStartedAt;
    long lastOrdered;
    long lastOrderedPpTime;
    /** When this node last ordered a batch (core clock): a busy pool that orders is not stalled. */
    long lastOrderedAt;
    /** When the primary last proposed a batch we saw (or, as primary, we cut one): it is alive and working. */
    long lastProposalAt;
    /** pp_seq_no of the last batch applied (sent as primary, or accepted as replica). */
    long lastApplied;
    long lastPpTime;
    long stableCheckpoint;
    /** From catch-up's start to its end: nothing is ordered meanwhile. */
    boolean catchingUp;
    /** Batches this node prepared (certificate: PRE-PREPARE + n-f-1 PREPAREs) above the stable checkpoint. */
    final TreeMap<Long, PrePrepare> preparedLog = new TreeMap<>();
    /** Batches this node ordered above the stable checkpoint. */
    final TreeMap<Long, PrePrepare> orderedLog = new TreeMap<>();
    /** COMMITs for a batch other than the one we ordered at that pp_seq_no in that view: a fork if n-f. */
    final TreeMap<Long, TreeSet<String>> conflictingCommits = new TreeMap<>();

    /** Resumes where the store says the node stood. */
    ConsensusState(CoreContext ctx, Execution execution) {
        this.ctx = ctx;
        Execution.Position last = execution.lastOrdered();
        this.viewNo = execution.persistedView();
        this.establishedView = viewNo;
        this.lastOrdered = last.ppSeqNo();
        this.lastOrderedPpTime = last.ppTime();
        this.lastApplied = lastOrdered;
        this.lastPpTime = last.ppTime();
        this.stableCheckpoint = Math.min(execution.persistedStableCheckpoint(), lastOrdered);
    }

    int viewNo() {
        return viewNo;
    }

    /** The view a catching-up peer is told: ours, or while changing, the last one that worked. */
    int establishedView() {
        return viewChanging ? establishedView : viewNo;
    }

    String primary() {
        return ctx.primaryOf(viewNo);
    }

    boolean isPrimary() {
        return primary().equals(ctx.name);
    }

    long lastOrdered() {
        return lastOrdered;
    }

    long highWatermark() {
        return stableCheckpoint + ctx.settings.logSize();
    }

    /** {@code pp} is applied (cut as primary, or accepted as replica): the next one follows it. */
    void applied(PrePrepare pp) {
        lastApplied = pp.ppSeqNo();
        lastPpTime = pp.ppTime();
    }

    /** Everything applied and not ordered is dropped: the next batch follows the last ordered one. */
    void backToOrdered() {
        lastApplied = lastOrdered;
        lastPpTime = lastOrderedPpTime;
    }

    /** {@code pp} is ordered, now. */
    void ordered(PrePrepare pp) {
        lastOrdered = pp.ppSeqNo();
        lastOrderedAt = ctx.now();
        lastOrderedPpTime = pp.ppTime();
        orderedLog.put(pp.ppSeqNo(), pp);
    }

    /** The checkpoint at {@code seqNo} is stable: the watermarks move, the logs below it go. */
    void stable(long seqNo) {
        stableCheckpoint = seqNo;
        preparedLog.headMap(seqNo, true).clear();
        orderedLog.headMap(seqNo, true).clear();
        conflictingCommits.headMap(seqNo, true).clear();
    }

    /** Catch-up appended the pool's batches up to {@code position}: what we ordered before is history. */
    void caughtUpTo(Execution.Position position) {
        lastOrdered = position.ppSeqNo();
        lastOrderedAt = ctx.now();
        lastOrderedPpTime = position.ppTime();
        orderedLog.clear();
    }
}
