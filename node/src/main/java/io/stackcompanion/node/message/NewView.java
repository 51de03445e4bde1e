package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The new primary starts view {@code viewNo}: every node continues from checkpoint {@code checkpoint}
 * (catching up to it if behind) and re-orders {@code batches}, the batches prepared in earlier views
 * (pp_seq_no checkpoint+1 onwards, consecutive), with the same content, in this view.
 * {@code viewChanges} are the signed VIEW_CHANGEs (at least n-f, one per node, sorted by node) the
 * checkpoint and batches were computed from: every replica checks the signatures and computes them
 * again, and rejects a NEW_VIEW that does not follow. A recording made before NEW_VIEWs carried them
 * decodes with none, and such a NEW_VIEW encodes to the same bytes as it was recorded (an empty list is
 * left out: only a replay of such a recording makes one).
 */
public record NewView(int viewNo, long checkpoint, List<PrePrepare> batches,
                      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ViewChange> viewChanges)
        implements Message {
    public NewView {
        batches = List.copyOf(batches);
        viewChanges = viewChanges == null ? List.of() : List.copyOf(viewChanges);
    }
}
