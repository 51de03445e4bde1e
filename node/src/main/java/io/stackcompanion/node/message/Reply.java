package io.stackcompanion.node.message;

/**
 * A request was ordered: it is the {@code seqNo}-th transaction of the ledger, whose leaf hash is
 * {@code txnHash} (hex). Every honest node sends the same reply; a client trusts f+1 equal ones.
 */
public record Reply(String identifier, long reqId, long seqNo, String txnHash) implements Message {
}
