package io.stackcompanion.recorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads one recording, read-only: the events in its RocksDB, then those still in its journal (a
 * recording whose writer is running, or was killed, keeps its latest events there; see {@link
 * Journal}). Works on a closed recording, a killed one, and a live one: it then sees the events
 * written up to the moment it opened (reopen to see more). Nothing is ever written.
 *
 * <p>Not thread-safe: use one reader per thread. Closing the reader closes its open cursors.
 */
public final class RecordingReader implements AutoCloseable {

    private final RecordingDb db;
    private final RecorderMetadata metadata;
    private final List<Journal.OpenSegment> journal;
    private final byte[] lastKeyInDb;
    private final boolean live;
    private final Optional<Seal> seal;
    private final Set<EventCursor> openCursors = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private RecordingReader(RecordingDb db, RecorderMetadata metadata, List<Journal.OpenSegment> journal, boolean live) {
        this.db = db;
        this.metadata = metadata;
        this.journal = journal;
        this.live = live;
        this.lastKeyInDb = db.lastEvent().map(event -> event.key().toBytes()).orElse(null);
        this.seal = Seal.read(db.folder);
        if (seal.isEmpty() && metadata.formatVersion() >= EventCodec.FIRST_SEALED_FORMAT && !live) {
            throw new RecordingFormatException("recording " + db.folder + " has no " + Seal.FILE
                    + ": its completeness cannot be proven (the file was lost); keep a copy and move the recording away");
        }
    }

