package io.stackcompanion.recorder;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.CompressionType;
import org.rocksdb.EnvOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileWriter;

/**
 * Moves sealed journal segments into the recording's RocksDB, on its own thread, off the writer's
 * path: each segment becomes one compressed table file, written in key order by RocksDB's {@code
 * SstFileWriter} and ingested (moved, not copied) into the events column family, then the segment
 * is deleted. Event keys only grow, so every table file lands in the bottom level beside the others
 * without overlap: no memtable, no second copy in RocksDB's log, no compaction ever rewrites events.
 *
 * <p>A crash at any point is harmless: a segment is deleted only after its table is in RocksDB, and
 * records whose keys RocksDB already holds are skipped when a segment is ingested again.
 *
 * <p>The backlog is bounded: a writer that outruns ingestion waits in {@link #submit} once {@code
 * maxBacklog} sealed segments are queued (the only place the writer can wait).
 *
 * <p>Ingestion is paced while it keeps up: after each slice of {@value #SLICE_RECORDS} records it
 * rests {@value #REST_PER_WORK} times as long as the slice took, so it takes at most a quarter of a
 * core, spread over the time the next segment fills, instead of a whole core in a burst. A burst
 * (about 2 s of a core for an 8 MiB segment) on a machine the node shares set the p99 latency of a
 * recording pool at 1,000 writes/s; see the README's "Speed". The slice's time is wall-clock time, so
 * on a busy machine the rests grow with it. It hurries (no rests) as soon as a second segment waits,
 * and while anyone waits for it ({@link #drain}, {@link #close}).
 */
final class Ingester implements AutoCloseable {

    private final RecordingDb db;
    private final Seal.Keeper seal;
    private final int maxBacklog;
    /** Records ingested between two rests. */
    static final int SLICE_RECORDS = 512;
    /** A rest's length, in slices' lengths. */
    static final int REST_PER_WORK = 3;
    private final int restPerWork;
    private int draining;
    private final ArrayDeque<Path> queue = new ArrayDeque<>();
    private final Thread thread;
    private byte[] lastKey;
    private RuntimeException failure;
    private boolean closing;

    /**
     * @param lastKey the last event key RocksDB holds (null for none): records up to it are skipped
     */
    Ingester(RecordingDb db, byte[] lastKey, int maxBacklog, Seal.Keeper seal) {
        this(db, lastKey, maxBacklog, seal, REST_PER_WORK);
    }

