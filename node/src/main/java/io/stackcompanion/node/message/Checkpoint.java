package io.stackcompanion.node.message;

/**
 * A node ordered batch {@code seqNoEnd} (a multiple of CHK_FREQ) and its ledger then had
 * {@code ledgerSize} transactions with root {@code ledgerRoot} (hex). Stable at n-f matching ones.
 */
public record Checkpoint(long seqNoEnd, long ledgerSize, String ledgerRoot) implements Message {
}
