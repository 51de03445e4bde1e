package io.stackcompanion.node.core;

import io.stackcompanion.node.message.Checkpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * CHECKPOINTs, as in Plenum's checkpoint service: every CHK_FREQ ordered batches a node announces its
 * ledger; at n-f matching announcements the checkpoint is stable, the watermarks move and the logs
 * below it go. A quorum's checkpoint ahead of what this node ordered means it fell behind: catch-up.
 */
final class Checkpoints {
    private static final Logger log = LoggerFactory.getLogger(Checkpoints.class);

    private final CoreContext ctx;
    private final ConsensusState state;
    private final Execution execution;
    private final Catchup.Trigger catchup;
    /** Called when a checkpoint became stable and this node is primary: the watermarks moved. */
    private final Runnable primaryMayCut;
    /** CHECKPOINT votes: pp_seq_no, then "size:root", then voters. */
    private final TreeMap<Long, TreeMap<String, TreeSet<String>>> votes = new TreeMap<>();

    Checkpoints(CoreContext ctx, ConsensusState state, Execution execution, Catchup.Trigger catchup,
                Runnable primaryMayCut) {
        this.ctx = ctx;
        this.state = state;
        this.execution = execution;
        this.catchup = catchup;
        this.primaryMayCut = primaryMayCut;
    }

    void onCheckpoint(String from, Checkpoint cp) {
        if (cp.seqNoEnd() <= state.stableCheckpoint() || cp.seqNoEnd() % ctx.settings.chkFreq() != 0
                || cp.seqNoEnd() > state.lastOrdered() + 10L * ctx.settings.logSize()) {
            return;
        }
        addVote(from, cp);
    }

    /** Batch {@code ppSeqNo} was ordered here: every CHK_FREQ batches, announce our ledger. */
    void onOrdered(long ppSeqNo) {
        if (ppSeqNo % ctx.settings.chkFreq() == 0) {
            Checkpoint cp = new Checkpoint(ppSeqNo, execution.ledgerSize(), execution.ledgerRoot());
            ctx.outbox.broadcast(cp);
            addVote(ctx.name, cp);
        }
    }

    private void addVote(String from, Checkpoint cp) {
        TreeMap<String, TreeSet<String>> bySeq = votes.computeIfAbsent(cp.seqNoEnd(), s -> new TreeMap<>());
        for (TreeSet<String> voters : bySeq.values()) {
            voters.remove(from); // one vote per node and checkpoint
        }
        String key = cp.ledgerSize() + ":" + cp.ledgerRoot();
        TreeSet<String> voters = bySeq.computeIfAbsent(key, k -> new TreeSet<>());
        voters.add(from);
        if (voters.size() < ctx.quorums.checkpoint()) {
            return;
        }
        if (cp.seqNoEnd() <= state.lastOrdered()) {
            if (!voters.contains(ctx.name)) {
                if (state.orderedAt(cp.seqNoEnd()) != null || bySeq.values().stream().anyMatch(v -> v.contains(ctx.name))) {
                    throw new IllegalStateException("invariant broken: " + voters + " agree the ledger after batch "
                            + cp.seqNoEnd() + " is " + key + ", but this node's differs");
                }
                return;
            }
            markStable(cp.seqNoEnd());
        } else {
            catchup.start("checkpoint " + cp.seqNoEnd() + " is stable in the pool but this node ordered only up to "
                    + state.lastOrdered(), true);
        }
    }

    /** The checkpoint at {@code seqNo} is stable (a quorum agrees, or catch-up got us past it). */
    void markStable(long seqNo) {
        if (seqNo <= state.stableCheckpoint()) {
            return;
        }
        state.stable(seqNo);
        votes.headMap(seqNo, true).clear();
        execution.persist(state.viewNo(), state.stableCheckpoint());
        log.debug("checkpoint {} is stable", seqNo);
        if (state.isPrimary()) {
            primaryMayCut.run();
        }
    }

    /** A quorum's checkpoint ahead of what we ordered, if any: catch-up must take us there. */
    boolean stableCheckpointAhead() {
        for (Map.Entry<Long, TreeMap<String, TreeSet<String>>> e : votes.tailMap(state.lastOrdered(), false).entrySet()) {
            for (TreeSet<String> voters : e.getValue().values()) {
                if (voters.size() >= ctx.quorums.checkpoint()) {
                    return true;
                }
            }
        }
        return false;
    }
}
