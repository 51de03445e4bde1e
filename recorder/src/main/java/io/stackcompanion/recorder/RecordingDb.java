package io.stackcompanion.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.SstFileMetaData;

/**
 * The RocksDB database behind one recording and every native object it needs; owns and closes
 * them. Events live in the default column family, metadata in {@code meta}.
 */
final class RecordingDb implements AutoCloseable {

    static final String META_CF = "meta";
    static final byte[] META_KEY = "metadata".getBytes(StandardCharsets.UTF_8);

    static {
        RocksDB.loadLibrary();
    }

    final Path folder;
    final RocksDB db;
    final ColumnFamilyHandle events;
    final ColumnFamilyHandle meta;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions eventOptions;
    private final ColumnFamilyOptions metaOptions;

    private RecordingDb(Path folder, RocksDB db, List<ColumnFamilyHandle> handles, DBOptions dbOptions,
            ColumnFamilyOptions eventOptions, ColumnFamilyOptions metaOptions) {
        this.folder = folder;
        this.db = db;
        this.events = handles.get(0);
        this.meta = handles.get(1);
        this.dbOptions = dbOptions;
        this.eventOptions = eventOptions;
        this.metaOptions = metaOptions;
    }

    /** Opens (creating if missing) for writing. */
    static RecordingDb openForWriting(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new RecordingException("cannot create recording folder " + folder + ": " + e + "; check the path and permissions", e);
        }
        if (Files.isRegularFile(folder.resolve("CURRENT"))) {
            requireMetaColumnFamily(folder); // never add our column family to someone else's database
        }
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2)
                .setMaxTotalWalSize(256L << 20)
                .setKeepLogFileNum(3);
        return open(folder, dbOptions, false);
    }

    /** Opens read-only; works on closed, crashed (SIGKILLed) and live recordings. */
    static RecordingDb openReadOnly(Path folder) {
        if (!Files.isRegularFile(folder.resolve("CURRENT"))) {
            throw new RecordingException("no recording at " + folder + " (no RocksDB database there); pass a recorder folder such as data/<node>/recorder/node");
        }
        requireMetaColumnFamily(folder);
        return open(folder, new DBOptions(), true);
    }

    private static void requireMetaColumnFamily(Path folder) {
        try (Options options = new Options()) {
            List<byte[]> families = RocksDB.listColumnFamilies(options, folder.toString());
            if (families.stream().noneMatch(f -> Arrays.equals(f, META_CF.getBytes(StandardCharsets.UTF_8)))) {
                throw new RecordingFormatException("recording " + folder + ": RocksDB database without a '" + META_CF
                        + "' column family: its MANIFEST is damaged, or it is not a Stack Companion recording");
            }
        } catch (RocksDBException e) {
            throw failure(folder, e);
        }
    }

    private static RecordingDb open(Path folder, DBOptions dbOptions, boolean readOnly) {
        ColumnFamilyOptions eventOptions = eventColumnFamilyOptions();
        ColumnFamilyOptions metaOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, eventOptions),
                new ColumnFamilyDescriptor(META_CF.getBytes(StandardCharsets.UTF_8), metaOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = readOnly
                    ? RocksDB.openReadOnly(dbOptions, folder.toString(), descriptors, handles)
                    : RocksDB.open(dbOptions, folder.toString(), descriptors, handles);
            return new RecordingDb(folder, db, handles, dbOptions, eventOptions, metaOptions);
        } catch (RocksDBException e) {
            handles.forEach(ColumnFamilyHandle::close);
            metaOptions.close();
            eventOptions.close();
            dbOptions.close();
            throw failure(folder, e);
        }
    }

    /** What RocksDB's refusal to open a recording means for its user. */
    private static RecordingException failure(Path folder, RocksDBException e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
        if (why.contains("While lock file") || why.contains("lock hold by current process")) {
            return new RecordingException("recording " + folder + " is already open for writing (" + why
                    + "); stop the other recorder or process first", e);
        }
        if (why.contains("Permission denied")) {
            return new RecordingException("cannot open recording " + folder + ": " + why + "; check its permissions", e);
        }
        return new RecordingFormatException("recording " + folder + ": RocksDB cannot open it (" + why
                + "): the recording's files are damaged; keep a copy and move the recording away", e);
    }

    /**
     * Events arrive as table files written by {@link Ingester} (never through the memtable); these
     * settings only matter for a recording of format 1, written through RocksDB's log, continued.
     */
    static ColumnFamilyOptions eventColumnFamilyOptions() {
        // Never compacted: the seal names each table file by its key range and size (and nothing
        // arrives through the memtable that would need compacting).
        return new ColumnFamilyOptions()
                .setDisableAutoCompactions(true)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockSize(32 << 10));
    }

    /** Reads and checks the metadata, or empty when none was written. */
    Optional<RecorderMetadata> readMetadata() {
        byte[] raw;
        try {
            raw = db.get(meta, META_KEY);
        } catch (RocksDBException e) {
            throw new RecordingException("recording " + folder + ": cannot read metadata: " + e.getMessage(), e);
        }
        if (raw == null) {
            return Optional.empty();
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            throw new RecordingFormatException("recording " + folder + ": metadata is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + "): the recording is corrupted", e);
        }
        JsonNode version = tree == null ? null : tree.get("formatVersion");
        if (version == null || !version.canConvertToInt()) {
            throw new RecordingFormatException("recording " + folder + ": metadata has no formatVersion: the recording is corrupted");
        }
        if (version.intValue() > EventCodec.FORMAT_VERSION) {
            throw new RecordingFormatException("recording " + folder + ": recording format " + version.intValue()
                    + " is newer than this build supports (" + EventCodec.FORMAT_VERSION + "); use a newer Stack Companion");
        }
        if (version.intValue() < 1) {
            throw new RecordingFormatException("recording " + folder + ": metadata says format " + version.intValue()
                    + ", which no build writes: the recording is corrupted");
        }
        try {
            return Optional.of(Json.MAPPER.treeToValue(tree, RecorderMetadata.class));
        } catch (IOException | IllegalArgumentException e) {
            throw new RecordingFormatException("recording " + folder + ": metadata is incomplete (" + e.getMessage()
                    + "): the recording is corrupted", e);
        }
    }

    /** Reads the metadata, failing when there is none. */
    RecorderMetadata requireMetadata() {
        return readMetadata().orElseThrow(() -> new RecordingFormatException("recording " + folder
                + ": no metadata: not a complete Stack Companion recording"));
    }

    void writeMetadata(RecorderMetadata metadata) {
        try {
            db.put(meta, META_KEY, Json.MAPPER.writeValueAsBytes(metadata));
            // Flush the tiny meta column family at once: a WAL file is only deleted once every
            // column family has flushed past it, so an unflushed meta entry would pin all WALs.
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                db.flush(flush, meta);
            }
        } catch (RocksDBException | IOException e) {
            throw new RecordingException("recording " + folder + ": cannot write metadata: " + e.getMessage(), e);
        }
    }

    /** The live table files of events, by key range; the format-1 memtable is flushed into one first when writing. */
    List<SstFileMetaData> eventTables() {
        String name = new String(RocksDB.DEFAULT_COLUMN_FAMILY, StandardCharsets.UTF_8);
        return db.getLiveFilesMetaData().stream()
                .filter(f -> new String(f.columnFamilyName(), StandardCharsets.UTF_8).equals(name))
                .map(f -> (SstFileMetaData) f)
                .sorted((a, b) -> Arrays.compareUnsigned(a.smallestKey(), b.smallestKey()))
                .toList();
    }

    /** Moves events a format-1 writer left in RocksDB's log into a table file. */
    void flushEvents() {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, events);
        } catch (RocksDBException e) {
            throw new RecordingException("recording " + folder + ": cannot flush: " + e.getMessage(), e);
        }
    }

    /** The last event key, checked, or empty for an empty recording. */
    Optional<RecordedEvent> lastEvent() {
        try (RocksIterator it = db.newIterator(events)) {
            it.seekToLast();
            if (!it.isValid()) {
                check(it);
                return Optional.empty();
            }
            return Optional.of(EventCodec.decode(it.key(), it.value(), folder));
        }
    }

    void check(RocksIterator it) {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw new RecordingFormatException("recording " + folder + ": RocksDB reports " + e.getMessage()
                    + ": the recording's files are corrupted", e);
        }
    }

    @Override
    public void close() {
        meta.close();
        events.close();
        db.close();
        metaOptions.close();
        eventOptions.close();
        dbOptions.close();
    }
}
