package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Node {@code node} enters view {@code viewNo}: its last stable checkpoint (a pp_seq_no) and the batches
 * it prepared above it (the PRE-PREPAREs, each with the view it was prepared in), in pp_seq_no order.
 * {@code signature} is {@code node}'s Ed25519 signature (base64) of {@link Codec#signingBytes(ViewChange)},
 * so the next primary can show it to every replica in its {@link NewView}. A recording made before
 * VIEW_CHANGEs were signed decodes with {@code node} and {@code signature} null, and such a view change
 * encodes to the same bytes as it was recorded (null fields are left out: only a replay of such a
 * recording makes one).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ViewChange(int viewNo, String node, long stableCheckpoint, List<PrePrepare> prepared, String signature)
        implements Message {
    public ViewChange {
        prepared = List.copyOf(prepared);
    }

    /** The same view change, signed. */
    public ViewChange withSignature(String signature) {
        return new ViewChange(viewNo, node, stableCheckpoint, prepared, signature);
    }
}
