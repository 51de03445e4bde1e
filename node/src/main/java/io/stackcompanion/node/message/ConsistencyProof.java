package io.stackcompanion.node.message;

import java.util.List;

/**
 * The answer to a {@link LedgerStatus}: the peer's ledger of {@code newSize} transactions has root
 * {@code newRoot}; {@code hashes} (hex) prove it extends the asker's ledger of {@code oldSize}. The
 * last batch in it is {@code ppSeqNo} at {@code ppTime}; the peer is in view {@code viewNo}.
 */
public record ConsistencyProof(int viewNo, long ppSeqNo, long ppTime, long oldSize, long newSize,
                               String newRoot, List<String> hashes) implements Message {
    public ConsistencyProof {
        hashes = List.copyOf(hashes);
    }
}