    /** As above, resting {@code restPerWork} times each slice's length while keeping up (0: never). */
    Ingester(RecordingDb db, byte[] lastKey, int maxBacklog, Seal.Keeper seal, int restPerWork) {
        this.restPerWork = restPerWork;
        this.db = db;
        this.seal = seal;
        this.lastKey = lastKey;
        this.maxBacklog = maxBacklog;
        this.thread = new Thread(this::run, "recorder-ingest-" + db.folder.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a sealed segment; waits while the backlog is full (an interrupt does not end the wait). */
    synchronized void submit(Path segment) {
        awaitWhile(() -> queue.size() >= maxBacklog);
        queue.add(segment);
        notifyAll();
    }

    /** Waits until every queued segment is in RocksDB. */
    synchronized void drain() {
        draining++;
        notifyAll(); // a resting ingester hurries
        try {
            awaitWhile(() -> !queue.isEmpty());
        } finally {
            draining--;
        }
    }

    /** Whether ingestion must not rest: it is behind (a second segment waits), or someone waits for it. */
    private boolean hurried() {
        return closing || draining > 0 || queue.size() > 1;
    }

    /** After a slice that took {@code workNanos}: rests {@link #restPerWork} times that long, unless hurried (then or meanwhile). */
    private void rest(long workNanos) {
        long until = System.nanoTime() + workNanos * restPerWork;
        synchronized (this) {
            long left;
            while (!hurried() && (left = until - System.nanoTime()) > 0) {
                try {
                    wait(left / 1_000_000, (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Waits while {@code condition} holds and ingestion has not failed, then throws the failure if
     * there is one. Uninterruptible: giving up would leave a sealed segment unqueued (the writer
     * retries it, but a node stopping would wait for nothing); the interrupt is kept for the caller.
     */
    private void awaitWhile(java.util.function.BooleanSupplier condition) {
        boolean interrupted = false;
        while (condition.getAsBoolean() && failure == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        throwIfFailed();
    }

    /** Throws the ingestion failure, if there was one (the segments stay in the journal, nothing is lost). */
    synchronized void throwIfFailed() {
        if (failure != null) {
            throw failure;
        }
    }

    private void run() {
        while (true) {
            Path segment;
            synchronized (this) {
                while (queue.isEmpty() && !closing) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (queue.isEmpty()) {
                    return;
                }
                segment = queue.peek();
            }
            try {
                byte[] last = ingestSegment(db, segment, false, lastKey, seal, restPerWork > 0 ? this::rest : null);
                synchronized (this) {
                    lastKey = last;
                    queue.poll();
                    notifyAll();
                }
            } catch (Throwable e) {
                synchronized (this) {
                    // Whatever it was, the writer must hear of it instead of waiting for ever.
                    failure = e instanceof RuntimeException r ? r
                            : new RecordingException("recording " + db.folder + ": moving " + segment + " into RocksDB failed: " + e, e);
                    notifyAll();
                }
                return;
            }
        }
    }

    /** Drains the queue, then stops the thread. */
    @Override
    public void close() {
        synchronized (this) {
            closing = true;
            notifyAll();
        }
        // Uninterruptible: RocksDB is closed after this returns and must not be under the thread's feet.
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        throwIfFailed();
    }

    /**
     * Moves one segment's records with keys after {@code after} into RocksDB, then deletes the
     * segment. With a {@code seal}, the records must continue the chain the seal ends with (a
     * segment missing before this one is an error, never a gap); the new table is entered in the
     * seal before RocksDB takes it in, so the seal never lacks a table RocksDB has.
     *
     * @param last whether it is the journal's last segment (which may end in an incomplete record);
     *     its writer must be gone
     * @param seal the recording's seal, or null for a recording of a format before seals
     * @return the last key RocksDB now holds
     */
    static byte[] ingestSegment(RecordingDb db, Path segment, boolean last, byte[] after, Seal.Keeper seal) {
        return ingestSegment(db, segment, last, after, seal, null);
    }

    /**
     * As above; {@code rest}, when given, hears after every {@value #SLICE_RECORDS} records how long
     * (wall-clock nanoseconds) they took, and may pause there.
     */
    static byte[] ingestSegment(RecordingDb db, Path segment, boolean last, byte[] after, Seal.Keeper seal,
            java.util.function.LongConsumer rest) {
        FileChannel channel = Journal.openForReading(segment);
        if (channel == null) {
            return after; // already ingested and deleted
        }
        byte[] newLast;
        Journal.SegmentReader reader = new Journal.SegmentReader(segment, channel, last, Long.MAX_VALUE, last);
        Path table = segment.resolveSibling(segment.getFileName() + ".sst");
        TableSummary summary = seal == null ? null : new TableSummary(seal.seal());
        long[] slice = {0, System.nanoTime()}; // records in this slice, and when it began
        try (channel) {
            newLast = writeTable(db, () -> {
                if (rest != null && ++slice[0] > SLICE_RECORDS) {
                    rest.accept(System.nanoTime() - slice[1]);
                    slice[0] = 1;
                    slice[1] = System.nanoTime();
                }
                byte[][] record;
                while ((record = reader.next()) != null) {
                    if (after == null || Arrays.compareUnsigned(record[0], after) > 0) {
                        if (summary != null) {
                            summary.add(record, reader, segment);
                        }
                        return record;
                    }
                    requireInDb(db, segment, record[0]); // moved before (a crash between move and delete)
                }
                return null;
            }, table, summary == null ? null : bytes -> seal.table(summary.table(Journal.number(segment), bytes)));
        } catch (IOException e) {
            throw new RecordingException("cannot read journal segment " + segment + ": " + e.getMessage(), e);
        }
        if (newLast == null && seal != null) {
            seal.segmentGone(Journal.number(segment));
        }
        try {
            if (reader.damage() == null) {
                Files.delete(segment);
            } else {
                // A torn tail (an OS crash): its events are in RocksDB, the rest is kept for whoever
                // investigates, out of the way of readers (only *.seg files are read).
                Files.move(segment, segment.resolveSibling(segment.getFileName() + ".damaged"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new RecordingException("recording " + db.folder + ": cannot remove ingested journal segment " + segment
                    + ": " + e, e);
        }
        return newLast == null ? after : newLast;
    }

    /** Counts and chains the records going into one table, checking they continue the seal. */
    private static final class TableSummary {
        private final Chain chainer = new Chain();
        private long events;
        private int chain;
        private final long eventsBefore;
        private byte[] first;
        private byte[] lastKey;

        TableSummary(Seal seal) {
            this.eventsBefore = seal.events();
            this.chain = seal.chain();
        }

        void add(byte[][] record, Journal.SegmentReader reader, Path segment) {
            chain = chainer.next(chain, record[0], record[1]);
            if (reader.chained() && (reader.chain() != chain || reader.eventsBefore() + reader.records() != eventsBefore + events + 1)) {
                throw new RecordingFormatException("journal segment " + segment + " does not continue the recording: its event "
                        + (reader.eventsBefore() + reader.records()) + " follows " + (eventsBefore + events)
                        + " events in RocksDB, or their chain differs; a journal segment before it is missing or damaged: keep a copy "
                        + "and move the recording away");
            }
            if (first == null) {
                first = record[0];
            }
            lastKey = record[0];
            events++;
        }

        Seal.Table table(long segment, long bytes) {
            HexFormat hex = HexFormat.of();
            return new Seal.Table(segment, hex.formatHex(first), hex.formatHex(lastKey), events, Chain.hex(chain), bytes);
        }
    }

    /**
     * A record skipped because RocksDB's last key is past it must be in RocksDB: otherwise it was
     * overtaken by a later segment, and deleting this one would lose it.
     */
    private static void requireInDb(RecordingDb db, Path segment, byte[] key) {
        try {
            if (db.db.get(db.events, key) == null) {
                throw new RecordingFormatException("journal segment " + segment + " holds event " + EventKey.fromBytes(key)
                        + ", which is before the recording's last event but not in it; keep a copy of the recording and report this");
            }
        } catch (RocksDBException e) {
            throw new RecordingException("recording " + db.folder + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the records (keys strictly increasing, each after everything RocksDB holds) into one
     * table file at {@code table} and ingests it.
     *
     * @return the last key written, or null when there were no records
     */
    static byte[] writeTable(RecordingDb db, Supplier<byte[][]> records, Path table) {
        return writeTable(db, records, table, null);
    }

    /**
     * Like {@link #writeTable(RecordingDb, Supplier, Path)}; {@code beforeIngest}, when given, hears
     * the table file's size after it is written and before RocksDB takes it in.
     */
    static byte[] writeTable(RecordingDb db, Supplier<byte[][]> records, Path table, java.util.function.LongConsumer beforeIngest) {
        byte[] lastKey = null;
        boolean written = false;
        try (Options options = tableOptions(); EnvOptions env = new EnvOptions(); SstFileWriter writer = new SstFileWriter(env, options)) {
            Files.deleteIfExists(table);
            byte[][] record;
            boolean open = false;
            while ((record = records.get()) != null) {
                if (!open) {
                    writer.open(table.toString());
                    open = true;
                }
                writer.put(record[0], record[1]);
                lastKey = record[0];
            }
            if (!open) {
                return null;
            }
            writer.finish();
            if (beforeIngest != null) {
                beforeIngest.accept(Files.size(table));
            }
            written = true;
        } catch (RocksDBException | IOException e) {
            throw new RecordingException("recording " + db.folder + ": cannot write table file " + table + ": " + e.getMessage()
                    + "; check free disk space", e);
        } finally {
            if (!written) {
                deleteQuietly(table); // a bad record or a write error: no half table left behind
            }
        }
        try (IngestExternalFileOptions ingest = new IngestExternalFileOptions().setMoveFiles(true)) {
            db.db.ingestExternalFile(db.events, List.of(table.toString()), ingest);
        } catch (RocksDBException e) {
            throw new RecordingException("recording " + db.folder + ": cannot take in table file " + table + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(table); // moved into RocksDB (hard link) on success; garbage otherwise
        }
        return Objects.requireNonNull(lastKey);
    }

    /** How event tables are written: LZ4 blocks of 32 KiB (see {@link RecordingDb#eventColumnFamilyOptions()}). */
    static Options tableOptions() {
        return new Options()
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockSize(32 << 10));
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover table file in the journal folder is removed when the recording is next opened
        }
    }
}
