package io.stackcompanion.recorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Reads one recording, read-only. Works on a closed recording, on one whose writer was killed
 * (RocksDB replays the write-ahead log into memory on open, nothing is written), and on one that a
 * {@link Recorder} still has open: RocksDB allows a read-only open beside a live writer, and the
 * reader then sees the events written up to the moment it opened (reopen to see more).
 *
 * <p>Not thread-safe: use one reader per thread. Closing the reader closes its open cursors.
 */
public final class RecordingReader implements AutoCloseable {

    private final RecordingDb db;
    private final RecorderMetadata metadata;
    private final Set<EventCursor> openCursors = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private RecordingReader(RecordingDb db, RecorderMetadata metadata) {
        this.db = db;
        this.metadata = metadata;
    }

    /**
     * Opens the recording in {@code dir} read-only and checks its metadata.
     *
     * @throws RecordingException if there is no recording there
     * @throws RecordingFormatException if its metadata is missing, corrupted or of a newer format
     */
    public static RecordingReader open(Path dir) {
        RecordingDb db = RecordingDb.openReadOnly(dir);
        try {
            return new RecordingReader(db, db.requireMetadata());
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** The recording's metadata. */
    public RecorderMetadata metadata() {
        return metadata;
    }

    /** The recording's folder. */
    public Path folder() {
        return db.folder;
    }

    /** A cursor over all events, in key order. */
    public EventCursor iterator() {
        return iterator(0);
    }

    /** A cursor over the events recorded at or after {@code fromTimeNanos}, in key order. */
    public EventCursor iterator(long fromTimeNanos) {
        ensureOpen();
        EventCursor cursor = new EventCursor(this, db, EventKey.firstAt(fromTimeNanos));
        openCursors.add(cursor);
        return cursor;
    }

    /** The key of the first event, if any. */
    public Optional<EventKey> firstKey() {
        try (EventCursor cursor = iterator()) {
            return Optional.ofNullable(cursor.peekKey());
        }
    }

    /** The key of the last event, if any. */
    public Optional<EventKey> lastKey() {
        ensureOpen();
        return db.lastEvent().map(RecordedEvent::key);
    }

    /** The number of events, counted exactly by a key scan. */
    public long countEvents() {
        long count = 0;
        try (EventCursor cursor = iterator()) {
            while (cursor.hasNext()) {
                cursor.nextRaw();
                count++;
            }
        }
        return count;
    }

    /** Bytes the recording's files take on disk. */
    public long bytesOnDisk() {
        return bytesOnDisk(db.folder);
    }

    static long bytesOnDisk(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // a file RocksDB deleted meanwhile takes no space
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    /**
     * Writes this recording's metadata and its events with keys below {@code end} (every event when
     * {@code end} is null) into a new recording at {@code target}, which must not exist. Keys and
     * values are copied byte for byte, each one decoded on the way so a corrupted event stops the
     * copy; the copy is flushed to table files, so it holds no write-ahead log. Because a reader
     * sees a fixed view, copying from a live recording gives a consistent prefix of it.
     *
     * @return the number of events copied
     * @throws RecordingException if {@code target} exists or cannot be written
     * @throws RecordingFormatException at the first corrupted event
     */
    public long copyTo(Path target, EventKey end) {
        ensureOpen();
        if (Files.exists(target)) {
            throw new RecordingException("cannot copy recording " + db.folder + " into " + target + ": it already exists; pass a new folder");
        }
        long copied = 0;
        try (RecordingDb out = RecordingDb.openForWriting(target);
             WriteOptions noWal = new WriteOptions().setDisableWAL(true);
             EventCursor cursor = iterator()) {
            out.writeMetadata(metadata);
            WriteBatch batch = new WriteBatch();
            try {
                while (cursor.hasNext()) {
                    byte[][] raw = cursor.nextRaw();
                    RecordedEvent event = EventCodec.decode(raw[0], raw[1], db.folder);
                    if (end != null && event.key().compareTo(end) >= 0) {
                        break;
                    }
                    batch.put(out.events, raw[0], raw[1]);
                    copied++;
                    if (batch.count() >= 10_000) {
                        out.db.write(noWal, batch);
                        batch.clear();
                    }
                }
                out.db.write(noWal, batch);
            } finally {
                batch.close();
            }
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                out.db.flush(flush, out.events);
            }
        } catch (RocksDBException e) {
            throw new RecordingException("cannot copy recording " + db.folder + " into " + target + ": " + e.getMessage(), e);
        }
        return copied;
    }

    void verifyFileChecksums() {
        ensureOpen();
        RecordingVerifier.verifyFileChecksums(db);
    }

    void forget(EventCursor cursor) {
        openCursors.remove(cursor);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("reader of " + db.folder + " is closed");
        }
    }

    /** Closes open cursors, then the database. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (EventCursor cursor : new ArrayList<>(openCursors)) {
            cursor.close();
        }
        closed = true;
        db.close();
    }
}
