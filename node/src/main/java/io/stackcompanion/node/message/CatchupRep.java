package io.stackcompanion.node.message;

import java.util.List;

/**
 * Ledger transactions {@code from..from+txns.size()-1} (each the ledger leaf as JSON text), and the
 * Merkle consistency proof (hex) from the ledger ending with them to the ledger of {@code targetSize}.
 */
public record CatchupRep(long from, long targetSize, List<String> txns, List<String> hashes) implements Message {
    public CatchupRep {
        txns = List.copyOf(txns);
        hashes = List.copyOf(hashes);
    }
}