    /**
     * Opens the recording in {@code dir} read-only and checks its metadata.
     *
     * @throws RecordingException if there is no recording there
     * @throws RecordingFormatException if its metadata is missing, corrupted or of a newer format
     */
    public static RecordingReader open(Path dir) {
        // The journal first: a segment the writer moves into RocksDB and deletes after this point is
        // still readable through its open channel, and one moved before it is in the RocksDB view
        // opened next. Either way every event up to the moment of opening is seen exactly once.
        boolean live = WriterLock.held(dir);
        List<Journal.OpenSegment> journal = Journal.openAll(dir, !live);
        RecordingDb db;
        try {
            db = RecordingDb.openReadOnly(dir);
        } catch (RuntimeException e) {
            Journal.closeAll(journal);
            throw e;
        }
        try {
            return new RecordingReader(db, db.requireMetadata(), journal, live);
        } catch (RuntimeException e) {
            db.close();
            Journal.closeAll(journal);
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

    /** Whether a writer had the recording open when this reader opened it (it sees the events up to then). */
    public boolean live() {
        return live;
    }

    /** The recording's seal (none before format 3, or when it was lost). */
    Optional<Seal> seal() {
        return seal;
    }

    /** The database, for checks in this package. */
    RecordingDb db() {
        return db;
    }

    /**
     * Bytes of an append a killed writer never finished, or of a last record an OS crash tore,
     * after the journal's last event: never part of the recording (0 when none).
     */
    public long tornBytes() {
        return journal.isEmpty() ? 0 : journal.get(journal.size() - 1).tornBytes();
    }

    /** A cursor over all events, in key order. */
    public EventCursor iterator() {
        return iterator(0);
    }

    /** A cursor over the events recorded at or after {@code fromTimeNanos}, in key order. */
    public EventCursor iterator(long fromTimeNanos) {
        ensureOpen();
        EventCursor cursor = new EventCursor(this, db, EventKey.firstAt(fromTimeNanos), journal, lastKeyInDb);
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
        byte[] last = lastKeyInDb;
        for (int i = 0; i < journal.size(); i++) {
            Journal.SegmentReader segment = journal.get(i).reader(i == journal.size() - 1);
            byte[][] record;
            while ((record = segment.next()) != null) {
                if (last == null || Arrays.compareUnsigned(record[0], last) > 0) {
                    last = record[0];
                }
            }
        }
        return last == null ? Optional.empty() : Optional.of(EventCodec.decodeKey(last, db.folder));
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

    /**
     * Bytes the recording's files take on disk; the journal's last segment counts up to its last
     * event (a live segment is a sparse file of its full size).
     */
    public long bytesOnDisk() {
        ensureOpen();
        long bytes = bytesOnDisk(db.folder, journal.isEmpty() ? null : journal.get(journal.size() - 1).file());
        if (!journal.isEmpty()) {
            bytes += journal.get(journal.size() - 1).limit() + Journal.RECORD_HEADER_BYTES;
        }
        return bytes;
    }

    static long bytesOnDisk(Path folder, Path except) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> Files.isRegularFile(f) && !f.equals(except)).mapToLong(f -> {
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
     * copy; the copy is one table file, no journal, no write-ahead log. Because a reader sees a
     * fixed view, copying from a live recording gives a consistent prefix of it.
     *
     * @return the number of events copied
     * @throws RecordingException if {@code target} exists or cannot be written
     * @throws RecordingFormatException at the first corrupted event
     */
    public long copyTo(Path target, EventKey end) {
        return copyTo(target, end, null);
    }

    /**
     * Like {@link #copyTo(Path, EventKey)}, but each event is passed through {@code rewrite} on its
     * way: the copy holds what it returns (same key, any kind, peers and payload), encoded, chained
     * and sealed afresh, so it verifies as complete as the original did. The original is still
     * checked against its own seal while it is read. A sanitized copy is made this way.
     *
     * @param rewrite the new event for each one read; null copies the bytes unchanged
     * @throws IllegalArgumentException if {@code rewrite} changes an event's key
     */
    public long copyTo(Path target, EventKey end, java.util.function.UnaryOperator<RecordedEvent> rewrite) {
        return copyTo(target, end, rewrite, metadata);
    }

    /**
     * Like {@link #copyTo(Path, EventKey, java.util.function.UnaryOperator)}, the copy labelled with
     * {@code metadata} (a sanitized copy whose pool genesis was rewritten names the new one).
     */
    public long copyTo(Path target, EventKey end, java.util.function.UnaryOperator<RecordedEvent> rewrite, RecorderMetadata metadata) {
        ensureOpen();
        if (Files.exists(target)) {
            throw new RecordingException("cannot copy recording " + db.folder + " into " + target + ": it already exists; pass a new folder");
        }
        long[] copied = {0};
        SealCheck check = seal.map(value -> new SealCheck(value, db.folder, Map.of())).orElse(null);
        SealCheck copySeal = check == null ? null : new SealCheck(Seal.empty(), target, Map.of());
        byte[][] firstAndLast = new byte[2][];
        try (RecordingDb out = RecordingDb.openForWriting(target); EventCursor cursor = iterator()) {
            out.writeMetadata(metadata);
            Ingester.writeTable(out, () -> {
                if (!cursor.hasNext()) {
                    if (check != null && end == null && !live) {
                        check.finish(); // all of it copied: all of it sealed
                    }
                    return null;
                }
                byte[][] raw = cursor.nextRaw();
                RecordedEvent event = EventCodec.decode(raw[0], raw[1], db.folder);
                if (end != null && event.key().compareTo(end) >= 0) {
                    return null;
                }
                byte[] value = raw[1];
                if (rewrite != null) {
                    RecordedEvent rewritten = rewrite.apply(event);
                    if (!rewritten.key().equals(event.key())) {
                        throw new IllegalArgumentException("a rewrite must keep the event's key: " + event.key()
                                + " became " + rewritten.key());
                    }
                    value = EventCodec.encode(rewritten.kind(), rewritten.peers(), rewritten.payload());
                }
                if (check != null) {
                    check.accept(raw[0], raw[1], raw.length > 2 ? java.nio.ByteBuffer.wrap(raw[2]).getInt() : null, cursor.lastSource());
                    copySeal.accept(raw[0], value, null, target);
                }
                firstAndLast[0] = firstAndLast[0] == null ? raw[0] : firstAndLast[0];
                firstAndLast[1] = raw[0];
                copied[0]++;
                return new byte[][] {raw[0], value};
            }, target.resolve("copy.sst.tmp"));
            if (copySeal != null) {
                // The copy proves its completeness as the original did: one table file, no journal.
                Seal copied1 = Seal.empty();
                if (copied[0] > 0) {
                    long bytes = out.eventTables().get(0).size();
                    HexFormat hex = HexFormat.of();
                    copied1 = copied1.withTable(new Seal.Table(0, hex.formatHex(firstAndLast[0]), hex.formatHex(firstAndLast[1]),
                            copied[0], Chain.hex(copySeal.chain()), bytes));
                }
                copied1.withJournal(1, 0, true).write(target);
            }
        }
        return copied[0];
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
        Journal.closeAll(journal);
    }
}
