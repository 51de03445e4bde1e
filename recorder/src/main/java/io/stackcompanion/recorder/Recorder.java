package io.stackcompanion.recorder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.rocksdb.Checkpoint;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Writes the events of one stack into one RocksDB database (a node has two: {@code
 * data/<node>/recorder/node/} and {@code data/<node>/recorder/client/}), keyed by a {@link
 * RecordingClock} shared by both.
 *
 * <p><b>Durability.</b> The write-ahead log is on and every {@link #append} is one RocksDB write
 * with {@code sync=false}: when {@code append} returns, the event is in the WAL in the operating
 * system's page cache. A process crash or SIGKILL therefore loses nothing that was appended; only
 * an operating-system crash or power loss can lose the last moments (we do not fsync per event,
 * that would cost milliseconds each). On reopen RocksDB replays the WAL.
 *
 * <p><b>Group commit.</b> Each {@code append} costs one {@code write(2)} to the WAL, which caps a
 * single writer at a few hundred thousand events a second. A caller that records several events per
 * step (the core: one input and the outputs it causes) can {@link #stage} them and {@link #commit()}
 * once, before the outputs leave the node: one atomic WAL write for the group. Staged events are not
 * durable until {@code commit()} returns; {@code append}, {@code checkpoint} and {@code close} commit
 * staged events first, and a large group is committed on its own (bounded memory).
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

    /** A group this large is committed on its own, bounding the memory staged events take. */
    static final int MAX_STAGED_EVENTS = 10_000;
    static final long MAX_STAGED_BYTES = 4L << 20;

    private final RecordingDb db;
    private final RecordingClock clock;
    private final RecorderMetadata metadata;
    private final WriteOptions writeOptions;
    private final Optional<RecordedEvent> lastEventAtOpen;
    private final StagedBatch staged = new StagedBatch();
    private EventKey lastKey;
    private boolean closed;

    private Recorder(RecordingDb db, RecordingClock clock, RecorderMetadata metadata, Optional<RecordedEvent> lastEventAtOpen) {
        this.db = db;
        this.clock = clock;
        this.metadata = metadata;
        this.lastEventAtOpen = lastEventAtOpen;
        this.lastKey = lastEventAtOpen.map(RecordedEvent::key).orElse(null);
        // sync=false: durable against process crashes (the WAL is in the page cache), see class doc.
        this.writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
    }

    /**
     * Opens the recording in {@code dir}, creating it with {@code metadata} when there is none, or
     * continuing it when it belongs to the same node, stack and pool.
     *
     * @throws RecordingException if the folder holds another node's or pool's recording, a newer
     *     format, a corrupted last event, or is already open for writing
     */
    public static Recorder open(Path dir, RecorderMetadata metadata, RecordingClock clock) {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(clock, "clock");
        if (metadata.formatVersion() != EventCodec.FORMAT_VERSION) {
            throw new IllegalArgumentException("this build writes recording format " + EventCodec.FORMAT_VERSION
                    + ", metadata says " + metadata.formatVersion());
        }
        RecordingDb db = RecordingDb.openForWriting(dir);
        try {
            Optional<RecorderMetadata> existing = db.readMetadata();
            Optional<RecordedEvent> last = db.lastEvent();
            if (existing.isEmpty() && last.isPresent()) {
                throw new RecordingFormatException("recording " + dir + ": events but no metadata: not a complete "
                        + "Stack Companion recording; move it away or pass another folder");
            }
            if (existing.isPresent() && !existing.get().sameIdentity(metadata)) {
                throw new RecordingException("recording " + dir + " belongs to " + existing.get().describe()
                        + ", not " + metadata.describe() + "; move it away or pass another folder");
            }
            if (existing.isEmpty()) {
                db.writeMetadata(metadata);
            }
            last.ifPresent(event -> clock.continueAfter(event.key()));
            return new Recorder(db, clock, existing.orElse(metadata), last);
        } catch (RuntimeException e) {
            db.close();
            throw e;
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
        checkNotBeforeLast(timeNanos);
        return write(clock.stampAt(timeNanos), kind, peers, payload);
    }

    /**
     * Like {@link #append(EventKind, List, byte[])}, but the event is only staged in memory until
     * {@link #commit()}: not durable before that.
     */
    public synchronized EventKey stage(EventKind kind, List<String> peers, byte[] payload) {
        return stageAt(clock.stamp(), kind, peers, payload);
    }

    /**
     * Like {@link #append(long, EventKind, List, byte[])}, but the event is only staged in memory
     * until {@link #commit()}: not durable before that.
     */
    public synchronized EventKey stage(long timeNanos, EventKind kind, List<String> peers, byte[] payload) {
        checkNotBeforeLast(timeNanos);
        return stageAt(clock.stampAt(timeNanos), kind, peers, payload);
    }

    /** Writes all staged events in one atomic WAL write; when it returns they are durable. */
    public synchronized void commit() {
        ensureOpen();
        if (staged.count() == 0) {
            return;
        }
        try (WriteBatch batch = new WriteBatch(staged.toWireFormat())) {
            db.db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new RecordingException("recording " + db.folder + ": cannot write " + staged.count() + " events up to "
                    + lastKey + ": " + e.getMessage() + "; check free disk space", e);
        }
        staged.clear();
    }

    private EventKey stageAt(EventKey key, EventKind kind, List<String> peers, byte[] payload) {
        ensureOpen();
        staged.put(key.toBytes(), EventCodec.encode(kind, peers, payload));
        lastKey = key;
        if (staged.count() >= MAX_STAGED_EVENTS || staged.bytes() >= MAX_STAGED_BYTES) {
            commit();
        }
        return key;
    }

    private void checkNotBeforeLast(long timeNanos) {
        if (lastKey != null && timeNanos < lastKey.timeNanos()) {
            throw new IllegalArgumentException("time " + timeNanos + " is before the last recorded event (" + lastKey + ")");
        }
    }

    private EventKey write(EventKey key, EventKind kind, List<String> peers, byte[] payload) {
        ensureOpen();
        commit();
        byte[] value = EventCodec.encode(kind, peers, payload);
        try {
            db.db.put(db.events, writeOptions, key.toBytes(), value);
        } catch (RocksDBException e) {
            throw new RecordingException("recording " + db.folder + ": cannot append event at " + key + ": "
                    + e.getMessage() + "; check free disk space", e);
        }
        lastKey = key;
        return key;
    }

    /**
     * Writes a consistent RocksDB checkpoint of this recording into {@code target} (which must not
     * exist): SST files are hard-linked where possible, the live WAL is copied, so the copy holds
     * every event appended before the call and opens with {@link RecordingReader}. Safe to call from
     * any thread; appends wait while the checkpoint is taken.
     */
    public synchronized void checkpoint(Path target) {
        ensureOpen();
        if (Files.exists(target)) {
            throw new RecordingException("checkpoint target " + target + " already exists; pass a new folder");
        }
        commit();
        try (Checkpoint checkpoint = Checkpoint.create(db.db)) {
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new RecordingException("recording " + db.folder + ": cannot checkpoint into " + target + ": " + e.getMessage(), e);
        }
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

    /** Commits staged events, then closes the database (appended events are already durable). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            commit();
            db.flushEvents();
        } finally {
            closed = true;
            writeOptions.close();
            db.close();
        }
    }
}
