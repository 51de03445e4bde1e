package io.stackcompanion.node.sanitize;

import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.message.BatchId;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.store.NodeStore;
import io.stackcompanion.node.store.State;
import io.stackcompanion.node.store.StoreBatch;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The node stores beside a recording (the initial state, the restart states): read as they are
 * (read-only, every column family), and written afresh as a new node store holding the sanitized
 * ledger (with its Merkle hashes and root), state (with its root), request index and the core's
 * small meta values. Nothing of the original's files is copied.
 */
final class StoreSanitizer {
    /** The core's meta values; none holds customer data. Any other name is refused, not copied blindly. */
    private static final Set<String> KNOWN_META = Set.of("lastOrdered", "viewNo", "stableCheckpoint", "proposed");
    /** The core's prepared certificates (Execution.PREPARED_PREFIX): PRE-PREPAREs, sanitized like the messages. */
    static final String PREPARED_PREFIX = "prepared/";
    /** The core's accepted PRE-PREPAREs (Execution.PRE_PREPARED_PREFIX): batch ids, their digests sanitized. */
    static final String PRE_PREPARED_PREFIX = "pre-prepared/";
    private static final Set<String> STORE_META = Set.of("store.format", "store.stateRoot");
    private static final Set<String> FAMILIES = Set.of("default", "ledger", "merkle", "state", "seqno", "meta");

    static {
        RocksDB.loadLibrary();
    }

    /** What a node store holds, by column family, keys in order. */
    record Content(TreeMap<Long, byte[]> ledger, List<byte[][]> state, List<byte[][]> seqNos, Map<String, byte[]> meta) {
    }

    private StoreSanitizer() {
    }

