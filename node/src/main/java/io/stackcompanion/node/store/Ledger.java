package io.stackcompanion.node.store;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The append-only transaction log: seqNo (1-based) to transaction bytes, with an RFC 6962 Merkle
 * root over the transactions as leaves (seqNo {@code s} is leaf {@code s - 1}).
 *
 * <p>Two layers, as in Plenum: the <em>committed</em> ledger on disk, and <em>uncommitted</em>
 * transactions appended speculatively after it while a batch goes through 3PC. Their size and root
 * are known at once ({@link #appendUncommitted}); {@link #commitOldest} moves the oldest into a
 * {@link StoreBatch}, and the committed view advances only when that batch is written.
 * {@link #discardUncommitted} drops them (view change).
 *
 * <p>Every complete aligned subtree hash is persisted (about two 32-byte hashes per transaction),
 * and the right edge ("frontier") is kept in memory, so the root after an append costs O(log n)
 * and any historic root or proof O(log n) reads. Not thread-safe; owned by {@link NodeStore}.
 */
public final class Ledger {

    /** One uncommitted transaction with what its append produced. */
    private record Pending(byte[] txn, List<byte[]> nodeKeys, List<byte[]> nodeHashes, Frontier after) {
    }

    private final NodeStore store;
    private final MerkleTree.Nodes nodes;
    private Frontier committed = Frontier.EMPTY;
    private final UncommittedLayer<Pending> uncommitted = new UncommittedLayer<>("txns", p -> committed = p.after());

    Ledger(NodeStore store) {
        this.store = store;
        this.nodes = (level, index) -> {
            byte[] hash = store.get(store.merkleCf(), nodeKey(level, index));
            if (hash == null) {
                throw new StoreException("the ledger in " + store.dir() + " is corrupted: Merkle node ("
                        + level + ", " + index + ") is missing; remove the store and let the node catch up");
            }
            return hash;
        };
    }

    /** Reads the committed size from the last ledger key and rebuilds the frontier. */
    void load() {
        long size = 0;
        try (RocksIterator it = store.db().newIterator(store.ledgerCf())) {
            it.seekToLast();
            if (it.isValid()) {
                size = ByteBuffer.wrap(it.key()).getLong();
            }
        }
        committed = Frontier.load(size, nodes);
    }

    /** Number of committed transactions (the last committed seqNo). */
    public long size() {
        return committed.size();
    }

    /** Merkle root of the committed ledger. */
    public byte[] root() {
        return committed.root();
    }

    /** Merkle root of the committed ledger when it had {@code size} transactions (0..size()). */
    public byte[] rootAt(long size) {
        checkSize(size);
        return size == committed.size() ? committed.root() : MerkleTree.root(nodes, size);
    }

    /** The committed transaction at {@code seqNo} (1..size()). */
    public byte[] txn(long seqNo) {
        checkSeqNo(seqNo);
        byte[] txn = store.get(store.ledgerCf(), NodeStore.longKey(seqNo));
        if (txn == null) {
            throw new StoreException("the ledger in " + store.dir() + " is corrupted: txn " + seqNo
                    + " is missing; remove the store and let the node catch up");
        }
        return txn;
    }

    /** The committed transactions {@code from..toInclusive} (1-based), in order. */
    public List<byte[]> txns(long from, long toInclusive) {
        checkSeqNo(from);
        checkSeqNo(toInclusive);
        if (from > toInclusive) {
            throw new IllegalArgumentException("empty range " + from + ".." + toInclusive);
        }
        List<byte[]> out = new ArrayList<>((int) Math.min(toInclusive - from + 1, 1 << 16));
        try (Slice upper = new Slice(NodeStore.longKey(toInclusive + 1));
             ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
             RocksIterator it = store.db().newIterator(store.ledgerCf(), options)) {
            long expected = from;
            for (it.seek(NodeStore.longKey(from)); it.isValid(); it.next()) {
                if (ByteBuffer.wrap(it.key()).getLong() != expected) {
                    break;
                }
                out.add(it.value());
                expected++;
            }
            if (expected != toInclusive + 1) {
                throw new StoreException("the ledger in " + store.dir() + " is corrupted: txn " + expected
                        + " is missing; remove the store and let the node catch up");
            }
        }
        return out;
    }

    /**
     * The audit path proving txn {@code seqNo} is in the committed ledger of size {@code size};
     * verify with {@code MerkleTree.verifyInclusion(leafHash(txn), seqNo - 1, size, proof, rootAt(size))}.
     */
    public List<byte[]> inclusionProof(long seqNo, long size) {
        checkSize(size);
        if (seqNo < 1 || seqNo > size) {
            throw new IllegalArgumentException("seqNo " + seqNo + " is not in a ledger of size " + size);
        }
        return MerkleTree.inclusionProof(nodes, seqNo - 1, size);
    }

    /** The proof that the committed ledger of {@code newSize} extends that of {@code oldSize}. */
    public List<byte[]> consistencyProof(long oldSize, long newSize) {
        checkSize(oldSize);
        checkSize(newSize);
        return MerkleTree.consistencyProof(nodes, oldSize, newSize);
    }

    /**
     * Appends {@code txns} speculatively after the committed and earlier uncommitted transactions.
     *
     * @return the size and root including them
     */
    public LedgerPreview appendUncommitted(List<byte[]> txns) {
        Frontier frontier = uncommittedFrontier();
        for (byte[] txn : txns) {
            byte[] copy = txn.clone();
            List<byte[]> keys = new ArrayList<>(2);
            List<byte[]> hashes = new ArrayList<>(2);
            frontier = frontier.append(MerkleTree.leafHash(copy), (level, index, hash) -> {
                keys.add(nodeKey(level, index));
                hashes.add(hash);
            });
            uncommitted.add(new Pending(copy, keys, hashes, frontier));
        }
        return new LedgerPreview(frontier.size(), new Root(frontier.root()));
    }

    /** Size including uncommitted transactions. */
    public long uncommittedSize() {
        return uncommittedFrontier().size();
    }

    /** Root including uncommitted transactions. */
    public byte[] uncommittedRoot() {
        return uncommittedFrontier().root();
    }

    /** Number of uncommitted transactions (including any reserved by an unwritten batch). */
    public int uncommittedCount() {
        return uncommitted.all().size();
    }

    /**
     * Puts the oldest {@code count} uncommitted transactions (and their Merkle nodes) into
     * {@code batch}; they become committed when the batch is written. Several calls on one batch
     * take consecutive transactions; another batch cannot commit while this one is unwritten.
     */
    public void commitOldest(int count, StoreBatch batch) {
        store.checkBatch(batch);
        long seqNo = committed.size() + uncommitted.reserved();
        for (Pending p : uncommitted.reserve(count, batch)) {
            seqNo++;
            batch.put(store.ledgerCf(), NodeStore.longKey(seqNo), p.txn());
            for (int i = 0; i < p.nodeKeys().size(); i++) {
                batch.put(store.merkleCf(), p.nodeKeys().get(i), p.nodeHashes().get(i));
            }
        }
    }

    /**
     * Appends already-verified transactions (catch-up) straight into {@code batch}. Needs no
     * uncommitted transactions; if the batch is abandoned, they are dropped again.
     */
    public LedgerPreview appendCommitted(List<byte[]> txns, StoreBatch batch) {
        store.checkBatch(batch);
        uncommitted.checkEmpty("append committed txns");
        LedgerPreview preview = appendUncommitted(txns);
        commitOldest(txns.size(), batch);
        batch.onAbandoned(this::discardUncommitted);
        return preview;
    }

    /** Drops all uncommitted transactions (view change); not allowed while a commit is unwritten. */
    public void discardUncommitted() {
        uncommitted.discard();
    }

    private Frontier uncommittedFrontier() {
        return uncommitted.isEmpty() ? committed : uncommitted.last().after();
    }

    private void checkSize(long size) {
        if (size < 0 || size > committed.size()) {
            throw new IllegalArgumentException("ledger size " + size + " is out of range 0.." + committed.size());
        }
    }

    private void checkSeqNo(long seqNo) {
        if (seqNo < 1 || seqNo > committed.size()) {
            throw new IllegalArgumentException("seqNo " + seqNo + " is out of range 1.." + committed.size());
        }
    }

    /** Merkle CF key: level byte, then big-endian index. */
    static byte[] nodeKey(int level, long index) {
        return ByteBuffer.allocate(1 + Long.BYTES).put((byte) level).putLong(index).array();
    }
}
