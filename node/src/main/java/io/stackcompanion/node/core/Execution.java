package io.stackcompanion.node.core;

import io.stackcompanion.node.core.RequestBook.RequestState;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.message.BatchId;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Result;
import io.stackcompanion.node.store.LedgerPreview;
import io.stackcompanion.node.store.MerkleTree;
import io.stackcompanion.node.store.NodeStore;
import io.stackcompanion.node.store.Root;
import io.stackcompanion.node.store.State;
import io.stackcompanion.node.store.StoreBatch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Applies batches to the ledger and the state: first speculatively (to compute the roots a
 * PRE-PREPARE announces), then for good when the batch is ordered, in one atomic store write
 * together with the duplicate-request index and the last ordered position.
 */
final class Execution {
    static final String LAST_ORDERED = "lastOrdered";
    /** The view the node is in (or changing to), so a restart resumes in it. */
    static final String VIEW_NO = "viewNo";
    /** The last stable checkpoint (a pp_seq_no). */
    static final String STABLE_CHECKPOINT = "stableCheckpoint";

    /** What applying a batch yields: the ledger size and roots (hex) a PRE-PREPARE announces. */
    record Roots(long ledgerSize, String txnRoot, String stateRoot) {
    }

    /** The last ordered batch: its view, pp_seq_no and pp_time. */
    record Position(int viewNo, long ppSeqNo, long ppTime) {
        static final Position GENESIS = new Position(0, 0, 0);
    }

    /** A request ordered, and the reply its clients get. */
    record Ordered(RequestState request, Reply reply) {
    }

    /** One request of an applied batch, the transaction it made and its result (null for a PUT). */
    private record Entry(RequestState request, byte[] txn, Result result) {
    }

    /** A batch applied and not yet ordered: its requests with their transactions, in batch order. */
    private record Pending(long ppSeqNo, long ppTime, List<Entry> entries) {
        List<RequestState> requests() {
            return entries.stream().map(Entry::request).toList();
        }
    }

    private final NodeStore store;
    /** The batches applied and not yet ordered, oldest first: the one record of what each holds. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    Execution(NodeStore store) {
        this.store = store;
    }

    Position lastOrdered() {
        byte[] raw = store.getMeta(LAST_ORDERED);
        if (raw == null) {
            return Position.GENESIS;
        }
        try {
            return Codec.mapper().readValue(raw, Position.class);
        } catch (IOException e) {
            throw new IllegalStateException("the node store's " + LAST_ORDERED + " record is corrupt", e);
        }
    }

    /** The persisted view, at least the view of the last ordered batch. */
    int persistedView() {
        byte[] raw = store.getMeta(VIEW_NO);
        int v = raw == null ? 0 : Integer.parseInt(new String(raw, StandardCharsets.UTF_8));
        return Math.max(v, lastOrdered().viewNo());
    }

    long persistedStableCheckpoint() {
        byte[] raw = store.getMeta(STABLE_CHECKPOINT);
        return raw == null ? 0 : Long.parseLong(new String(raw, StandardCharsets.UTF_8));
    }

    /** Where this node's prepared certificates are kept, one per pp_seq_no (zero-padded, so in order). */
    static final String PREPARED_PREFIX = "prepared/";
    /**
     * Where the PRE-PREPAREs this node accepted are kept, one record per pp_seq_no (a JSON array of
     * batch ids): a node that restarts still shows them in its VIEW_CHANGEs, where they bear out the
     * batches others prepared (without them a NEW_VIEW may wait for more VIEW_CHANGEs).
     */
    static final String PRE_PREPARED_PREFIX = "pre-prepared/";
    /** The last batch this node proposed as primary ("view:ppSeqNo"), so a restart does not propose it again. */
    static final String PROPOSED = "proposed";

    /** {@code ppSeqNo} (at least 1) in 20 digits, as "%020d" writes it, without a Formatter per call. */
    private static String preparedKey(long ppSeqNo) {
        return PREPARED_PREFIX + padded(ppSeqNo);
    }

    private static String padded(long ppSeqNo) {
        String digits = Long.toString(ppSeqNo);
        return "0".repeat(20 - digits.length()) + digits;
    }

    /** Persists the PRE-PREPAREs this node accepted at {@code ppSeqNo} (see {@link #PRE_PREPARED_PREFIX}). */
    void persistPrePrepared(long ppSeqNo, List<BatchId> slot) {
        try (StoreBatch batch = store.newBatch()) {
            store.putMeta(PRE_PREPARED_PREFIX + padded(ppSeqNo), Codec.toBytes(slot), batch);
            store.write(batch);
        }
    }

