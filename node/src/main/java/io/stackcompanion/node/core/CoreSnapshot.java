package io.stackcompanion.node.core;

import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.message.Codec;

import java.util.List;
import java.util.Map;

/**
 * Where a core stands in consensus, as plain values: what a developer reads in a replay's verdict
 * and in a debugger ({@link #toString()}), what {@code replay.sh --check-state} compares, and what a
 * recording node records at every stable checkpoint and stop. Every collection is in a fixed order
 * (batches by pp_seq_no, voters by name), so the same state always gives the same {@link #digest()}.
 *
 * @param batches the 3-phase slots above the stable checkpoint, with their votes
 */
public record CoreSnapshot(String name, int viewNo, boolean viewChanging, String primary, long lastOrdered,
                           long lastApplied, long stableCheckpoint, long highWatermark, boolean catchingUp,
                           long ledgerSize, String ledgerRoot, int pendingRequests, int queuedRequests,
                           int stashedPrePrepares, List<BatchVotes> batches, List<String> connected, int catchUps) {

    public CoreSnapshot {
        batches = List.copyOf(batches);
        connected = List.copyOf(connected);
    }

    /**
     * One pp_seq_no's slot.
     *
     * @param viewNo      the accepted PRE-PREPARE's view, or null when none is accepted
     * @param digest      the accepted PRE-PREPARE's digest, or null
     * @param requests    how many requests the accepted PRE-PREPARE orders (0 when none)
     * @param preparedBy  who sent a PREPARE for the accepted digest
     * @param committedBy who sent a COMMIT for the accepted digest
     * @param commitSent  whether this node sent its COMMIT
     * @param otherVotes  PREPAREs and COMMITs for any other digest, by digest ("prepare"/"commit" -> voters)
     */
    public record BatchVotes(long ppSeqNo, Integer viewNo, String digest, int requests, List<String> preparedBy,
                             List<String> committedBy, boolean commitSent, Map<String, Map<String, List<String>>> otherVotes) {
        public BatchVotes {
            preparedBy = List.copyOf(preparedBy);
            committedBy = List.copyOf(committedBy);
        }
    }

    /** SHA-256 (hex) of the snapshot's JSON: equal states, equal digests. */
    public String digest() {
        return Hashes.sha256Hex(Codec.toBytes(this));
    }

    /** Readable in a debugger and a log: the snapshot as indented JSON. */
    @Override
    public String toString() {
        return Codec.mapper().valueToTree(this).toPrettyString();
    }
}
