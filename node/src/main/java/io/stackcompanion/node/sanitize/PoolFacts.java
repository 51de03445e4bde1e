package io.stackcompanion.node.sanitize;

import io.stackcompanion.node.core.Txn;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.message.CatchupRep;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.NewView;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Propagate;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Result;
import io.stackcompanion.node.message.ViewChange;
import io.stackcompanion.node.store.MerkleTree;
import io.stackcompanion.node.store.State;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the sanitizer knows of the pool, learned from every recording it sanitizes (their events and
 * their stores) before anything is written: the ledger (each transaction by seqNo), the requests
 * by digest and the batches by digest. From that it maps each value derived from customer data to
 * the value derived from the sanitized data: request and batch digests, ledger roots and state
 * roots at each ledger size, txn hashes, consistency proofs. A value it cannot map is an
 * {@link Unmapped}: the caller refuses the event that holds it.
 */
final class PoolFacts {
    /** A derived value the facts cannot account for. */
    static final class Unmapped extends Exception {
        Unmapped(String message) {
            super(message, null, false, false);
        }
    }

    /** What names a request: what its client signed. */
    private record Signed(String identifier, long reqId, Operation operation) {
    }

    private final Pseudonyms pseudonyms;
    /** Every customer value met, to be looked for again in what is written. */
    final LeakCheck leaks = new LeakCheck();
    private final Map<String, Signed> requests = new HashMap<>();
    private final Map<String, PrePrepare> batches = new HashMap<>();
    private final TreeMap<Long, byte[]> ledger = new TreeMap<>();
    private final Map<Long, String> conflicts = new TreeMap<>();
    private int maxView;

    // Built by finish():
    private final MemoryTree originalTree = new MemoryTree();
    private final MemoryTree sanitizedTree = new MemoryTree();
    private final List<byte[]> originalLeaves = new ArrayList<>();
    private final List<byte[]> sanitizedLeaves = new ArrayList<>();
    /** Ledgers of batches never ordered, by size (see {@link #branch}). */
    private final Map<Long, List<Branch>> branches = new HashMap<>();
    private final List<String> originalStateRoots = new ArrayList<>();
    private final List<String> sanitizedStateRoots = new ArrayList<>();
    private final Map<String, Long> sizeOfRoot = new HashMap<>();
    /** Each transaction's place in the ledger (0-based), by its original leaf hash. */
    private final Map<String, Integer> txnHashes = new HashMap<>();
    private final Map<String, String> digests = new HashMap<>();
    private final Map<String, String> batchDigests = new HashMap<>();
    private final Map<String, PrePrepare> sanitizedBatches = new HashMap<>();
    private boolean finished;

    PoolFacts(Pseudonyms pseudonyms) {
        this.pseudonyms = pseudonyms;
    }

    // ------------------------------------------------------------------ learning

    /** A committed transaction (from a store or a catch-up reply). */
    void learnTxn(long seqNo, byte[] leaf) {
        byte[] before = ledger.putIfAbsent(seqNo, leaf);
        if (before != null && !java.util.Arrays.equals(before, leaf)) {
            conflicts.put(seqNo, "two different transactions " + seqNo + " in the recordings");
        }
        Txn txn = decodeTxn(leaf);
        if (txn != null) {
            leaks.add(txn.identifier());
            leaks.addOperation(txn.operation());
            if (txn.result() != null) {
                leaks.add(txn.result().value());
            }
            requests.putIfAbsent(txn.digest(), new Signed(txn.identifier(), txn.reqId(), txn.operation()));
        }
    }