    /** Forgets the PRE-PREPAREs accepted at {@code ppSeqNos} (below a stable checkpoint). */
    void forgetPrePrepared(Iterable<Long> ppSeqNos) {
        try (StoreBatch batch = store.newBatch()) {
            for (long s : ppSeqNos) {
                store.deleteMeta(PRE_PREPARED_PREFIX + padded(s), batch);
            }
            store.write(batch);
        }
    }

    /** The PRE-PREPAREs persisted by {@link #persistPrePrepared}, by pp_seq_no. */
    TreeMap<Long, List<BatchId>> persistedPrePrepared() {
        TreeMap<Long, List<BatchId>> out = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : store.metaStartingWith(PRE_PREPARED_PREFIX).entrySet()) {
            try {
                out.put(Long.parseLong(e.getKey().substring(PRE_PREPARED_PREFIX.length())),
                        new ArrayList<>(List.of(Codec.mapper().readValue(e.getValue(), BatchId[].class))));
            } catch (java.io.IOException | NumberFormatException x) {
                throw new IllegalStateException("the node store's " + e.getKey() + " record is corrupt", x);
            }
        }
        return out;
    }

    /**
     * Persists {@code pp}'s prepared certificate before this node sends its COMMIT: a node that
     * committed a batch and restarts must still report it in its VIEW_CHANGE, or a NEW_VIEW can drop a
     * batch that another node ordered (found by dst.sh run --seed 30 and --seed 118 --requests 200).
     */
    void persistPrepared(PrePrepare pp) {
        try (StoreBatch batch = store.newBatch()) {
            store.putMeta(preparedKey(pp.ppSeqNo()), Codec.encode(pp), batch);
            store.write(batch);
        }
    }

    /** Forgets the prepared certificates at {@code ppSeqNos} (below a stable checkpoint). */
    void forgetPrepared(Iterable<Long> ppSeqNos) {
        try (StoreBatch batch = store.newBatch()) {
            for (long s : ppSeqNos) {
                store.deleteMeta(preparedKey(s), batch);
            }
            store.write(batch);
        }
    }

    /** The prepared certificates persisted by {@link #persistPrepared}, by pp_seq_no. */
    List<PrePrepare> persistedPrepared() {
        List<PrePrepare> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : store.metaStartingWith(PREPARED_PREFIX).entrySet()) {
            try {
                out.add((PrePrepare) Codec.decode(e.getValue()));
            } catch (MalformedMessageException | ClassCastException x) {
                throw new IllegalStateException("the node store's " + e.getKey() + " record is corrupt", x);
            }
        }
        return out;
    }

    /** Persists, before the PRE-PREPARE is sent, that this primary proposed {@code ppSeqNo} in {@code viewNo}. */
    void persistProposed(int viewNo, long ppSeqNo) {
        try (StoreBatch batch = store.newBatch()) {
            store.putMeta(PROPOSED, (viewNo + ":" + ppSeqNo).getBytes(StandardCharsets.UTF_8), batch);
            store.write(batch);
        }
    }

    /** The last batch proposed as primary before this start, as (view, pp_seq_no), or null if none is recorded. */
    Position proposed() {
        byte[] raw = store.getMeta(PROPOSED);
        if (raw == null) {
            return null;
        }
        String[] parts = new String(raw, StandardCharsets.UTF_8).split(":");
        try {
            return new Position(Integer.parseInt(parts[0]), Long.parseLong(parts[1]), 0);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the node store's " + PROPOSED + " record is corrupt", e);
        }
    }

    /** Persists small consensus values (view, stable checkpoint) in their own atomic write. */
    void persist(int viewNo, long stableCheckpoint) {
        try (StoreBatch batch = store.newBatch()) {
            store.putMeta(VIEW_NO, Integer.toString(viewNo).getBytes(StandardCharsets.UTF_8), batch);
            store.putMeta(STABLE_CHECKPOINT, Long.toString(stableCheckpoint).getBytes(StandardCharsets.UTF_8), batch);
            store.write(batch);
        }
    }

    /** The batch (pp_seq_no, pp_time) that ends with committed transaction {@code size}; genesis for 0. */
    Position positionAt(int viewNo, long size) {
        if (size == 0) {
            return new Position(viewNo, 0, 0);
        }
        Txn txn = decodeTxn(store.ledger().txn(size));
        return new Position(viewNo, txn.ppSeqNo(), txn.ppTime());
    }

    /** The committed root at {@code size} (hex). */
    String ledgerRootAt(long size) {
        return Hashes.hex(store.ledger().rootAt(size));
    }

    List<byte[]> consistencyProof(long oldSize, long newSize) {
        return store.ledger().consistencyProof(oldSize, newSize);
    }

    List<byte[]> committedTxns(long from, long to) {
        return store.ledger().txns(from, to);
    }

    boolean hasUncommitted() {
        return !pending.isEmpty();
    }

    /**
     * Catch-up: appends {@code leaves} (the next committed transactions) if, with them, the ledger
     * provably leads to the agreed ledger of {@code targetSize} and {@code targetRoot}: the root of
     * our ledger plus {@code leaves} must be consistent with the target through {@code proof}. Ledger,
     * state, request index and (on the last range) the last ordered position go in one write.
     *
     * @return the decoded transactions applied, or null if the range does not verify (nothing applied)
     */
    List<Txn> applyVerified(List<byte[]> leaves, long targetSize, byte[] targetRoot, List<byte[]> proof,
                            Position lastPosition) {
        if (!pending.isEmpty()) {
            throw new IllegalStateException("catch-up over " + pending.size() + " uncommitted batches");
        }
        long before = store.ledger().size();
        long end = before + leaves.size();
        if (leaves.isEmpty() || end > targetSize) {
            return null;
        }
        List<Txn> txns = new ArrayList<>(leaves.size());
        List<State.Write> writes = new ArrayList<>(leaves.size());
        for (byte[] leaf : leaves) {
            Txn txn;
            try {
                txn = decodeTxn(leaf);
            } catch (IllegalStateException e) {
                return null;
            }
            if (txn.seqNo() != before + txns.size() + 1 || txn.operation() == null) {
                return null;
            }
            txns.add(txn);
            State.Write w = writeOf(txn.operation(), txn.result());
            if (w != null) {
                writes.add(w);
            }
        }
        try (StoreBatch batch = store.newBatch()) {
            LedgerPreview preview = store.ledger().appendCommitted(leaves, batch);
            boolean consistent = end == targetSize
                    ? proof.isEmpty() && java.util.Arrays.equals(preview.root().bytes(), targetRoot)
                    : MerkleTree.verifyConsistency(end, targetSize, preview.root().bytes(), targetRoot, proof);
            if (!consistent) {
                return null; // the batch is abandoned: nothing of it stays
            }
            store.state().applyCommitted(writes, batch);
            for (Txn txn : txns) {
                store.putSeqNo(requestKey(txn.identifier(), txn.reqId()), txn.seqNo(), batch);
            }
            if (lastPosition != null) {
                store.putMeta(LAST_ORDERED, Codec.toBytes(lastPosition), batch);
            }
            store.write(batch);
        }
        if (store.ledger().size() != end) {
            throw new IllegalStateException("invariant broken: catch-up appended " + leaves.size()
                    + " txns to a ledger of " + before + " but it now has " + store.ledger().size());
        }
        return txns;
    }

    static Txn decodeTxn(byte[] leaf) {
        try {
            return Codec.mapper().readValue(leaf, Txn.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("not a ledger transaction: " + e.getMessage(), e);
        }
    }

    long ledgerSize() {
        return store.ledger().size();
    }

    String ledgerRoot() {
        return Hashes.hex(store.ledger().root());
    }

    String stateRoot() {
        return Hashes.hex(store.state().root());
    }

    Roots apply(List<RequestState> requests, long ppSeqNo, long ppTime) {
        long seqNo = store.ledger().uncommittedSize();
        List<Entry> entries = new ArrayList<>(requests.size());
        List<byte[]> txns = new ArrayList<>(requests.size());
        List<State.Write> writes = new ArrayList<>(requests.size());
        // A GET or CAS reads the state as the operations before it in this batch left it.
        Map<String, String> written = new HashMap<>();
        for (RequestState r : requests) {
            seqNo++;
            Operation op = r.request.operation();
            Result result = Txn.resultOf(op, key -> current(key, written));
            byte[] txn = new Txn(seqNo, ppSeqNo, ppTime, r.request.identifier(), r.request.reqId(),
                    op, r.digest, result).toJson();
            entries.add(new Entry(r, txn, result));
            txns.add(txn);
            State.Write w = writeOf(op, result);
            if (w != null) {
                writes.add(w);
                written.put(op.key(), op.value());
            }
        }
        LedgerPreview lp = store.ledger().appendUncommitted(txns);
        Root stateRoot = store.state().applyUncommitted(writes);
        pending.add(new Pending(ppSeqNo, ppTime, List.copyOf(entries)));
        return new Roots(lp.size(), lp.rootHex(), stateRoot.hex());
    }

    /** Orders the oldest applied batch, which {@code pp} announced; returns its requests with their replies, in batch order. */
    List<Ordered> commitOldest(int viewNo, PrePrepare pp) {
        Pending p = pending.poll();
        if (p == null) {
            throw new IllegalStateException("ordering " + pp.viewNo() + ":" + pp.ppSeqNo() + " but no batch is applied");
        }
        long before = store.ledger().size();
        try (StoreBatch batch = store.newBatch()) {
            store.ledger().commitOldest(p.entries.size(), batch);
            store.state().commitOldest(batch);
            long seqNo = before;
            for (Entry e : p.entries) {
                Request request = e.request().request;
                store.putSeqNo(requestKey(request.identifier(), request.reqId()), ++seqNo, batch);
            }
            store.putMeta(LAST_ORDERED, Codec.toBytes(new Position(viewNo, pp.ppSeqNo(), pp.ppTime())), batch);
            store.write(batch);
        }
        check(store.ledger().size() > before, "ledger size (it only grows)", "more than " + before,
                store.ledger().size(), pp);
        // Invariants: what we ordered is what the PRE-PREPARE announced, or this node must stop.
        check(store.ledger().size() == pp.ledgerSize(), "ledger size", pp.ledgerSize(), store.ledger().size(), pp);
        check(ledgerRoot().equals(pp.txnRoot()), "ledger root", pp.txnRoot(), ledgerRoot(), pp);
        check(stateRoot().equals(pp.stateRoot()), "state root", pp.stateRoot(), stateRoot(), pp);
        List<Ordered> ordered = new ArrayList<>(p.entries.size());
        long seqNo = before;
        for (Entry e : p.entries) {
            Request request = e.request().request;
            ordered.add(new Ordered(e.request(), new Reply(request.identifier(), request.reqId(), ++seqNo,
                    Hashes.hex(MerkleTree.leafHash(e.txn())), e.result())));
        }
        return ordered;
    }

    /** Drops every applied, unordered batch; returns their requests, oldest batch first, in batch order. */
    List<RequestState> discardUncommitted() {
        List<RequestState> requests = new ArrayList<>();
        for (Pending p : pending) {
            requests.addAll(p.requests());
        }
        store.ledger().discardUncommitted();
        store.state().discardUncommitted();
        pending.clear();
        return requests;
    }

    /** Undoes the last {@link #apply} (its batch was refused): the batches applied before it stay applied. */
    void discardLast() {
        List<Pending> keep = new ArrayList<>(pending);
        keep.remove(keep.size() - 1);
        discardUncommitted();
        for (Pending p : keep) {
            apply(p.requests(), p.ppSeqNo, p.ppTime);
        }
    }

    /** Whether the request was ordered: {@link #replyFor} without reading its transaction. */
    boolean isOrdered(String identifier, long reqId) {
        return store.seqNoOf(requestKey(identifier, reqId)).isPresent();
    }

    /** The reply to an already ordered request, if it was ordered. */
    Optional<Reply> replyFor(String identifier, long reqId) {
        OptionalLong seqNo = store.seqNoOf(requestKey(identifier, reqId));
        if (seqNo.isEmpty()) {
            return Optional.empty();
        }
        byte[] txn = store.ledger().txn(seqNo.getAsLong());
        return Optional.of(new Reply(identifier, reqId, seqNo.getAsLong(), Hashes.hex(MerkleTree.leafHash(txn)),
                decodeTxn(txn).result()));
    }

    /**
     * The state write an ordered operation makes: a PUT's, a CAS's that applied; null for a GET and
     * a CAS that did not apply.
     */
    static State.Write writeOf(Operation op, Result result) {
        return Txn.changesState(op, result) ? State.Write.put(op.key(), op.value()) : null;
    }

    /** The key's value after the applied batches and {@code written} (this batch so far), or null. */
    private String current(String key, Map<String, String> written) {
        return written.containsKey(key) ? written.get(key) : store.state().get(key);
    }

    private static byte[] requestKey(String identifier, long reqId) {
        return (identifier + ":" + reqId).getBytes(StandardCharsets.UTF_8);
    }

    private static void check(boolean ok, String what, Object announced, Object actual, PrePrepare pp) {
        if (!ok) {
            throw new IllegalStateException("invariant broken: after ordering " + pp.viewNo() + ":" + pp.ppSeqNo()
                    + " the " + what + " is " + actual + " but its PRE-PREPARE announced " + announced);
        }
    }
}
