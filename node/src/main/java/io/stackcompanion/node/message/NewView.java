package io.stackcompanion.node.message;

import java.util.List;

/**
 * The new primary starts view {@code viewNo}: every node continues from checkpoint {@code checkpoint}
 * (catching up to it if behind) and re-orders {@code batches}, the batches prepared in earlier views
 * (pp_seq_no checkpoint+1 onwards, consecutive), with the same content, in this view.
 */
public record NewView(int viewNo, long checkpoint, List<PrePrepare> batches) implements Message {
    public NewView {
        batches = List.copyOf(batches);
    }
}
