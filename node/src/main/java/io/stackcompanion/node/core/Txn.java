package io.stackcompanion.node.core;

import io.stackcompanion.node.message.Operation;

/**
 * A ledger transaction: an ordered request with its place and time. Its JSON encoding is the
 * ledger leaf, so every field is deterministic: the same on every node that orders the batch.
 *
 * @param seqNo    1-based position in the ledger
 * @param ppSeqNo  the batch it was ordered in (the same in every view the batch is ordered in)
 * @param ppTime the batch's time (milliseconds since the epoch), as the PRE-PREPARE set it
 * @param digest the request's digest
 */
public record Txn(long seqNo, long ppSeqNo, long ppTime, String identifier, long reqId, Operation operation, String digest) {
}