    void learn(Message m) {
        if (m instanceof Request r) {
            learnRequest(r);
        } else if (m instanceof Propagate p) {
            p.requests().forEach(this::learnRequest);
        } else if (m instanceof PrePrepare pp) {
            learnBatch(pp);
        } else if (m instanceof ViewChange vc) {
            maxView = Math.max(maxView, vc.viewNo());
            vc.prepared().forEach(this::learnBatch);
        } else if (m instanceof NewView nv) {
            maxView = Math.max(maxView, nv.viewNo());
            nv.batches().forEach(this::learnBatch);
        } else if (m instanceof io.stackcompanion.node.message.ReqAck a) {
            leaks.add(a.identifier());
        } else if (m instanceof Reply r) {
            leaks.add(r.identifier());
            if (r.result() != null) {
                leaks.add(r.result().value());
            }
        } else if (m instanceof io.stackcompanion.node.message.Reject r) {
            leaks.add(r.identifier());
        } else if (m instanceof io.stackcompanion.node.message.Prepare pr) {
            maxView = Math.max(maxView, pr.viewNo());
        } else if (m instanceof io.stackcompanion.node.message.Commit c) {
            maxView = Math.max(maxView, c.viewNo());
        } else if (m instanceof CatchupRep rep) {
            for (int i = 0; i < rep.txns().size(); i++) {
                learnTxn(rep.from() + i, rep.txns().get(i).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void learnRequest(Request r) {
        leaks.addRequest(r);
        requests.putIfAbsent(Codec.digest(r), new Signed(r.identifier(), r.reqId(), r.operation()));
    }

    private void learnBatch(PrePrepare pp) {
        batches.putIfAbsent(batchDigest(pp), pp);
        maxView = Math.max(maxView, pp.viewNo());
    }

    /** A transaction the pool's ledger may hold at a place no store or catch-up reply covers: a batch's request there. */
    private record Proposed(PrePrepare pp, Signed request, String digest) {
        /** Its transaction, with its result as a node computes it on {@code state}. */
        Txn txn(long seqNo, KeyValues state) {
            Operation op = request.operation();
            return new Txn(seqNo, pp.ppSeqNo(), pp.ppTime(), request.identifier(), request.reqId(), op, digest,
                    Txn.resultOf(op, state::get));
        }
    }

    /**
     * Walks the pool's ledger from its first transaction on, keeping its state, and derives every
     * original and sanitized root and transaction along it. A place no store or catch-up reply holds
     * is filled from the batch that appended it (a PRE-PREPARE and its requests say exactly which
     * requests it ordered; a GET's or CAS's result is computed on the state before it, as the
     * nodes computed it). The sanitized transactions' results are computed again on the sanitized
     * state. The walk stops at the first place it cannot account for.
     */
    void finish() {
        List<PrePrepare> all = new ArrayList<>(batches.values());
        // A new view re-orders the batches prepared before it as the same PRE-PREPAREs in the new
        // view (never sent as such: the nodes PREPARE and COMMIT their digests).
        for (PrePrepare pp : all) {
            for (int view = 0; view <= maxView; view++) {
                if (view != pp.viewNo()) {
                    PrePrepare again = new PrePrepare(view, pp.ppSeqNo(), pp.ppTime(), pp.reqDigests(), pp.ledgerSize(),
                            pp.txnRoot(), pp.stateRoot());
                    batches.putIfAbsent(batchDigest(again), again);
                }
            }
        }
        // Where batches of several views claim the same place, the latest view's is the one ordered.
        all.sort(java.util.Comparator.comparingInt(PrePrepare::viewNo).reversed().thenComparingLong(PrePrepare::ledgerSize));
        Map<Long, Proposed> proposed = new HashMap<>();
        for (PrePrepare pp : all) {
            long first = pp.ledgerSize() - pp.reqDigests().size() + 1;
            for (int i = 0; i < pp.reqDigests().size(); i++) {
                Signed s = requests.get(pp.reqDigests().get(i));
                if (s != null && s.operation() != null) {
                    proposed.putIfAbsent(first + i, new Proposed(pp, s, pp.reqDigests().get(i)));
                }
            }
        }
        KeyValues originalState = new KeyValues();
        KeyValues sanitizedState = new KeyValues();
        originalStateRoots.add(originalState.rootHex());
        sanitizedStateRoots.add(sanitizedState.rootHex());
        sizeOfRoot.put(originalTree.rootHex(0), 0L);
        for (long seqNo = 1; !conflicts.containsKey(seqNo); seqNo++) {
            byte[] leaf = ledger.get(seqNo);
            Txn txn;
            if (leaf != null) {
                txn = decodeTxn(leaf);
                // A recorded result that is not what the state before it gives: not the ledger this walk knows.
                if (txn == null || txn.operation() == null || txn.seqNo() != seqNo
                        || !java.util.Objects.equals(txn.result(), Txn.resultOf(txn.operation(), originalState::get))) {
                    break;
                }
            } else if (proposed.containsKey(seqNo)) {
                txn = proposed.get(seqNo).txn(seqNo, originalState);
                leaf = txn.toJson();
            } else {
                break;
            }
            byte[] sanitized = sanitizeTxn(txn, sanitizedState);
            originalState.apply(txn);
            originalTree.append(leaf);
            sanitizedTree.append(sanitized);
            originalLeaves.add(leaf);
            sanitizedLeaves.add(sanitized);
            txnHashes.put(Hashes.hex(MerkleTree.leafHash(leaf)), (int) seqNo - 1);
            sizeOfRoot.put(originalTree.rootHex(seqNo), seqNo);
            originalStateRoots.add(originalState.rootHex());
            sanitizedStateRoots.add(sanitizedState.rootHex());
        }
        finished = true;
    }

    /** How many transactions of the ledger are known, from the first one on. */
    long ledgerSize() {
        return originalTree.size();
    }

    // ------------------------------------------------------------------ mapping

    byte[] sanitizeTxn(byte[] leaf) throws Unmapped {
        Txn txn = decodeTxn(leaf);
        if (txn == null) {
            throw new Unmapped("a ledger transaction that cannot be decoded");
        }
        return sanitizeTxn(txn);
    }

    private byte[] sanitizeTxn(Txn t) {
        return Codec.toBytes(sanitized(t, pseudonyms.result(t.result())));
    }

    private Txn sanitized(Txn t, Result result) {
        String identifier = pseudonyms.identifier(t.identifier());
        Operation op = pseudonyms.operation(t.operation());
        return new Txn(t.seqNo(), t.ppSeqNo(), t.ppTime(), identifier, t.reqId(), op, digestOf(identifier, t.reqId(), op), result);
    }

    /**
     * The sanitized transaction of {@code t}, its result computed again on {@code sanitizedState}
     * (the sanitized state before it), which it then changes as {@code t} changed the original.
     * Pseudonyms keep equal values equal and distinct ones distinct, so the result is the original's
     * pseudonymised: a CAS that applied still applies, an absent key stays absent.
     */
    private byte[] sanitizeTxn(Txn t, KeyValues sanitizedState) {
        Operation op = pseudonyms.operation(t.operation());
        Txn out = sanitized(t, Txn.resultOf(op, sanitizedState::get));
        if (!java.util.Objects.equals(out.result(), pseudonyms.result(t.result()))) {
            throw new IllegalStateException("invariant broken: transaction " + t.seqNo() + "'s result on the sanitized state is not its"
                    + " original result's pseudonym; nothing written");
        }
        sanitizedState.apply(out);
        return Codec.toBytes(out);
    }

    private static String digestOf(String identifier, long reqId, Operation op) {
        return Codec.digest(new Request(identifier, reqId, op, null));
    }

    /** The sanitized request digest of the original request digest {@code digest}. */
    String digest(String digest) throws Unmapped {
        String known = digests.get(digest);
        if (known != null) {
            return known;
        }
        Signed s = requests.get(digest);
        if (s == null) {
            throw new Unmapped("request digest " + digest + " names no request in the recordings");
        }
        String identifier = pseudonyms.identifier(s.identifier());
        Operation op = pseudonyms.operation(s.operation());
        String sanitized = digestOf(identifier, s.reqId(), op);
        digests.put(digest, sanitized);
        return sanitized;
    }

    /** The sanitized digest of the batch whose PRE-PREPARE has digest {@code digest}. */
    String batchDigest(String digest) throws Unmapped {
        String known = batchDigests.get(digest);
        if (known != null) {
            return known;
        }
        PrePrepare pp = batches.get(digest);
        if (pp == null) {
            throw new Unmapped("batch digest " + digest + " names no PRE-PREPARE in the recordings");
        }
        String sanitized = batchDigest(prePrepare(pp));
        batchDigests.put(digest, sanitized);
        return sanitized;
    }

    /**
     * The sanitized digest of a PRE-PREPARE a VIEW_CHANGE says its node accepted: as {@link #batchDigest(String)},
     * or, for one no recording holds (a node may have accepted a PRE-PREPARE the collected nodes never
     * saw), a keyed pseudonym: such a digest names no batch any VIEW_CHANGE claims prepared (those are
     * all known, in every view), so it counts for none in the NEW_VIEW rule, as the original did.
     */
    String preprepareDigest(String digest) throws Unmapped {
        if (batchDigests.containsKey(digest) || batches.containsKey(digest)) {
            return batchDigest(digest);
        }
        return pseudonyms.text("batchDigest", digest);
    }

    static String batchDigest(PrePrepare pp) {
        return Hashes.sha256Hex(Codec.encode(pp));
    }

    PrePrepare prePrepare(PrePrepare pp) throws Unmapped {
        String d = batchDigest(pp);
        PrePrepare known = sanitizedBatches.get(d);
        if (known != null) {
            return known;
        }
        List<String> reqDigests = new ArrayList<>(pp.reqDigests().size());
        for (String r : pp.reqDigests()) {
            reqDigests.add(digest(r));
        }
        String txnRoot;
        String stateRoot;
        try {
            txnRoot = ledgerRoot(pp.txnRoot(), pp.ledgerSize());
            stateRoot = stateRoot(pp.stateRoot(), pp.ledgerSize());
        } catch (Unmapped notOnTheLedger) {
            Branch b = branch(pp);
            if (b == null) {
                throw notOnTheLedger;
            }
            txnRoot = Hashes.hex(MerkleTree.rootOf(b.sanitized));
            stateRoot = KeyValues.after(b.sanitized).rootHex();
        }
        PrePrepare out = new PrePrepare(pp.viewNo(), pp.ppSeqNo(), pp.ppTime(), reqDigests, pp.ledgerSize(), txnRoot, stateRoot);
        sanitizedBatches.put(d, out);
        return out;
    }

    /** A ledger no node committed: a batch proposed and never ordered (a view change dropped it), on its base. */
    private record Branch(List<byte[]> original, List<byte[]> sanitized) {
    }

    /**
     * The ledger a PRE-PREPARE that is not on the pool's ledger proposes: its transactions (from its
     * requests) on the pool's ledger before it, or on another such branch, whichever gives both its
     * announced roots; null when none does. Rare, so computed whole.
     */
    private Branch branch(PrePrepare pp) {
        long base = pp.ledgerSize() - pp.reqDigests().size();
        if (base < 0 || base > originalTree.size()) {
            return null;
        }
        List<Proposed> added = new ArrayList<>();
        for (String digest : pp.reqDigests()) {
            Signed s = requests.get(digest);
            if (s == null || s.operation() == null) {
                return null;
            }
            added.add(new Proposed(pp, s, digest));
        }
        List<Branch> bases = new ArrayList<>();
        bases.add(new Branch(originalLeaves.subList(0, (int) base), sanitizedLeaves.subList(0, (int) base)));
        bases.addAll(branches.getOrDefault(base, List.of()));
        for (Branch b : bases) {
            // A GET's or CAS's result depends on the state the batch was proposed on: each base gives its own.
            KeyValues state = KeyValues.after(b.original);
            List<Txn> txns = new ArrayList<>();
            List<byte[]> original = new ArrayList<>(b.original);
            for (int i = 0; i < added.size(); i++) {
                Txn txn = added.get(i).txn(base + i + 1, state);
                state.apply(txn);
                txns.add(txn);
                original.add(txn.toJson());
            }
            if (Hashes.hex(MerkleTree.rootOf(original)).equals(pp.txnRoot()) && state.rootHex().equals(pp.stateRoot())) {
                KeyValues sanitizedState = KeyValues.after(b.sanitized);
                List<byte[]> sanitized = new ArrayList<>(b.sanitized);
                for (Txn txn : txns) {
                    sanitized.add(sanitizeTxn(txn, sanitizedState));
                }
                Branch branch = new Branch(original, sanitized);
                branches.computeIfAbsent(pp.ledgerSize(), k -> new ArrayList<>()).add(branch);
                return branch;
            }
        }
        return null;
    }

    /**
     * A node store's state as the sanitizer follows it: each key's value and the root {@link State}
     * computes over them (an additive multiset hash, so it is kept as it goes).
     */
    private static final class KeyValues {
        private final Map<String, String> values = new HashMap<>();
        private final byte[] root = new byte[32];

        /** The state of a node store holding exactly {@code leaves}. */
        static KeyValues after(List<byte[]> leaves) {
            KeyValues s = new KeyValues();
            leaves.forEach(leaf -> s.apply(decodeTxn(leaf)));
            return s;
        }

        String get(String key) {
            return values.get(key);
        }

        /** Makes {@code txn}'s write, if it makes one (a PUT, a CAS that applied). */
        void apply(Txn txn) {
            if (!txn.changesState()) {
                return;
            }
            Operation op = txn.operation();
            String old = values.put(op.key(), op.value());
            if (old != null) {
                State.subtract(root, entryHash(op.key(), old));
            }
            State.add(root, entryHash(op.key(), op.value()));
        }

        String rootHex() {
            return Hashes.hex(root);
        }
    }

    /** The sanitized root of the ledger of {@code size} whose original root is {@code root}. */
    String ledgerRoot(String root, long size) throws Unmapped {
        requireFinished();
        if (size < 0 || size > originalTree.size()) {
            throw new Unmapped("ledger root " + root + " of size " + size + ": the recordings hold the pool's ledger only up to "
                    + originalTree.size());
        }
        Long known = sizeOfRoot.get(root);
        if (known == null || known != size) {
            throw new Unmapped("ledger root " + root + " of size " + size + " is not the root of the pool's ledger at that size");
        }
        return sanitizedTree.rootHex(size);
    }

    /** The sanitized state root after {@code size} transactions, whose original is {@code root}. */
    String stateRoot(String root, long size) throws Unmapped {
        if (size < 0 || size >= originalStateRoots.size() || !originalStateRoots.get((int) size).equals(root)) {
            throw new Unmapped("state root " + root + " after " + size + " transactions is not the pool's state at that size");
        }
        return sanitizedStateRoots.get((int) size);
    }

    /**
     * The sanitized REPLY: the txn hash and the result (a GET's value, whether a CAS applied) of the
     * sanitized transaction it names. A reply that is not its transaction's (client, place, result) is refused.
     */
    Reply reply(Reply r) throws Unmapped {
        Integer index = txnHashes.get(r.txnHash());
        if (index == null) {
            throw new Unmapped("txn hash " + r.txnHash() + " is the hash of no transaction of the pool's ledger");
        }
        Txn original = decodeTxn(originalLeaves.get(index));
        if (!java.util.Objects.equals(original.identifier(), r.identifier()) || original.reqId() != r.reqId() || original.seqNo() != r.seqNo()
                || !java.util.Objects.equals(original.result(), r.result())) {
            throw new Unmapped("a REPLY naming transaction " + original.seqNo() + " whose client, request, place or result is not"
                    + " that transaction's");
        }
        byte[] sanitized = sanitizedLeaves.get(index);
        Txn txn = decodeTxn(sanitized);
        return new Reply(txn.identifier(), r.reqId(), r.seqNo(), Hashes.hex(MerkleTree.leafHash(sanitized)), txn.result());
    }

    /** The sanitized consistency proof from {@code oldSize} to {@code newSize}, checked against the original one. */
    List<String> consistencyProof(long oldSize, long newSize, List<String> original) throws Unmapped {
        if (original.isEmpty() && (oldSize <= 0 || oldSize >= newSize)) {
            return original;
        }
        if (oldSize < 0 || oldSize > newSize || newSize > originalTree.size()) {
            throw new Unmapped("a consistency proof from size " + oldSize + " to " + newSize + ": the recordings hold the pool's ledger"
                    + " only up to " + originalTree.size());
        }
        if (!originalTree.consistencyProofHex(oldSize, newSize).equals(original)) {
            throw new Unmapped("a consistency proof from size " + oldSize + " to " + newSize + " that is not the pool ledger's");
        }
        return sanitizedTree.consistencyProofHex(oldSize, newSize);
    }

    private void requireFinished() {
        if (!finished) {
            throw new IllegalStateException("the pool's facts are used before they were all learned");
        }
    }

    static Txn decodeTxn(byte[] leaf) {
        try {
            return Codec.mapper().readValue(leaf, Txn.class);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** An entry's share of the state root, as the store computes it ({@link State}). */
    private static byte[] entryHash(String key, String value) {
        return State.entryHash(Hashes.sha256(), key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }
}
