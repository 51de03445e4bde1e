package io.stackcompanion.node.message;

import java.util.List;

/**
 * A node's view of itself: its view and primary, the last batch it ordered, its ledger, and the
 * nodes it is connected to on the node stack (sorted).
 */
public record Status(String name, int viewNo, String primary, long lastOrderedPpSeqNo,
                     long ledgerSize, String ledgerRoot, List<String> connected) implements Message {
    public Status {
        connected = List.copyOf(connected);
    }
}
