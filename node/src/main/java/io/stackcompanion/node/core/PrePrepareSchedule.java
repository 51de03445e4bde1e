package io.stackcompanion.node.core;

import java.util.List;
import java.util.Optional;

/**
 * Which batches a primary cuts. A live node follows its own batching rules (size and wait); a
 * replayed node cuts exactly the batches the recorded node sent, with the same requests and the same
 * pp_time, so the other nodes' recorded PREPAREs and COMMITs still fit even after the batching code or
 * its configuration changed.
 */
public interface PrePrepareSchedule {

    /** The node's own batching rules. */
    PrePrepareSchedule NATURAL = new PrePrepareSchedule() {
        @Override
        public boolean isForced() {
            return false;
        }

        @Override
        public Optional<ForcedBatch> forced(int viewNo, long ppSeqNo) {
            return Optional.empty();
        }
    };

    /**
     * A batch the primary must cut.
     *
     * @param reqDigests the requests, in order
     * @param ppTime     the batch time, milliseconds since the epoch
     * @param sentAt     when the recorded primary sent it (core clock, nanoseconds): not cut earlier
     */
    record ForcedBatch(List<String> reqDigests, long ppTime, long sentAt) {
        public ForcedBatch {
            reqDigests = List.copyOf(reqDigests);
        }
    }

    /** True if batches come from {@link #forced} only. */
    boolean isForced();

    /** The batch to cut as {@code ppSeqNo} of view {@code viewNo}; empty: cut none. */
    Optional<ForcedBatch> forced(int viewNo, long ppSeqNo);
}
