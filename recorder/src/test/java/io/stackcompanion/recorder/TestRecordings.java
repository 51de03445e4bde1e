package io.stackcompanion.recorder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
        Seal seal = Seal.read(dir).orElseThrow();
        try (JournalWriter journal = new JournalWriter(Journal.folder(dir), seal.journalTo(), segmentBytes, sealed -> { },
                number -> { }, seal.events(), seal.chain())) {
            for (int i = 0; i < events; i++) {
                journal.append(new EventKey(T0 + 1_000 + i, 1_000 + i).toBytes(),
                        EventCodec.encode(EventKind.INCOMING, List.of("Beta"), utf8("event-" + i)));
            }
        }
        return dir;
    }

    /**
     * A copy of a recording's files taken while its writer runs, as a SIGKILL leaves them: {@code n}
     * INCOMING events ("event-0", ...), the sealed segments moved into RocksDB, the active one in the
     * journal; returns the copy ({@code tmp/orphan}).
     */
    static Path orphanAfter(Path tmp, RecordingClock clock, long segmentBytes, int n) throws IOException {
        Path dir = tmp.resolve("node");
        Path orphan = tmp.resolve("orphan");
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock, segmentBytes, 4)) {
            for (int i = 0; i < n; i++) {
                recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("event-" + i));
            }
            recorder.awaitIngested();
            copyWhileOpen(dir, orphan);
        }
        return orphan;
    }

    private static void copyWhileOpen(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.getFileName().toString().equals("LOCK")) {
                    Files.copy(file, target);
                }
            }
        }
    }

    /** Offset of the end marker in the recording's last journal segment. */
    static long endOfRecords(Path recording) {
        List<Journal.OpenSegment> open = Journal.openAll(recording, false);
        try {
            Journal.SegmentReader reader = open.get(open.size() - 1).reader(true);
            while (reader.next() != null) {
                // to the end
            }
            return reader.position();
        } finally {
            Journal.closeAll(open);
        }
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
