package io.stackcompanion.recorder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** Fixtures: a hand-driven clock, metadata, and raw RocksDB access that bypasses the recorder. */
final class TestRecordings {

    static final long T0 = 1_795_000_000_000_000_000L; // late 2026, in ns since the epoch
    static final long SECOND = 1_000_000_000L;

    private TestRecordings() {}

    /** A monotonic source the test moves by hand. */
    static final class ManualNanos implements java.util.function.LongSupplier {
        final AtomicLong nanos = new AtomicLong();

        @Override
        public long getAsLong() {
            return nanos.get();
        }

        void advance(long by) {
            nanos.addAndGet(by);
        }
    }

    static RecorderMetadata metadata(String stack, RecordingClock clock) {
        return RecorderMetadata.create("Alpha", stack, "genesis-abc", "test", clock);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A recording the way a killed writer leaves it: one event (STARTED) in RocksDB, then {@code
     * events} INCOMING events ("event-0", ...) in journal segments of {@code segmentBytes}, not
     * moved; returns {@code dir}.
     */
    static Path killedWriterJournal(Path dir, RecordingClock clock, long segmentBytes, int events) {
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock, segmentBytes, 4)) {
            recorder.append(EventKind.STARTED, List.of(), new byte[0]);
        }
        try (JournalWriter journal = new JournalWriter(Journal.folder(dir), 0, segmentBytes, sealed -> { })) {
            for (int i = 0; i < events; i++) {
                journal.append(new EventKey(T0 + 1_000 + i, 1_000 + i).toBytes(),
                        EventCodec.encode(EventKind.INCOMING, List.of("Beta"), utf8("event-" + i)));
            }
        }
        return dir;
    }

    static List<RecordedEvent> readAll(Path dir) {
        try (RecordingReader reader = RecordingReader.open(dir); EventCursor cursor = reader.iterator()) {
            List<RecordedEvent> events = new ArrayList<>();
            cursor.forEachRemaining(events::add);
            return events;
        }
    }

    /** Writes a raw key/value into a column family of a closed recording, as tampering would. */
    static void rawPut(Path dir, String columnFamily, byte[] key, byte[] value) throws RocksDBException {
        RocksDB.loadLibrary();
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                new ColumnFamilyDescriptor(RecordingDb.META_CF.getBytes(StandardCharsets.UTF_8)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
                RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles)) {
            try {
                db.put(columnFamily.equals("default") ? handles.get(0) : handles.get(1), key, value);
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }
}
