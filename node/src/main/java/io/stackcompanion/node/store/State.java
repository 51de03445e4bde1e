package io.stackcompanion.node.store;

import io.stackcompanion.node.crypto.Hashes;
import org.rocksdb.RocksIterator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The key-value state, with a root hash that every node applying the same writes computes
 * identically.
 *
 * <p><b>Root:</b> an AdHash-style multiset hash, {@code root = Σ SHA-256(len(k) || k || len(v) || v)
 * mod 2^256} over all entries (lengths as 4-byte big-endian ints, so the encoding is unambiguous);
 * the empty state's root is 32 zero bytes. A write subtracts the old entry's hash and adds the new
 * one, so each write costs O(1) hashes at thousands of writes per second, and the root depends only
 * on the final key-values, not on write order. It is a commitment good for detecting divergence
 * between honest nodes, not a proof system: it gives no membership proofs, and a deliberate
 * adversary could search for colliding multisets. The committed root is persisted with every
 * commit, so a restart needs no scan; {@link #recomputeRoot()} does the full scan as a check.
 *
 * <p>Like {@link Ledger}, writes first go to an uncommitted overlay, one unit per
 * {@link #applyUncommitted} call (one 3PC batch); {@link #get} sees them, latest first;
 * {@link #commitOldest} moves the oldest unit into a {@link StoreBatch}. Not thread-safe.
 */
public final class State {

    /** A key-value write; a null value deletes the key. */
    public record Write(byte[] key, byte[] value) {
        public Write {
            key = key.clone();
            value = value == null ? null : value.clone();
        }

        /** Sets {@code key} to {@code value}. */
        public static Write put(byte[] key, byte[] value) {
            return new Write(key, value);
        }

        /** Sets {@code key} to {@code value}, both UTF-8. */
        public static Write put(String key, String value) {
            return new Write(utf8(key), utf8(value));
        }

        /** Removes {@code key}. */
        public static Write delete(byte[] key) {
            return new Write(key, null);
        }

        /** Removes {@code key} (UTF-8). */
        public static Write delete(String key) {
            return new Write(utf8(key), null);
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public byte[] value() {
            return value == null ? null : value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Write other && Arrays.equals(key, other.key) && Arrays.equals(value, other.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key) * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Write[" + Hashes.hex(key) + " -> " + (value == null ? "deleted" : Hashes.hex(value)) + "]";
        }
    }

    /** One applyUncommitted call: the last write per key (sorted, for a deterministic batch) and the root after. */
    private record Unit(TreeMap<byte[], byte[]> latest, byte[] rootAfter) {
    }

    private static final int HASH_SIZE = 32;
    private static final byte[] EMPTY_ROOT = new byte[HASH_SIZE];
    // Stands for "deleted in this unit" inside overlay maps, which cannot hold null meaningfully.
    private static final byte[] DELETED = new byte[0];

    private final NodeStore store;
    private final MessageDigest sha256 = Hashes.sha256();
    private byte[] committedRoot = EMPTY_ROOT.clone();
    private final UncommittedLayer<Unit> uncommitted =
            new UncommittedLayer<>("state units", u -> committedRoot = u.rootAfter().clone());

    State(NodeStore store) {
        this.store = store;
    }

    void load() {
        byte[] root = store.getMeta(NodeStore.STATE_ROOT_META);
        committedRoot = root == null ? EMPTY_ROOT.clone() : root;
    }

    /** The root of the committed state. */
    public byte[] root() {
        return committedRoot.clone();
    }

    /** The root including uncommitted writes. */
    public byte[] uncommittedRoot() {
        return uncommitted.isEmpty() ? root() : uncommitted.last().rootAfter().clone();
    }

    /** Number of uncommitted units (applyUncommitted calls not yet committed or discarded). */
    public int uncommittedCount() {
        return uncommitted.all().size();
    }

    /** The value of {@code key} including uncommitted writes (latest wins), or null. */
    public byte[] get(byte[] key) {
        List<Unit> units = uncommitted.all();
        for (int i = units.size() - 1; i >= 0; i--) {
            byte[] value = units.get(i).latest().get(key);
            if (value != null) {
                return value == DELETED ? null : value.clone();
            }
        }
        return getCommitted(key);
    }

    /** The UTF-8 value of UTF-8 {@code key} including uncommitted writes, or null. */
    public String get(String key) {
        byte[] value = get(utf8(key));
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** The committed value of {@code key}, or null. */
    public byte[] getCommitted(byte[] key) {
        return store.get(store.stateCf(), key);
    }

    /**
     * Applies {@code writes}, in order, on top of the committed state and earlier uncommitted
     * units, as one new uncommitted unit.
     *
     * @return the root after them
     */
    public Root applyUncommitted(List<Write> writes) {
        TreeMap<byte[], byte[]> latest = new TreeMap<>(Arrays::compareUnsigned);
        byte[] root = uncommittedRoot();
        for (Write w : writes) {
            byte[] key = w.key;
            byte[] old = latest.containsKey(key) ? latest.get(key) : get(key);
            if (old != null && old != DELETED) {
                subtract(root, entryHash(key, old));
            }
            if (w.value != null) {
                add(root, entryHash(key, w.value));
            }
            latest.put(key, w.value == null ? DELETED : w.value);
        }
        uncommitted.add(new Unit(latest, root));
        return new Root(root);
    }

    /**
     * Puts the oldest uncommitted unit into {@code batch} (with the new root); it becomes committed
     * when the batch is written. Calls for the same batch take consecutive units.
     */
    public void commitOldest(StoreBatch batch) {
        store.checkBatch(batch);
        if (uncommitted.unreserved() == 0) {
            throw new IllegalStateException("no uncommitted state writes left to commit");
        }
        Unit unit = uncommitted.reserve(1, batch).get(0);
        for (Map.Entry<byte[], byte[]> e : unit.latest().entrySet()) {
            if (e.getValue() == DELETED) {
                batch.delete(store.stateCf(), e.getKey());
            } else {
                batch.put(store.stateCf(), e.getKey(), e.getValue());
            }
        }
        store.putMetaInternal(NodeStore.STATE_ROOT_META, unit.rootAfter(), batch);
    }

    /**
     * Applies already-agreed writes (catch-up) straight into {@code batch}. Needs no uncommitted
     * units; if the batch is abandoned, they are dropped again.
     */
    public Root applyCommitted(List<Write> writes, StoreBatch batch) {
        store.checkBatch(batch);
        uncommitted.checkEmpty("apply committed writes");
        Root root = applyUncommitted(writes);
        commitOldest(batch);
        batch.onAbandoned(this::discardUncommitted);
        return root;
    }

    /** Drops all uncommitted units (view change); not allowed while a commit is unwritten. */
    public void discardUncommitted() {
        uncommitted.discard();
    }

    /** The committed root recomputed by scanning every committed entry (a consistency check). */
    public byte[] recomputeRoot() {
        byte[] root = EMPTY_ROOT.clone();
        try (RocksIterator it = store.db().newIterator(store.stateCf())) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                add(root, entryHash(it.key(), it.value()));
            }
        }
        return root;
    }

    private byte[] entryHash(byte[] key, byte[] value) {
        return entryHash(sha256, key, value);
    }

    /** What one entry adds to the root: SHA-256(len(k) || k || len(v) || v), using (and resetting) {@code sha256}. */
    public static byte[] entryHash(MessageDigest sha256, byte[] key, byte[] value) {
        sha256.update(intBytes(key.length));
        sha256.update(key);
        sha256.update(intBytes(value.length));
        return sha256.digest(value);
    }

    private static byte[] intBytes(int n) {
        return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    /** acc += h mod 2^256, both big-endian: how an entry joins the root. */
    public static void add(byte[] acc, byte[] h) {
        int carry = 0;
        for (int i = HASH_SIZE - 1; i >= 0; i--) {
            int sum = (acc[i] & 0xff) + (h[i] & 0xff) + carry;
            acc[i] = (byte) sum;
            carry = sum >>> 8;
        }
    }

    /** acc -= h mod 2^256, both big-endian: how an entry leaves the root. */
    public static void subtract(byte[] acc, byte[] h) {
        int borrow = 0;
        for (int i = HASH_SIZE - 1; i >= 0; i--) {
            int diff = (acc[i] & 0xff) - (h[i] & 0xff) - borrow;
            acc[i] = (byte) diff;
            borrow = diff < 0 ? 1 : 0;
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