    static Content read(Path dir) {
        List<byte[]> names;
        try (Options options = new Options()) {
            names = RocksDB.listColumnFamilies(options, dir.toString());
        } catch (RocksDBException e) {
            throw new SanitizeException("cannot read the node store " + dir + ": " + e.getMessage(), e);
        }
        for (byte[] name : names) {
            if (!FAMILIES.contains(new String(name, StandardCharsets.UTF_8))) {
                throw new SanitizeException("the node store " + dir + " has a column family '" + new String(name, StandardCharsets.UTF_8)
                        + "' this version does not know; it cannot be sanitized (nothing written)");
            }
        }
        List<ColumnFamilyDescriptor> descriptors = names.stream().map(ColumnFamilyDescriptor::new).toList();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        TreeMap<Long, byte[]> ledger = new TreeMap<>();
        List<byte[][]> state = new ArrayList<>();
        List<byte[][]> seqNos = new ArrayList<>();
        Map<String, byte[]> meta = new LinkedHashMap<>();
        try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.openReadOnly(options, dir.toString(), descriptors, handles);
             ReadOptions read = new ReadOptions().setVerifyChecksums(true)) {
            for (int i = 0; i < handles.size(); i++) {
                String family = new String(names.get(i), StandardCharsets.UTF_8);
                try (RocksIterator it = db.newIterator(handles.get(i), read)) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        byte[] key = it.key();
                        byte[] value = it.value();
                        switch (family) {
                            case "ledger" -> ledger.put(ByteBuffer.wrap(key).getLong(), value);
                            case "state" -> state.add(new byte[][] {key, value});
                            case "seqno" -> seqNos.add(new byte[][] {key, value});
                            case "meta" -> meta.put(new String(key, StandardCharsets.UTF_8), value);
                            case "merkle" -> { } // derived from the ledger: written afresh
                            default -> throw new SanitizeException("the node store " + dir + " holds a value in its '" + family
                                    + "' column family, where a node store keeps none; it cannot be sanitized (nothing written)");
                        }
                    }
                    it.status();
                }
            }
        } catch (RocksDBException e) {
            throw new SanitizeException("cannot read the node store " + dir + ": " + e.getMessage(), e);
        } finally {
            handles.forEach(ColumnFamilyHandle::close);
        }
        for (String name : meta.keySet()) {
            if (!KNOWN_META.contains(name) && !STORE_META.contains(name) && !name.startsWith(PREPARED_PREFIX)
                    && !name.startsWith(PRE_PREPARED_PREFIX)) {
                throw new SanitizeException("the node store " + dir + " holds a meta value '" + name
                        + "' this version does not know; it cannot be sanitized (nothing written)");
            }
        }
        return new Content(ledger, state, seqNos, meta);
    }

    /** Writes the sanitized {@code c} as a new node store in {@code target} (which must not exist). */
    static void write(Content c, Path target, PoolFacts facts, Pseudonyms p, String what) {
        List<byte[]> txns = new ArrayList<>();
        long expected = 1;
        for (Map.Entry<Long, byte[]> e : c.ledger().entrySet()) {
            if (e.getKey() != expected++) {
                throw new SanitizeException(what + ": its ledger lacks transaction " + (expected - 1) + "; it cannot be sanitized");
            }
            try {
                txns.add(facts.sanitizeTxn(e.getValue()));
            } catch (PoolFacts.Unmapped u) {
                throw new SanitizeException(what + ": transaction " + e.getKey() + ": " + u.getMessage() + "; nothing written");
            }
        }
        List<State.Write> writes = new ArrayList<>();
        for (byte[][] kv : c.state()) {
            String key = new String(kv[0], StandardCharsets.UTF_8);
            String value = new String(kv[1], StandardCharsets.UTF_8);
            writes.add(State.Write.put(p.text(Pseudonyms.KEY, key), p.text(Pseudonyms.VALUE, value)));
        }
        try (NodeStore store = NodeStore.open(target)) {
            try (StoreBatch batch = store.newBatch()) {
                if (!txns.isEmpty()) {
                    store.ledger().appendCommitted(txns, batch);
                }
                if (!writes.isEmpty()) {
                    store.state().applyCommitted(writes, batch);
                }
                for (byte[][] kv : c.seqNos()) {
                    String requestKey = new String(kv[0], StandardCharsets.UTF_8);
                    int colon = requestKey.lastIndexOf(':');
                    if (colon < 0) {
                        throw new SanitizeException(what + ": a request index key that is not client:reqId; it cannot be sanitized");
                    }
                    byte[] key = (p.identifier(requestKey.substring(0, colon)) + requestKey.substring(colon)).getBytes(StandardCharsets.UTF_8);
                    store.putSeqNo(key, ByteBuffer.wrap(kv[1]).getLong(), batch);
                }
                for (Map.Entry<String, byte[]> m : c.meta().entrySet()) {
                    if (KNOWN_META.contains(m.getKey())) {
                        store.putMeta(m.getKey(), m.getValue(), batch);
                    } else if (m.getKey().startsWith(PREPARED_PREFIX)) {
                        try {
                            store.putMeta(m.getKey(), Codec.encode(facts.prePrepare(prepared(m.getValue(), what))), batch);
                        } catch (PoolFacts.Unmapped u) {
                            throw new SanitizeException(what + ": its prepared certificate " + m.getKey() + ": "
                                    + u.getMessage() + "; nothing written");
                        }
                    } else if (m.getKey().startsWith(PRE_PREPARED_PREFIX)) {
                        try {
                            List<BatchId> ids = new ArrayList<>();
                            for (BatchId id : Codec.mapper().readValue(m.getValue(), BatchId[].class)) {
                                ids.add(new BatchId(id.viewNo(), id.ppSeqNo(), facts.preprepareDigest(id.digest())));
                            }
                            store.putMeta(m.getKey(), Codec.toBytes(ids), batch);
                        } catch (PoolFacts.Unmapped | java.io.IOException u) {
                            throw new SanitizeException(what + ": its pre-prepared batches " + m.getKey() + ": "
                                    + u.getMessage() + "; nothing written");
                        }
                    }
                }
                store.write(batch);
            }
        }
        removeLogs(target);
    }

    /** The PRE-PREPARE of a prepared certificate kept in a store's meta values. */
    static PrePrepare prepared(byte[] value, String what) {
        try {
            if (Codec.decode(value) instanceof PrePrepare pp) {
                return pp;
            }
        } catch (MalformedMessageException e) {
            // reported below
        }
        throw new SanitizeException(what + ": a prepared certificate in its store is not a PRE-PREPARE; it cannot be sanitized");
    }

    /** Refuses (a bug) a sanitized store in which a customer value is still found. */
    static void requireNoLeak(Path dir, LeakCheck leaks, String what) {
        Content c = read(dir);
        List<byte[][]> rows = new ArrayList<>(c.state());
        rows.addAll(c.seqNos());
        c.ledger().forEach((seqNo, txn) -> rows.add(new byte[][] {new byte[0], txn}));
        c.meta().forEach((name, value) -> rows.add(new byte[][] {name.getBytes(StandardCharsets.UTF_8), value}));
        for (byte[][] row : rows) {
            if (leaks.findInStore(row[0], row[1]) != null) {
                throw new IllegalStateException(what + ": the sanitized store would still hold a customer value; nothing written");
            }
        }
    }

    /** Removes RocksDB's info log and lock from {@code dir}: of no use to a replay, and they name the machine's paths. */
    static void removeLogs(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.equals("LOCK") || name.equals("LOG") || name.startsWith("LOG.old")) {
                    FileTrees.delete(f);
                }
            }
        } catch (IOException e) {
            throw new SanitizeException("cannot tidy the sanitized store " + dir + ": " + e.getMessage(), e);
        }
    }
}
