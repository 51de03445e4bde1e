package io.stackcompanion.recorder;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Appends records to the journal's active segment, a memory-mapped file: an append is two copies
 * and a checksum, no system call, and the bytes are in the page cache when it returns (durable
 * against a crash of the process, not of the machine). A full segment is sealed (unmapped and cut
 * to its records plus the end marker) and handed to {@code onSealed}. Single writer; the caller
 * serialises appends.
 *
 * <p>Page faults come in bursts: the first write to each page of the mapping is a page fault, and
 * taken one at a time, between the node's other work, each costs the writing thread about 25 µs of
 * kernel time (measured on a running node: its core thread's system time and fault count with and
 * without recording). Touching the next {@value #PREFAULT_BYTES} bytes' pages in one go costs a few
 * µs a page, so the writer keeps that much of the mapping ahead of it faulted in.
 */
final class JournalWriter implements AutoCloseable {

    /** Publishes a record's length after its body: readers and crash recovery never see half a record. */
    private static final VarHandle LENGTH = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /** How far ahead of the writer the mapping's pages are faulted in, in one burst when it gets within half of it. */
    static final int PREFAULT_BYTES = 256 << 10;
    private static final int PAGE = 4096;

    /** The largest record a segment (one mapping, at most 2 GiB) can take, headers included. */
    static final long MAX_RECORD_BYTES = Integer.MAX_VALUE - Journal.HEADER_BYTES - 2L * Journal.RECORD_HEADER_BYTES - 8;

    private final Path journal;
    private final long segmentBytes;
    private final Consumer<Path> onSealed;
    private final java.util.function.LongConsumer onCreated;
    private final CRC32C crc = new CRC32C();
    private final byte[] chainBytes = new byte[4];
    /** Events of the stack appended so far (in earlier runs too), and the chain value after the last. */
    private long events;
    private int chain;
    private long number;
    private Path file;
    private FileChannel channel;
    private MappedByteBuffer map;
    private int position;
    /** The mapping's pages below this offset are faulted in (written at least once). */
    private int prefaulted;
    private int records;
    /** A segment unmapped but not yet cut to size (its channel still open), when cutting failed. */
    private Path uncut;
    /** A sealed segment with records not yet handed over, when handing over failed. */
    private Path unhanded;

    /**
     * @param journal the journal folder (created if missing)
     * @param lastNumber the highest segment number found there (0 for none): new segments follow it
     * @param segmentBytes the size of a segment; a larger event gets a segment of its own size
     * @param onSealed receives each sealed segment that holds records, in order
     * @param onCreated hears of each segment created (its number), before any record goes into it
     * @param events the stack's events before the first append (in RocksDB)
     * @param chain the {@link Chain} value after them
     */
    JournalWriter(Path journal, long lastNumber, long segmentBytes, Consumer<Path> onSealed,
            java.util.function.LongConsumer onCreated, long events, int chain) {
        if (segmentBytes < 4096 || segmentBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segment size must be 4 KiB .. 2 GiB, got " + segmentBytes);
        }
        this.journal = journal;
        this.number = lastNumber;
        this.segmentBytes = segmentBytes;
        this.onSealed = onSealed;
        this.onCreated = onCreated;
        this.events = events;
        this.chain = chain;
    }

    /** A writer of a new, empty stack's journal that nobody needs to hear of new segments. */
    JournalWriter(Path journal, long lastNumber, long segmentBytes, Consumer<Path> onSealed) {
        this(journal, lastNumber, segmentBytes, onSealed, number -> { }, 0, Chain.START);
    }

    /**
     * Appends one record; when this returns the record survives a SIGKILL of this process.
     *
     * @throws RecordingException if the record could not be stored (not appended then); a segment
     *     that could not be sealed is retried first by every later append, never left behind
     */
    void append(byte[] key, byte[] value) {
        long need = Journal.recordBytes(key.length + value.length);
        if (need > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("an event of " + value.length + " bytes does not fit a journal segment (2 GiB at most)");
        }
        // Room for the record and, after it, the zero length word that ends a sealed segment.
        if (map == null || position + need + Journal.RECORD_HEADER_BYTES > map.capacity()) {
            roll((int) need);
        }
        int body = key.length + value.length;
        try {
            map.put(position + Journal.RECORD_HEADER_BYTES, key);
            map.put(position + Journal.RECORD_HEADER_BYTES + key.length, value);
            crc.reset();
            Chain.putInt(chainBytes, chain);
            crc.update(chainBytes);
            crc.update(key);
            crc.update(value);
            int next = (int) crc.getValue();
            map.putInt(position + 4, next);
            LENGTH.setRelease(map, position, body);
            chain = next;
            events++;
        } catch (InternalError e) {
            // The JVM's report of SIGBUS on a mapped file: the file system could not back the page.
            throw new RecordingException("cannot write journal segment " + file + ": the file system refused the page ("
                    + e + "); check free disk space", e);
        }
        position += (int) need;
        records++;
        if (position + PREFAULT_BYTES / 2 > prefaulted) {
            prefault();
        }
    }

    /**
     * Writes a zero into each page from the first one wholly past the writer to {@value
     * #PREFAULT_BYTES} beyond: those bytes are zero already (unwritten), so this changes nothing a
     * reader sees and only takes the page faults now, together.
     */
    private void prefault() {
        long from = Math.max(prefaulted, ((long) position + PAGE - 1) / PAGE * PAGE);
        int to = (int) Math.min(map.capacity(), (long) position + PREFAULT_BYTES);
        try {
            for (long page = from; page < to; page += PAGE) {
                map.put((int) page, (byte) 0);
            }
            prefaulted = Math.max(prefaulted, to);
        } catch (InternalError e) {
            // The file system cannot back a page (disk full): stop here; the append that reaches the
            // page reports it.
            prefaulted = map.capacity();
        }
    }

    /**
     * Seals the active segment now (if it holds records) and hands it over; the next append starts a
     * new one. A step that fails is retried by the next call (and by the next append), in order:
     * no later segment is created while one is not handed over, so none can overtake it.
     */
    void seal() {
        boolean interrupted = Thread.interrupted(); // channel operations would fail on an interrupted thread
        try {
            if (map != null) {
                MappedByteBuffer mapped = map;
                map = null;
                Unmapper.unmap(mapped);
                uncut = file;
            }
            if (uncut != null) {
                cut();
            }
            if (unhanded != null) {
                onSealed.accept(unhanded);
                unhanded = null;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void cut() {
        try {
            if (records == 0) {
                channel.close();
                Files.deleteIfExists(uncut);
            } else {
                channel.truncate((long) position + Journal.RECORD_HEADER_BYTES); // keep the zero end marker
                channel.close();
                unhanded = uncut;
            }
        } catch (IOException e) {
            throw new RecordingException("cannot seal journal segment " + uncut + ": " + e + "; check the disk", e);
        }
        channel = null;
        uncut = null;
    }

    private void roll(int need) {
        seal();
        boolean interrupted = Thread.interrupted();
        number++;
        file = Journal.segmentFile(journal, number);
        long capacity = Math.max(segmentBytes, (long) Journal.HEADER_BYTES + need + Journal.RECORD_HEADER_BYTES);
        try {
            Files.createDirectories(journal);
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            map = channel.map(FileChannel.MapMode.READ_WRITE, 0, capacity);
        } catch (IOException | RuntimeException e) {
            abandon(); // no empty segment left between others: readers would call it damaged
            throw new RecordingException("cannot create journal segment " + file + ": " + e
                    + "; check free disk space and permissions", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        Journal.writeHeader(map, events, chain);
        position = Journal.HEADER_BYTES;
        prefaulted = 0;
        records = 0;
        prefault();
        try {
            onCreated.accept(number); // the seal now says this segment must exist
        } catch (RuntimeException e) {
            Unmapper.unmap(map);
            abandon();
            throw e;
        }
    }

    private void abandon() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing; the first error is the one reported
            }
            channel = null;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the next roll reuses the number and fails on CREATE_NEW with a message naming the file
        }
        number--;
        map = null;
    }

    /** Seals the active segment (handing it over) and releases the mapping and the channel, also when sealing fails. */
    @Override
    public void close() {
        try {
            seal();
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the seal's failure is the one reported; the segment's records are complete on disk
                }
                channel = null;
            }
        }
    }

    /**
     * Releases a mapping now rather than at some garbage collection: a sealed segment is cut to size
     * (which a live mapping would turn into SIGBUS) and deleted once ingested (which a live mapping
     * would keep on disk). Java 17 has no public unmap; {@code sun.misc.Unsafe.invokeCleaner} is the
     * supported way (jdk.unsupported), looked up reflectively.
     */
    static final class Unmapper {
        private static final Object UNSAFE;
        private static final Method INVOKE_CLEANER;

        static {
            try {
                Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
                Field field = unsafeClass.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                UNSAFE = field.get(null);
                INVOKE_CLEANER = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private Unmapper() {}

        static void unmap(MappedByteBuffer buffer) {
            try {
                INVOKE_CLEANER.invoke(UNSAFE, buffer);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot unmap a journal segment", e);
            }
        }
    }
}
