package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Node {@code node} enters view {@code viewNo}: its last stable checkpoint (a pp_seq_no) and the batches
 * it prepared above it (the PRE-PREPAREs, each with the view it was prepared in), in pp_seq_no order;
 * and what the next primary needs to check those claims against the other nodes' (PBFT's and Plenum's
 * selection rule, {@code ViewChanges.newView}): {@code checkpoints}, the checkpoints it holds (its stable
 * one, then every CHK_FREQ-th pp_seq_no above it that it ordered), and {@code preprepared}, the
 * PRE-PREPAREs it accepted above its stable checkpoint (by pp_seq_no, view, digest). A VIEW_CHANGE made
 * before those two were carried decodes with them null and encodes to the same bytes as it was
 * recorded (null fields are left out).
 * {@code signature} is {@code node}'s Ed25519 signature (base64) of {@link Codec#signingBytes(ViewChange)},
 * so the next primary can show it to every replica in its {@link NewView}. A recording made before
 * VIEW_CHANGEs were signed decodes with {@code node} and {@code signature} null, and such a view change
 * encodes to the same bytes as it was recorded (null fields are left out: only a replay of such a
 * recording makes one).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ViewChange(int viewNo, String node, long stableCheckpoint, List<PrePrepare> prepared,
                         List<Long> checkpoints, List<BatchId> preprepared, String signature)
        implements Message {
    public ViewChange {
        prepared = List.copyOf(prepared);
        checkpoints = checkpoints == null ? null : List.copyOf(checkpoints);
        preprepared = preprepared == null ? null : List.copyOf(preprepared);
    }

    /** A VIEW_CHANGE without checkpoints and pre-prepared batches (as made before they were carried). */
    public ViewChange(int viewNo, String node, long stableCheckpoint, List<PrePrepare> prepared, String signature) {
        this(viewNo, node, stableCheckpoint, prepared, null, null, signature);
    }

    /** Whether it carries its node's checkpoints and pre-prepared batches (not made before they were). */
    public boolean hasEvidence() {
        return checkpoints != null && preprepared != null;
    }

    /** The same view change, signed. */
    public ViewChange withSignature(String signature) {
        return new ViewChange(viewNo, node, stableCheckpoint, prepared, checkpoints, preprepared, signature);
    }
}
