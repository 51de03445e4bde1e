package io.stackcompanion.node.message;

import java.util.List;

/**
 * A node enters view {@code viewNo}: its last stable checkpoint (a pp_seq_no) and the batches it
 * prepared above it (the PRE-PREPAREs, each with the view it was prepared in), in pp_seq_no order.
 */
public record ViewChange(int viewNo, long stableCheckpoint, List<PrePrepare> prepared) implements Message {
    public ViewChange {
        prepared = List.copyOf(prepared);
    }
}
