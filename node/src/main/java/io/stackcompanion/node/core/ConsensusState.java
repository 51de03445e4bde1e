package io.stackcompanion.node.core;

import io.stackcompanion.node.message.BatchId;
import io.stackcompanion.node.message.PrePrepare;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where this node stands in consensus, shared by the services of the core (Plenum's
 * consensus_shared_data): the view and whether it is changing, who is primary, how far batches are
 * applied and ordered, the stable checkpoint and the watermarks, and the prepared and ordered logs
 * above it. This is the one place a reader looks for "what view are we in, what is stable".
 *
 * <p>The fields are private; the services read them through accessors and change them only through
 * the transitions below, each called by one service: the view ({@link #startViewChange},
 * {@link #enterView}, {@link #viewChangeTimedOut}) by {@code ViewChanges}; a batch proposed, applied,
 * prepared, ordered or dropped ({@link #proposalSeen}, {@link #applied}, {@link #prepared},
 * {@link #ordered}, {@link #backToOrdered}, {@link #conflictingCommit}) by {@code Ordering} ({@link #prePrepared} also
 * by {@code ViewChanges}, for a re-ordered batch this node had ordered already); the stable
 * checkpoint ({@link #stable}) by {@code Checkpoints}; a catch-up's start and end
 * ({@link #catchupStarted}, {@link #catchupDone}) by {@code Catchup}.
 */
final class ConsensusState {
    private final CoreContext ctx;
    private final Execution execution;

    private int viewNo;
    /** True from VIEW_CHANGE sent until NEW_VIEW processed; {@link #viewNo} is then the view we change to. */
    private boolean viewChanging;
    /** The last view this node was in with a working primary (what it tells a catching-up peer). */
    private int establishedView;
    private int failedViewChanges;
    private long viewStartedAt;
    private long lastOrdered;
    private long lastOrderedPpTime;
    /** When this node last ordered a batch (core clock): a busy pool that orders is not stalled. */
    private long lastOrderedAt;
    /** When the primary last proposed a batch we saw (or, as primary, we cut one): it is alive and working. */
    private long lastProposalAt;
    /**
     * Of the requests the primary proposed in this view (batches accepted here, not re-ordered ones),
     * the latest time one was finalised here: a primary that proposes requests finalised well after one
     * it leaves waiting skips that one (censorship evidence, {@code ViewChanges}). Long.MIN_VALUE: none.
     */
    private long latestProposedFinalisedAt = Long.MIN_VALUE;
    /** pp_seq_no of the last batch applied (sent as primary, or accepted as replica). */
    private long lastApplied;
    private long lastPpTime;
    private long stableCheckpoint;
    /** From catch-up's start to its end: nothing is ordered meanwhile. */
    private boolean catchingUp;
    /**
     * Batches this node prepared (certificate: PRE-PREPARE + n-f-1 PREPAREs) above the stable checkpoint;
     * persisted, so a restart keeps them (what its VIEW_CHANGEs must report).
     */
    private final TreeMap<Long, PrePrepare> preparedLog = new TreeMap<>();
    /**
     * The PRE-PREPAREs this node accepted (or cut as primary, or re-ordered) above the stable checkpoint,
     * by pp_seq_no, each slot's in the order seen (a VIEW_CHANGE's evidence); persisted, so a restart
     * keeps them.
     */
    private final TreeMap<Long, List<BatchId>> prePreparedLog = new TreeMap<>();
    /** Batches this node ordered above the stable checkpoint. */
    private final TreeMap<Long, PrePrepare> orderedLog = new TreeMap<>();
    /** COMMITs for a batch other than the one we ordered at that pp_seq_no in that view: a fork if n-f. */
    private final TreeMap<Long, TreeSet<String>> conflictingCommits = new TreeMap<>();

    /**
     * The last batch this node proposed as primary before it (re)started, or null: in that view it
     * must not propose up to that pp_seq_no again, it cannot know what it proposed there.
     */
    private final Execution.Position proposedBeforeStart;

    /** Resumes where the store says the node stood. */
    ConsensusState(CoreContext ctx, Execution execution) {
        this.ctx = ctx;
        this.execution = execution;
        Execution.Position last = execution.lastOrdered();
        this.viewNo = execution.persistedView();
        this.establishedView = viewNo;
        this.lastOrdered = last.ppSeqNo();
        this.lastOrderedPpTime = last.ppTime();
        this.lastApplied = lastOrdered;
        this.lastPpTime = last.ppTime();
        this.stableCheckpoint = Math.min(execution.persistedStableCheckpoint(), lastOrdered);
        for (PrePrepare pp : execution.persistedPrepared()) {
            preparedLog.put(pp.ppSeqNo(), pp);
        }
        prePreparedLog.putAll(execution.persistedPrePrepared());
        this.proposedBeforeStart = execution.proposed();
    }

    // ---------------------------------------------------------------- reading

    int viewNo() {
        return viewNo;
    }

    boolean isViewChanging() {
        return viewChanging;
    }

    /** The view a catching-up peer is told: ours, or while changing, the last one that worked. */
    int establishedView() {
        return viewChanging ? establishedView : viewNo;
    }

    int failedViewChanges() {
        return failedViewChanges;
    }

    long viewStartedAt() {
        return viewStartedAt;
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

    long lastOrderedAt() {
        return lastOrderedAt;
    }

    long lastProposalAt() {
        return lastProposalAt;
    }

    long latestProposedFinalisedAt() {
        return latestProposedFinalisedAt;
    }

    /** The primary proposed, in this view, requests of which the latest was finalised here at {@code finalisedAt}. */
    void proposedFinalisedAt(long finalisedAt) {
        latestProposedFinalisedAt = Math.max(latestProposedFinalisedAt, finalisedAt);
    }

    long lastApplied() {
        return lastApplied;
    }

    long lastPpTime() {
        return lastPpTime;
    }

    long stableCheckpoint() {
        return stableCheckpoint;
    }

    boolean isCatchingUp() {
        return catchingUp;
    }

    /** Batches are applied and ordered only in a settled view and outside a catch-up. */
    boolean canOrder() {
        return !viewChanging && !catchingUp;
    }

    long highWatermark() {
        return stableCheckpoint + ctx.settings.logSize();
    }

    /** The batch this node ordered at {@code ppSeqNo} above the stable checkpoint, or null. */
    PrePrepare orderedAt(long ppSeqNo) {
        return orderedLog.get(ppSeqNo);
    }

    /**
     * Whether, as primary, proposing {@code ppSeqNo} in the current view could contradict a batch this
     * node proposed before it restarted (it does not remember which).
     */
    boolean mayHaveProposedBeforeStart(long ppSeqNo) {
        return proposedBeforeStart != null && proposedBeforeStart.viewNo() == viewNo
                && ppSeqNo <= proposedBeforeStart.ppSeqNo();
    }

    /** The prepared batches above the stable checkpoint, by pp_seq_no (what a VIEW_CHANGE carries). */
    List<PrePrepare> preparedAboveStable() {
        return List.copyOf(preparedLog.tailMap(stableCheckpoint, false).values());
    }

    /**
     * What a VIEW_CHANGE shows of this node's PRE-PREPAREs above the stable checkpoint: those it accepted
     * and those it prepared, by pp_seq_no, then view, then digest, each once.
     */
    List<BatchId> prePreparedAboveStable() {
        java.util.TreeSet<BatchId> ids = new java.util.TreeSet<>(java.util.Comparator.comparingLong(BatchId::ppSeqNo)
                .thenComparingInt(BatchId::viewNo).thenComparing(BatchId::digest));
        prePreparedLog.tailMap(stableCheckpoint, false).values().forEach(ids::addAll);
        for (PrePrepare pp : preparedLog.tailMap(stableCheckpoint, false).values()) {
            ids.add(new BatchId(pp.viewNo(), pp.ppSeqNo(), Batch.digestOf(pp)));
        }
        return List.copyOf(ids);
    }

    /** The checkpoints this node holds (a VIEW_CHANGE's evidence): its stable one, then each it ordered past. */
    List<Long> heldCheckpoints() {
        List<Long> held = new ArrayList<>();
        held.add(stableCheckpoint);
        long freq = ctx.settings.chkFreq();
        for (long s = (stableCheckpoint / freq + 1) * freq; s <= lastOrdered; s += freq) {
            held.add(s);
        }
        return held;
    }

    // ---------------------------------------------------------------- the view (ViewChanges)

    /** The VIEW_CHANGE to {@code view} starts: the established view stays what it was. */
    void startViewChange(int view) {
        if (!viewChanging) {
            establishedView = viewNo;
        }
        viewNo = view;
        viewChanging = true;
    }

    /** The node is in {@code view} with its primary (NEW_VIEW processed, or found by catch-up). */
    void enterView(int view) {
        viewNo = view;
        viewChanging = false;
        establishedView = view;
        failedViewChanges = 0;
        viewStartedAt = ctx.now();
        latestProposedFinalisedAt = Long.MIN_VALUE;
    }

    /** The view change did not complete in time: the next one waits longer. */
    void viewChangeTimedOut() {
        failedViewChanges++;
    }

    // ---------------------------------------------------------------- batches (Ordering)

    /** The primary proposed a batch we saw (or we cut one as primary), now. */
    void proposalSeen() {
        lastProposalAt = ctx.now();
    }

    /** {@code pp} is applied (cut as primary, or accepted as replica): the next one follows it. */
    void applied(PrePrepare pp) {
        lastApplied = pp.ppSeqNo();
        lastPpTime = pp.ppTime();
    }

    /** This node accepted {@code pp} (as replica, as primary, or to re-order it in a new view). */
    void prePrepared(PrePrepare pp) {
        if (pp.ppSeqNo() <= stableCheckpoint) {
            return;
        }
        BatchId id = new BatchId(pp.viewNo(), pp.ppSeqNo(), Batch.digestOf(pp));
        List<BatchId> slot = prePreparedLog.computeIfAbsent(pp.ppSeqNo(), s -> new ArrayList<>());
        if (!slot.contains(id)) {
            slot.add(id);
            execution.persistPrePrepared(pp.ppSeqNo(), slot);
        }
    }

    /** {@code pp} has its prepared certificate here: persisted before the COMMIT goes out. */
    void prepared(PrePrepare pp) {
        execution.persistPrepared(pp);
        preparedLog.put(pp.ppSeqNo(), pp);
    }

    /** Everything applied and not ordered is dropped: the next batch follows the last ordered one. */
    void backToOrdered() {
        lastApplied = lastOrdered;
        lastPpTime = lastOrderedPpTime;
    }

    /** {@code pp} is ordered, now. */
    void ordered(PrePrepare pp) {
        if (pp.ppSeqNo() != lastOrdered + 1 || orderedLog.containsKey(pp.ppSeqNo())) {
            throw new IllegalStateException("invariant broken: ordering " + pp.viewNo() + ":" + pp.ppSeqNo()
                    + " after " + lastOrdered + "; a pp_seq_no is ordered once, in order");
        }
        lastOrdered = pp.ppSeqNo();
        lastOrderedAt = ctx.now();
        lastOrderedPpTime = pp.ppTime();
        orderedLog.put(pp.ppSeqNo(), pp);
    }

    /** {@code from} committed another batch at {@code ppSeqNo} than ours; returns all who did. */
    Set<String> conflictingCommit(long ppSeqNo, String from) {
        TreeSet<String> voters = conflictingCommits.computeIfAbsent(ppSeqNo, s -> new TreeSet<>());
        voters.add(from);
        return Collections.unmodifiableSet(voters);
    }

    // ---------------------------------------------------------------- checkpoints (Checkpoints)

    /** The checkpoint at {@code seqNo} is stable: the watermarks move, the logs below it go. */
    void stable(long seqNo) {
        stableCheckpoint = seqNo;
        SortedMap<Long, PrePrepare> below = preparedLog.headMap(seqNo, true);
        if (!below.isEmpty()) {
            execution.forgetPrepared(List.copyOf(below.keySet()));
            below.clear();
        }
        orderedLog.headMap(seqNo, true).clear();
        SortedMap<Long, List<BatchId>> prePreparedBelow = prePreparedLog.headMap(seqNo, true);
        if (!prePreparedBelow.isEmpty()) {
            execution.forgetPrePrepared(List.copyOf(prePreparedBelow.keySet()));
            prePreparedBelow.clear();
        }
        conflictingCommits.headMap(seqNo, true).clear();
    }

    // ---------------------------------------------------------------- catch-up (Catchup)

    void catchupStarted() {
        catchingUp = true;
    }

    /**
     * Catch-up is done: the last ordered batch is {@code position}'s if that is further (what we
     * ordered before is history then), and nothing is applied.
     */
    void catchupDone(Execution.Position position) {
        catchingUp = false;
        if (position.ppSeqNo() > lastOrdered) {
            lastOrdered = position.ppSeqNo();
            lastOrderedAt = ctx.now();
            lastOrderedPpTime = position.ppTime();
            orderedLog.clear();
        }
        backToOrdered();
    }
}
