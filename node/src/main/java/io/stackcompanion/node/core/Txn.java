package io.stackcompanion.node.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.PlainJson;
import io.stackcompanion.node.message.Result;

import java.util.function.Function;

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

    /** The ledger leaf: this transaction as JSON ({@link PlainJson} writes Jackson's very bytes when it can). */
    public byte[] toJson() {
        byte[] plain = plainJson();
        return plain != null ? plain : Codec.toBytes(this);
    }

    /** {@link #toJson()} as {@link PlainJson} writes it, or null when Jackson must (a string that needs escaping). */
    byte[] plainJson() {
        PlainJson.Writer w = new PlainJson.Writer().begin().field("seqNo", seqNo).field("ppSeqNo", ppSeqNo)
                .field("ppTime", ppTime).field("identifier", identifier).field("reqId", reqId);
        PlainJson.operation(w.name("operation"), operation).field("digest", digest);
        if (result != null) {
            PlainJson.result(w.name("result"), result);
        }
        return w.end().bytes();
    }

    /** Whether this transaction changes the state (to {@code operation.value}): a PUT, or a CAS that applied. */
    public boolean changesState() {
        return changesState(operation, result);
    }

    /**
     * What {@code op} returns on a state where {@code valueOf} gives each key's value (null: absent),
     * as every node computes it at the operation's place in the order: a GET's value, whether a CAS
     * applied (an absent key never equals its expected value); null for a PUT, which reads nothing.
     * The one definition of GET and CAS: execution and the sanitizer (re-deriving results) both use it.
     */
    public static Result resultOf(Operation op, Function<String, String> valueOf) {
        return switch (op.type()) {
            case Operation.GET -> Result.ofGet(valueOf.apply(op.key()));
            case Operation.CAS -> Result.ofCas(op.expected().equals(valueOf.apply(op.key())));
            default -> null;
        };
    }

    static boolean changesState(Operation op, Result result) {
        return Operation.PUT.equals(op.type())
                || Operation.CAS.equals(op.type()) && result != null && Boolean.TRUE.equals(result.applied());
    }
}
