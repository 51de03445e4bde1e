package io.stackcompanion.recorder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes the events of one stack into one recording (a node has two: {@code
 * data/<node>/recorder/node/} and {@code data/<node>/recorder/client/}), keyed by a {@link
 * RecordingClock} shared by both.
 *
 * <p><b>Write path.</b> An {@link #append} encodes the event and stores it in the recording's
 * journal ({@link JournalWriter}: a memory-mapped segment file, no system call, no native call), so
 * the core thread that records pays well under a microsecond per event. A background thread
 * ({@link Ingester}) moves each full segment into RocksDB as one compressed table file and deletes
 * it; {@link #close()} moves the rest, so a closed recording is a plain RocksDB database.
 *
 * <p><b>Durability.</b> When {@code append} returns, the event is in the page cache: a process crash
 * or SIGKILL loses nothing that was appended; only an operating-system crash or power loss can lose
 * the last moments (no fsync per event; it would cost milliseconds each). Opening a recording whose
 * writer died moves what its journal holds into RocksDB first.
 *
 * <p><b>Continuing.</b> Opening a folder that already holds a recording of the same node, stack and
 * pool continues it: the clock is moved past its last key (see {@link
 * RecordingClock#continueAfter}), so new keys follow the old ones even if the wall clock went back.
 *
 * <p><b>Threads.</b> The node's core thread is meant to be the only writer. Appends are serialised
 * by a lock anyway (cheap when uncontended), so two recorders sharing a clock, each written from its
 * own thread, are safe and every recorder's keys are strictly increasing.
 */
public final class Recorder implements AutoCloseable {

    /** Journal segment size: about 280,000 events of 200 bytes; RocksDB gets one table file per segment. */
    static final long SEGMENT_BYTES = 64L << 20;
    /** Sealed segments waiting for RocksDB before an append waits: 1 GiB of burst, then the writer is held. */
    static final int MAX_BACKLOG_SEGMENTS = 16;

    private final RecordingDb db;
    private final RecordingClock clock;
    private final RecorderMetadata metadata;
    private final Optional<RecordedEvent> lastEventAtOpen;
    private final Ingester ingester;
    private final JournalWriter journal;
    private final Seal.Keeper seal;
    private EventKey lastKey;
    private boolean closed;

    private Recorder(RecordingDb db, RecordingClock clock, RecorderMetadata metadata, Optional<RecordedEvent> lastEventAtOpen,
            long lastSegmentNumber, long segmentBytes, int maxBacklog, Seal.Keeper seal) {
        this.db = db;
        this.clock = clock;
        this.metadata = metadata;
        this.lastEventAtOpen = lastEventAtOpen;
        this.seal = seal;
        this.lastKey = lastEventAtOpen.map(RecordedEvent::key).orElse(null);
        // The writer first: it checks its settings; the ingester's thread starts only when nothing else can fail.
        Seal now = seal.seal();
        this.journal = new JournalWriter(Journal.folder(db.folder), lastSegmentNumber, segmentBytes, this::sealed,
                seal::segmentCreated, now.events(), now.chain());
        this.ingester = new Ingester(db, lastKey == null ? null : lastKey.toBytes(), maxBacklog, seal);
    }

    /**
     * Opens the recording in {@code dir}, creating it with {@code metadata} when there is none, or
     * continuing it when it belongs to the same node, stack and pool.
     *
     * @throws RecordingException if the folder holds another node's or pool's recording, a newer
     *     format, a corrupted last event or journal, or is already open for writing
     */
    public static Recorder open(Path dir, RecorderMetadata metadata, RecordingClock clock) {
        return open(dir, metadata, clock, SEGMENT_BYTES, MAX_BACKLOG_SEGMENTS);
    }

    /**
     * Like {@link #open(Path, RecorderMetadata, RecordingClock)}, with journal segments of {@code
     * segmentBytes} (at least 1 MiB): smaller ones move into RocksDB sooner, as more table files.
     */
    public static Recorder open(Path dir, RecorderMetadata metadata, RecordingClock clock, long segmentBytes) {
        if (segmentBytes < (1 << 20)) {
            throw new IllegalArgumentException("journal segments must be at least 1 MiB, got " + segmentBytes + " bytes");
        }
        return open(dir, metadata, clock, segmentBytes, MAX_BACKLOG_SEGMENTS);
    }

    static Recorder open(Path dir, RecorderMetadata metadata, RecordingClock clock, long segmentBytes, int maxBacklog) {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(clock, "clock");
        if (metadata.formatVersion() != EventCodec.FORMAT_VERSION) {
            throw new IllegalArgumentException("this build writes recording format " + EventCodec.FORMAT_VERSION
                    + ", metadata says " + metadata.formatVersion());
        }
        RecordingDb db = RecordingDb.openForWriting(dir);
        try {
            Optional<RecorderMetadata> existing = db.readMetadata();
            List<Path> segments = Journal.segments(dir);
            if (existing.isEmpty() && (db.lastEvent().isPresent() || !segments.isEmpty())) {
                throw new RecordingFormatException("recording " + dir + ": events but no metadata: not a complete "
                        + "Stack Companion recording; move it away or pass another folder");
            }
            if (existing.isPresent() && !existing.get().sameIdentity(metadata)) {
                throw new RecordingException("recording " + dir + " belongs to " + existing.get().describe()
                        + ", not " + metadata.describe() + "; move it away or pass another folder");
            }
            RecorderMetadata kept = existing.orElse(metadata);
            Seal.Keeper seal;
            if (existing.isEmpty()) {
                seal = new Seal.Keeper(dir, Seal.empty());
                Seal.empty().write(dir);
            } else if (kept.formatVersion() < EventCodec.FIRST_SEALED_FORMAT) {
                // Recorded before seals: move its journal in, then seal what it holds, table by table.
                recoverJournal(db, segments, null);
                db.flushEvents();
                long lastNumber = segments.isEmpty() ? 0 : Journal.number(segments.get(segments.size() - 1));
                Seal surveyed = Seal.survey(db, lastNumber);
                surveyed.write(dir);
                seal = new Seal.Keeper(dir, surveyed);
                kept = kept.withFormatVersion(EventCodec.FORMAT_VERSION);
                segments = List.of();
            } else {
                Seal found = Seal.read(dir).orElseThrow(() -> new RecordingFormatException("recording " + dir + " has no "
                        + Seal.FILE + ": its completeness cannot be proven (the file was lost); keep a copy and move the recording away"));
                SealCheck.requireTables(db, found, dir);
                seal = new Seal.Keeper(dir, found);
                recoverJournal(db, segments, seal);
            }
            if (!existing.equals(Optional.of(kept))) {
                db.writeMetadata(kept);
            }
            Optional<RecordedEvent> last = db.lastEvent();
            last.ifPresent(event -> clock.continueAfter(event.key()));
            Seal now = seal.seal();
            long lastNumber = Math.max(segments.isEmpty() ? 0 : Journal.number(segments.get(segments.size() - 1)),
                    Math.max(now.journalTo(), now.journalFrom() - 1));
            seal.opened(lastNumber);
            return new Recorder(db, clock, kept, last, lastNumber, segmentBytes, maxBacklog, seal);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private void sealed(Path segment) {
        ingester.submit(segment);
    }

    /**
     * Moves what a previous writer left in the journal (it was killed, or could not finish at close)
     * into RocksDB, and removes table files a crash left half-written.
     */
    private static void recoverJournal(RecordingDb db, List<Path> segments, Seal.Keeper seal) {
        byte[] last = db.lastEvent().map(event -> event.key().toBytes()).orElse(null);
        for (int i = 0; i < segments.size(); i++) {
            last = Ingester.ingestSegment(db, segments.get(i), i == segments.size() - 1, last, seal);
        }
        Path journal = Journal.folder(db.folder);
        if (Files.isDirectory(journal)) {
            try (Stream<Path> files = Files.list(journal)) {
                for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".sst")).toList()) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                throw new RecordingException("recording " + db.folder + ": cannot clean its journal folder: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Records an event at the clock's current time with the next sequence number.
     *
     * @param peers sender, recipients or the peer concerned; empty for the node's own events
     * @param payload the bytes as they crossed the stack (not retained)
     * @return the event's key; its time is the recording time
     */
    public synchronized EventKey append(EventKind kind, List<String> peers, byte[] payload) {
        ensureOpen();
        return write(clock.stamp(), kind, peers, payload);
    }

    /**
     * Records an event at a time the core already read from the shared clock ({@link
     * RecordingClock#now()}), so the recorded time is exactly the time the core saw; several events
     * may share a time (the sequence number tells them apart).
     *
     * @throws IllegalArgumentException if the time was not issued by the clock yet, or is before
     *     this recorder's last event
     */
    public synchronized EventKey append(long timeNanos, EventKind kind, List<String> peers, byte[] payload) {
        ensureOpen();
        if (lastKey != null && timeNanos < lastKey.timeNanos()) {
            throw new IllegalArgumentException("time " + timeNanos + " is before the last recorded event (" + lastKey + ")");
        }
        return write(clock.stampAt(timeNanos), kind, peers, payload);
    }

    private EventKey write(EventKey key, EventKind kind, List<String> peers, byte[] payload) {
        byte[] value = EventCodec.encode(kind, peers, payload);
        ingester.throwIfFailed();
        journal.append(key.toBytes(), value);
        lastKey = key;
        return key;
    }

    /** Waits until every sealed segment is in RocksDB; the active one stays in the journal. */
    synchronized void awaitIngested() {
        ingester.drain();
    }

    /** The metadata stored in the recording (the original one when continuing). */
    public RecorderMetadata metadata() {
        return metadata;
    }

    /** The last event that was in the recording when it was opened: lets the node see an unclean stop. */
    public Optional<RecordedEvent> lastEventAtOpen() {
        return lastEventAtOpen;
    }

    /** The key of the last event written (including events from earlier runs), if any. */
    public synchronized Optional<EventKey> lastKey() {
        return Optional.ofNullable(lastKey);
    }

    /** The recording's folder. */
    public Path folder() {
        return db.folder;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("recorder " + db.folder + " is closed");
        }
    }

    /**
     * Moves the journal into RocksDB and closes it: the recording is then a plain RocksDB database.
     * If that fails (disk full), the events stay in the journal, readers see them, and the next
     * {@link #open} moves them.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            try {
                journal.close();
            } finally {
                ingester.close();
            }
            if (Journal.segments(db.folder).isEmpty()) {
                seal.closed();
            }
        } finally {
            db.close();
        }
    }
}
