package io.stackcompanion.node.message;

import java.util.List;

/**
 * The primary's proposal of batch {@code ppSeqNo} in view {@code viewNo}: the requests (by digest) in
 * order, the batch time in milliseconds since the epoch, and the ledger size, transaction root and
 * state root (hex) that applying the batch yields.
 */
public record PrePrepare(int viewNo, long ppSeqNo, long ppTime, List<String> reqDigests,
                         long ledgerSize, String txnRoot, String stateRoot) implements Message {
    public PrePrepare {
        reqDigests = List.copyOf(reqDigests);
    }
}
