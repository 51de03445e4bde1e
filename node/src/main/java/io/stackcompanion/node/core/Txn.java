package io.stackcompanion.node.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Result;

/**
 * A ledger transaction: an ordered request with its place and time. Its JSON encoding is the
 * ledger leaf, so every field is deterministic: the same on every node that orders the batch.
 * Every ordered operation (PUT, GET, CAS) is one transaction: the ledger is the log of operations;
 * the state changes only for a PUT and a CAS that applied.
 *
 * @param seqNo    1-based position in the ledger
 * @param ppSeqNo  the batch it was ordered in (the same in every view the batch is ordered in)
 * @param ppTime the batch's time (milliseconds since the epoch), as the PRE-PREPARE set it
 * @param digest the request's digest
 * @param result a GET's or CAS's result at this place in the order; null (left out) for a PUT
 */
public record Txn(long seqNo, long ppSeqNo, long ppTime, String identifier, long reqId, Operation operation, String digest,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Result result) {
    /** A PUT's transaction: no result. */
    public Txn(long seqNo, long ppSeqNo, long ppTime, String identifier, long reqId, Operation operation, String digest) {
        this(seqNo, ppSeqNo, ppTime, identifier, reqId, operation, digest, null);
    }

    /** Whether this transaction changes the state (to {@code operation.value}): a PUT, or a CAS that applied. */
    public boolean changesState() {
        return changesState(operation, result);
    }

    static boolean changesState(Operation op, Result result) {
        return Operation.PUT.equals(op.type())
                || Operation.CAS.equals(op.type()) && result != null && Boolean.TRUE.equals(result.applied());
    }
}
