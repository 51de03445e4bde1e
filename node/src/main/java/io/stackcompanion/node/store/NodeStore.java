package io.stackcompanion.node.store;

import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The node's persistent store: ONE RocksDB (at {@code data/<node>/db/}) holding the ledger, its
 * Merkle subtree hashes, the key-value state, the request-to-seqNo index and small meta values.
 *
 * <p>Everything one ordered batch changes is written with one {@link StoreBatch} through
 * {@link #write}, a single RocksDB WriteBatch with the WAL on, so a killed process (even SIGKILL)
 * never leaves ledger, state and meta disagreeing. Writes are not fsync'ed: an OS crash or power
 * loss may drop the last batches (atomically), which catch-up recovers.
 *
 * <p>Not thread-safe: the consensus core owns it and calls it from its one thread. This object owns
 * every RocksDB object it opens and closes them all in {@link #close}.
 */
public final class NodeStore implements AutoCloseable {

    /** The store's folder inside a node's data folder ({@code data/<node>/db}). */
    public static final String FOLDER = "db";

    static final String FORMAT_META = "store.format";
    static final String STATE_ROOT_META = "store.stateRoot";
    private static final String FORMAT = "stack-companion-node-store/1";
    private static final List<String> FAMILIES = List.of("ledger", "merkle", "state", "seqno", "meta");

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final WriteOptions writeOptions;
    private final List<ColumnFamilyHandle> handles;
    private final RocksDB db;
    private final ColumnFamilyHandle ledgerCf;
    private final ColumnFamilyHandle merkleCf;
    private final ColumnFamilyHandle stateCf;
    private final ColumnFamilyHandle seqNoCf;
    private final ColumnFamilyHandle metaCf;
    private final Ledger ledger;
    private final State state;
    private boolean closed;

    private NodeStore(Path dir, DBOptions dbOptions, ColumnFamilyOptions cfOptions,
                      List<ColumnFamilyHandle> handles, RocksDB db) {
        this.dir = dir;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.handles = handles;
        this.db = db;
        this.writeOptions = new WriteOptions().setDisableWAL(false).setSync(false);
        this.ledgerCf = handles.get(1);
        this.merkleCf = handles.get(2);
        this.stateCf = handles.get(3);
        this.seqNoCf = handles.get(4);
        this.metaCf = handles.get(5);
        this.ledger = new Ledger(this);
        this.state = new State(this);
    }

    /**
     * How a store's RocksDB is sized. The data and its durability are the same either way (the WAL
     * on, not fsync'ed); only the memory and the files RocksDB sets aside differ.
     */
    public enum Footprint {
        /** RocksDB's defaults: 64 MiB write buffers, WAL and MANIFEST files preallocated. A node's. */
        NODE,
        /**
         * For the many small, short-lived stores of a simulation (four per seed, reopened at each
         * restart): 1 MiB write buffers, nothing preallocated, a LOG of warnings only. Opening one
         * costs a fraction of {@link #NODE}'s, most of which is preallocating files.
         */
        SMALL
    }

    /** Opens the store of the node whose data folder is {@code nodeDataDir} ({@code data/<node>}). */
    public static NodeStore openNode(Path nodeDataDir) {
        return open(nodeDataDir.resolve(FOLDER));
    }

    /** {@link #openNode(Path)} with the given {@link Footprint}. */
    public static NodeStore openNode(Path nodeDataDir, Footprint footprint) {
        return open(nodeDataDir.resolve(FOLDER), footprint);
    }

    /**
     * Opens the store in {@code dir}, creating it if the folder is missing or empty.
     *
     * @throws StoreException if {@code dir} holds something that is not a node store, is corrupted
     *                        or is in use by another process
     */
    public static NodeStore open(Path dir) {
        return open(dir, Footprint.NODE);
    }

    /** {@link #open(Path)} with the given {@link Footprint}. */
    public static NodeStore open(Path dir, Footprint footprint) {
        boolean fresh = isMissingOrEmpty(dir);
        if (!fresh) {
            checkLooksLikeNodeStore(dir);
        } else {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new StoreException("cannot create the node store folder " + dir + ": " + e.getMessage()
                        + "; check the path and its permissions", e);
            }
        }
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(fresh).setCreateMissingColumnFamilies(fresh);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        if (footprint == Footprint.SMALL) {
            dbOptions.setAllowFAllocate(false).setManifestPreallocationSize(64 << 10)
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL).setKeepLogFileNum(1).setStatsDumpPeriodSec(0)
                    .setStatsPersistPeriodSec(0);
            cfOptions.setWriteBufferSize(1 << 20);
        }
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        for (String family : FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(bytes(family), cfOptions));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db;
        try {
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            cfOptions.close();
            dbOptions.close();
            throw new StoreException(openFailure(dir, e), e);
        }
        NodeStore store = null;
        try {
            if (fresh) {
                db.put(handles.get(5), bytes(FORMAT_META), bytes(FORMAT));
            }
            store = new NodeStore(dir, dbOptions, cfOptions, handles, db);
            store.checkFormat();
            store.ledger.load();
            store.state.load();
            return store;
        } catch (RuntimeException | RocksDBException e) {
            if (store != null) {
                store.close();
            } else {
                handles.forEach(ColumnFamilyHandle::close);
                db.close();
                cfOptions.close();
                dbOptions.close();
            }
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("cannot open the node store " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The append-only transaction log. */
    public Ledger ledger() {
        return ledger;
    }

    /** The key-value state. */
    public State state() {
        return state;
    }

    /** The folder this store lives in. */
    public Path dir() {
        return dir;
    }

    /** A new empty batch for {@link #write}; write it or close it. */
    public StoreBatch newBatch() {
        checkOpen();
        return new StoreBatch(this);
    }

    /**
     * Writes {@code batch} atomically (WAL on), then advances the in-memory committed views of the
     * ledger and state. Consumes the batch.
     *
     * @throws StoreException if the write failed: nothing of the batch is applied; stop the node
     */
    public void write(StoreBatch batch) {
        checkOpen();
        if (batch.store() != this) {
            throw new IllegalArgumentException("this batch belongs to another store");
        }
        try {
            db.write(writeOptions, batch.writeBatch());
        } catch (RocksDBException e) {
            batch.close();
            throw new StoreException("writing to the node store " + dir + " failed: " + e.getMessage()
                    + "; stop the node and check the disk", e);
        }
        batch.markWritten();
    }

    /** A small named value, or null if never written (committed values only). */
    public byte[] getMeta(String name) {
        return get(metaCf, bytes(name));
    }

    /**
     * Puts a small named value into {@code batch}. Names starting with {@code store.} are reserved
     * for the store itself.
     */
    public void putMeta(String name, byte[] value, StoreBatch batch) {
        if (name.startsWith("store.")) {
            throw new IllegalArgumentException("meta names starting with 'store.' are reserved: " + name);
        }
        putMetaInternal(name, value, batch);
    }

    void putMetaInternal(String name, byte[] value, StoreBatch batch) {
        checkBatch(batch);
        batch.put(metaCf, bytes(name), value);
    }

    /**
     * The named values whose names start with {@code prefix}, by name (committed values only): how
     * the core keeps a family of small records, e.g. one per pp_seq_no.
     */
    public SortedMap<String, byte[]> metaStartingWith(String prefix) {
        checkOpen();
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (var it = db.newIterator(metaCf)) {
            for (it.seek(bytes(prefix)); it.isValid(); it.next()) {
                String name = new String(it.key(), StandardCharsets.UTF_8);
                if (!name.startsWith(prefix)) {
                    break;
                }
                out.put(name, it.value());
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StoreException("reading the node store " + dir + " failed: " + e.getMessage(), e);
        }
        return out;
    }

    /** Deletes a named value in {@code batch} (nothing if it does not exist). */
    public void deleteMeta(String name, StoreBatch batch) {
        if (name.startsWith("store.")) {
            throw new IllegalArgumentException("meta names starting with 'store.' are reserved: " + name);
        }
        checkBatch(batch);
        batch.delete(metaCf, bytes(name));
    }

    /** The ledger seqNo recorded for a request key (the core's encoding of client and reqId). */
    public OptionalLong seqNoOf(byte[] requestKey) {
        byte[] value = get(seqNoCf, requestKey);
        return value == null ? OptionalLong.empty() : OptionalLong.of(ByteBuffer.wrap(value).getLong());
    }

    /** Records, in {@code batch}, that the request {@code requestKey} was ordered at {@code seqNo}. */
    public void putSeqNo(byte[] requestKey, long seqNo, StoreBatch batch) {
        checkBatch(batch);
        batch.put(seqNoCf, requestKey.clone(), longKey(seqNo));
    }

    /**
     * Takes a RocksDB checkpoint (a consistent copy made of hard links where possible) into
     * {@code target}, which must not exist yet (its parent folders are created). Only committed
     * data is in it: {@code NodeStore.open(target)} sees the ledger and state as of now.
     */
    public void checkpoint(Path target) {
        checkOpen();
        if (Files.exists(target)) {
            throw new StoreException("cannot take a checkpoint into " + target
                    + ": it already exists; choose a new folder");
        }
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException | IOException e) {
            throw new StoreException("cannot take a checkpoint of " + dir + " into " + target + ": "
                    + e.getMessage(), e);
        }
    }

    /** Closes every RocksDB object this store opened; later calls do nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writeOptions.close();
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        cfOptions.close();
        dbOptions.close();
    }

    // ---- package-private access for Ledger and State ----

    RocksDB db() {
        checkOpen();
        return db;
    }

    ColumnFamilyHandle ledgerCf() {
        return ledgerCf;
    }

    ColumnFamilyHandle merkleCf() {
        return merkleCf;
    }

    ColumnFamilyHandle stateCf() {
        return stateCf;
    }

    byte[] get(ColumnFamilyHandle cf, byte[] key) {
        checkOpen();
        try {
            return db.get(cf, key);
        } catch (RocksDBException e) {
            throw new StoreException("reading the node store " + dir + " failed: " + e.getMessage(), e);
        }
    }

    void checkBatch(StoreBatch batch) {
        checkOpen();
        if (batch.store() != this) {
            throw new IllegalArgumentException("this batch belongs to another store");
        }
        if (batch.isDone()) {
            throw new IllegalStateException("this store batch was already written or closed");
        }
    }

    static byte[] longKey(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the node store " + dir + " is closed");
        }
    }

    private void checkFormat() throws RocksDBException {
        byte[] format = getMeta(FORMAT_META);
        if (format == null && isEmpty()) {
            // Killed between creating the column families and writing the format marker.
            db.put(metaCf, bytes(FORMAT_META), bytes(FORMAT));
            format = bytes(FORMAT);
        }
        if (format == null || !Arrays.equals(format, bytes(FORMAT))) {
            throw new StoreException(dir + " is a RocksDB database but not a node store (format "
                    + (format == null ? "missing" : new String(format, StandardCharsets.UTF_8))
                    + "); point the node at its own data/<node>/db folder");
        }
    }

    private boolean isEmpty() {
        for (ColumnFamilyHandle cf : handles) {
            try (var it = db.newIterator(cf)) {
                it.seekToFirst();
                if (it.isValid()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isMissingOrEmpty(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            throw new StoreException(dir + " is a file, not a node store folder; remove it or choose another path");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new StoreException("cannot read the folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void checkLooksLikeNodeStore(Path dir) {
        if (!Files.isRegularFile(dir.resolve("CURRENT"))) {
            throw new StoreException(dir + " is not a node store (it is not a RocksDB database);"
                    + " point the node at its data/<node>/db folder or at an empty one");
        }
        List<byte[]> found;
        try (Options options = new Options()) {
            found = RocksDB.listColumnFamilies(options, dir.toString());
        } catch (RocksDBException e) {
            throw new StoreException(openFailure(dir, e), e);
        }
        TreeSet<String> names = new TreeSet<>();
        for (byte[] name : found) {
            names.add(new String(name, StandardCharsets.UTF_8));
        }
        TreeSet<String> expected = new TreeSet<>(FAMILIES);
        expected.add("default");
        if (!names.equals(expected)) {
            throw new StoreException(dir + " is a RocksDB database but not a node store (column families "
                    + names + ", expected " + expected + "); point the node at its data/<node>/db folder");
        }
    }

    private static String openFailure(Path dir, RocksDBException e) {
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        if (message.toLowerCase().contains("lock")) {
            return "the node store " + dir + " is in use by another process (" + message
                    + "); stop the other node first";
        }
        return "cannot open the node store " + dir + ": it is corrupted or unreadable (" + message
                + "); restore it from a copy or remove it and let the node catch up";
    }
}
