package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A request was ordered: it is the {@code seqNo}-th transaction of the ledger, whose leaf hash is
 * {@code txnHash} (hex). Every honest node sends the same reply; a client trusts f+1 equal ones.
 * {@code result} is a GET's or CAS's {@link Result} (also in the transaction, so covered by
 * {@code txnHash}); null for a PUT, and then left out of the encoding.
 */
public record Reply(String identifier, long reqId, long seqNo, String txnHash,
                    @JsonInclude(JsonInclude.Include.NON_NULL) Result result) implements Message {
    /** A PUT's reply: no result. */
    public Reply(String identifier, long reqId, long seqNo, String txnHash) {
        this(identifier, reqId, seqNo, txnHash, null);
    }
}
