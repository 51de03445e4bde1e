package io.stackcompanion.recorder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The journal in front of a recording's RocksDB: numbered, append-only segment files in {@code
 * <recording>/journal/}. Appends land in a memory-mapped segment (in the page cache the moment the
 * bytes are stored: a SIGKILL loses nothing appended); full segments are moved into RocksDB as
 * table files by {@link Ingester} and deleted. This is the recording's write-ahead log.
 *
 * <pre>
 * segment file  {@code %020d.seg}, numbered in write order
 * header        version 2 (24 bytes): magic "SCJRNL\0\2", 8 bytes: events of the stack before this
 *               segment, 4 bytes: the {@link Chain} value before it, 4 bytes: CRC32C of the 20 before
 *               version 1 (16 bytes, unchained, written before 0.2): magic "SCJRNL\0\1", 8 bytes zero
 * records       each 8-byte aligned:
 *   4  body length B (big-endian; 0 = no more records); written last, so a record is all there or absent
 *   4  version 2: the chain value after this event, CRC32C(previous chain value, body); version 1: CRC32C of the body
 *   B  body: the 16-byte event key, then the event value ({@link EventCodec})
 *   .  zero padding to the next multiple of 8
 * </pre>
 *
 * A sealed segment ends with a zero length word. Only the last segment may end in an incomplete
 * record (a writer killed in the middle of an append, or a live writer seen by a reader): that record
 * was never acknowledged and is not an event. Anything else that does not parse is corruption,
 * reported with the file and offset. A reader that knows the writer is gone ({@code strictTail})
 * also tells an unfinished last append or a torn last record (nothing written after it) from damage
 * followed by more records, which is an error.
 */
final class Journal {

    static final String FOLDER = "journal";
    static final String SUFFIX = ".seg";
    /** The header of a version-2 segment, the one this build writes. */
    static final int HEADER_BYTES = 24;
    static final int V1_HEADER_BYTES = 16;
    static final int RECORD_HEADER_BYTES = 8;
    static final int KEY_BYTES = 16;
    private static final byte[] MAGIC_V1 = {'S', 'C', 'J', 'R', 'N', 'L', 0, 1};
    private static final byte[] MAGIC = {'S', 'C', 'J', 'R', 'N', 'L', 0, 2};

    private Journal() {}

    static Path folder(Path recording) {
        return recording.resolve(FOLDER);
    }

    static Path segmentFile(Path journal, long number) {
        return journal.resolve(String.format("%020d%s", number, SUFFIX));
    }

    static long number(Path segment) {
        String name = segment.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
    }

    /** Bytes a record of {@code bodyBytes} takes, padding included. */
    static int recordBytes(int bodyBytes) {
        return (RECORD_HEADER_BYTES + bodyBytes + 7) & ~7;
    }

    /** Writes a version-2 header: the segment follows {@code eventsBefore} events whose chain value is {@code chainBefore}. */
    static void writeHeader(ByteBuffer segment, long eventsBefore, int chainBefore) {
        byte[] header = header(eventsBefore, chainBefore);
        segment.put(0, header);
    }

    static byte[] header(long eventsBefore, int chainBefore) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.put(MAGIC).putLong(eventsBefore).putInt(chainBefore);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, HEADER_BYTES - 4);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** The journal's segment files in write order; empty when there is no journal. */
    static List<Path> segments(Path recording) {
        Path journal = folder(recording);
        if (!Files.isDirectory(journal)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(f -> f.getFileName().toString().matches("\\d{20}\\" + SUFFIX))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new RecordingException("recording " + recording + ": cannot list its journal " + journal + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the records of one segment in order with positional reads (never a mapping: a live
     * writer may truncate the file when it seals it). The channel may outlive the file's name: a
     * reader keeps reading a segment that was moved into RocksDB and deleted meanwhile. Each record
     * of a version-2 segment is checked against the chain value before it.
     */
    static final class SegmentReader {
        private static final int CHUNK = 1 << 20;

        private final Path file;
        private final FileChannel channel;
        private final boolean last;
        private final boolean strictTail;
        private final long limit;
        private final Chain chainer = new Chain();
        private final CRC32C crc = new CRC32C();
        private ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        private long bufStart;
        private long position = HEADER_BYTES;
        private boolean headerChecked;
        private boolean chained;
        private long eventsBefore;
        private long records;
        private int chain;
        private boolean ended;
        private long size = -1;
        private String damage;
        private long tornBytes;

        /**
         * @param last whether this is the journal's last segment, the only one allowed to end in an
         *     incomplete record
         * @param strictTail whether the writer is known to be gone, so that what follows the last
         *     record can be checked (a live writer may be writing there)
         */
        SegmentReader(Path file, FileChannel channel, boolean last, long limit, boolean strictTail) {
            this.file = file;
            this.channel = channel;
            this.last = last;
            this.limit = limit;
            this.strictTail = strictTail;
            buf.limit(0);
        }

        SegmentReader(Path file, FileChannel channel, boolean last, long limit) {
            this(file, channel, last, limit, false);
        }

        /** The next record's key and value, or null after the last one. */
        byte[][] next() {
            if (ended) {
                return null;
            }
            if (!headerChecked) {
                headerChecked = true;
                if (!checkHeader()) {
                    return end();
                }
            }
            if (position >= limit) {
                return end(); // appended after the reader opened
            }
            if (!fill(position, RECORD_HEADER_BYTES)) {
                return incomplete("the segment ends without an end marker", -1);
            }
            int at = (int) (position - bufStart);
            int body = buf.getInt(at);
            if (body == 0) {
                if (!last && position + RECORD_HEADER_BYTES != size()) {
                    throw corrupted(position, "a zero length word " + (size() - position - RECORD_HEADER_BYTES)
                            + " bytes before the segment's end (a sealed segment ends right after its last record)");
                }
                if (last && strictTail) {
                    checkAfterEnd();
                }
                return end();
            }
            int stored = buf.getInt(at + 4);
            if (body < KEY_BYTES + EventCodec.MIN_VALUE_BYTES || position + recordBytes(body) > Math.min(limit, size())) {
                return incomplete("a record length of " + body + " bytes, more than the segment holds", -1);
            }
            if (!fill(position, recordBytes(body))) {
                return incomplete("a record of " + body + " bytes that the file does not hold", -1);
            }
            at = (int) (position - bufStart);
            byte[] array = buf.array();
            int computed;
            if (chained) {
                computed = chainer.nextOverBody(chain, array, at + RECORD_HEADER_BYTES, body);
            } else {
                crc.reset();
                crc.update(array, at + RECORD_HEADER_BYTES, body);
                computed = (int) crc.getValue();
            }
            if (computed != stored) {
                return incomplete(chained ? "a record whose checksum does not match the chain before it"
                        : "a record whose checksum does not match", position + recordBytes(body));
            }
            byte[] key = new byte[KEY_BYTES];
            byte[] value = new byte[body - KEY_BYTES];
            System.arraycopy(array, at + RECORD_HEADER_BYTES, key, 0, KEY_BYTES);
            System.arraycopy(array, at + RECORD_HEADER_BYTES + KEY_BYTES, value, 0, value.length);
            position += recordBytes(body);
            chain = stored;
            records++;
            return new byte[][] {key, value};
        }

        /** File offset just after the last record read (where the end marker or the torn record is). */
        long position() {
            return position;
        }

        /** Whether the segment carries the chain (version 2). */
        boolean chained() {
            return chained;
        }

        /** Version 2: events of the stack before this segment, from its header. */
        long eventsBefore() {
            return eventsBefore;
        }

        /** Version 2: the chain value after the last record read (before the first: the header's). */
        int chain() {
            return chain;
        }

        /** Records read so far. */
        long records() {
            return records;
        }

        private boolean checkHeader() {
            if (!fill(0, V1_HEADER_BYTES)) {
                if (last) {
                    return false; // a segment the writer has just created
                }
                throw corrupted(0, "the segment is shorter than its header");
            }
            byte[] magic = new byte[MAGIC.length];
            buf.get((int) (0 - bufStart), magic);
            if (Arrays.equals(magic, MAGIC_V1)) {
                position = V1_HEADER_BYTES;
                return true;
            }
            if (Arrays.equals(magic, MAGIC)) {
                if (!fill(0, HEADER_BYTES)) {
                    return incompleteHeader("the segment is shorter than its header");
                }
                byte[] header = new byte[HEADER_BYTES];
                buf.get((int) (0 - bufStart), header);
                ByteBuffer h = ByteBuffer.wrap(header);
                long before = h.getLong(8);
                int chainBefore = h.getInt(16);
                if (!Arrays.equals(header, Journal.header(before, chainBefore))) {
                    return incompleteHeader("a header whose checksum does not match");
                }
                chained = true;
                eventsBefore = before;
                chain = chainBefore;
                position = HEADER_BYTES;
                return true;
            }
            if (last && Arrays.equals(magic, new byte[MAGIC.length])) {
                if (strictTail && lastNonZero(0) >= 0) {
                    throw corrupted(0, "the segment has no header but holds data");
                }
                return false; // created, header not yet stored
            }
            throw corrupted(0, "not a Stack Companion journal segment (magic "
                    + new String(magic, StandardCharsets.ISO_8859_1).replaceAll("\\p{Cntrl}", "?") + ")");
        }

        private boolean incompleteHeader(String what) {
            if (last && !strictTail) {
                damage = what;
                return false;
            }
            throw corrupted(0, what);
        }

        /**
         * A record that does not parse. In the last segment of a live writer, an append seen
         * half-done: not an event. When the writer is gone, a torn last record (an OS crash tears
         * the last write; a SIGKILL does not: the length word is stored last) if nothing was
         * written after it, and damage otherwise.
         *
         * @param extentEnd where the record ends if its length can be trusted, or -1
         */
        private byte[][] incomplete(String what, long extentEnd) {
            if (!last) {
                throw corrupted(position, what);
            }
            if (strictTail) {
                long after = extentEnd < 0 ? -1 : lastNonZero(extentEnd);
                if (extentEnd < 0 || after >= 0) {
                    throw corrupted(position, what + ", and data after it up to offset "
                            + (extentEnd < 0 ? size() : after + 1) + " (damage, not a torn last write)");
                }
                tornBytes = lastNonZero(position) + 1 - position;
            }
            damage = what;
            return end();
        }

        /**
         * After the end marker of the last segment of a gone writer: nothing, or one append the
         * writer never finished (its length word is stored last). Anything more is damage that
         * would hide the records after it.
         */
        private void checkAfterEnd() {
            long nonZero = lastNonZero(position + 4);
            if (nonZero < 0) {
                return;
            }
            long extent = unfinishedAppendEnd();
            if (nonZero >= extent) {
                throw corrupted(position, "a zero length word, and data after it up to offset " + (nonZero + 1)
                        + " (a sealed or unfinished record cannot be followed by more)");
            }
            damage = "an append the writer never finished";
            tornBytes = nonZero + 1 - position;
        }

        /** Where a record starting at {@link #position} ends, judged from its event value's own fields. */
        private long unfinishedAppendEnd() {
            long valueAt = position + RECORD_HEADER_BYTES + KEY_BYTES;
            int available = (int) Math.min(CHUNK, Math.max(0, size() - valueAt));
            if (available <= 0 || !fill(valueAt, available)) {
                return position + RECORD_HEADER_BYTES + KEY_BYTES;
            }
            long valueBytes = EventCodec.valueLength(buf.array(), (int) (valueAt - bufStart), available);
            if (valueBytes < 0) {
                valueBytes = available; // the value's fields run past what the file holds: it ends with it
            }
            return position + recordBytes((int) Math.min(Integer.MAX_VALUE - 64, KEY_BYTES + valueBytes));
        }

        /** The offset of the last non-zero byte at or after {@code from}, or -1. */
        private long lastNonZero(long from) {
            long end = size();
            long found = -1;
            ByteBuffer scan = ByteBuffer.allocate(CHUNK);
            try {
                for (long at = from; at < end; at += CHUNK) {
                    scan.clear();
                    int n = 0;
                    while (scan.hasRemaining()) {
                        int r = channel.read(scan, at + scan.position());
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                    byte[] a = scan.array();
                    for (int i = n - 1; i >= 0; i--) {
                        if (a[i] != 0) {
                            found = at + i;
                            break;
                        }
                    }
                }
            } catch (IOException e) {
                throw new RecordingException("cannot read journal segment " + file + ": " + e.getMessage(), e);
            }
            return found;
        }

        /** Why the last segment's reading stopped before an end marker, or null when it did not. */
        String damage() {
            return damage;
        }

        /** Bytes of an unfinished or torn last record a gone writer left (0 when none). */
        long tornBytes() {
            return tornBytes;
        }

        private long size() {
            if (size < 0) {
                try {
                    size = channel.size();
                } catch (IOException e) {
                    throw new RecordingException("cannot read journal segment " + file + ": " + e, e);
                }
            }
            return size;
        }

        private byte[][] end() {
            ended = true;
            return null;
        }

        private RecordingFormatException corrupted(long offset, String what) {
            return new RecordingFormatException("journal segment " + file + " at offset " + offset + ": " + what
                    + ": the recording is corrupted; keep a copy and move the recording away");
        }

        /** Makes {@code [from, from + length)} of the file available in {@code buf}; false at end of file. */
        private boolean fill(long from, int length) {
            if (from >= bufStart && from + length <= bufStart + buf.limit()) {
                return true;
            }
            if (buf.capacity() < length) {
                buf = ByteBuffer.allocate(Math.max(length, CHUNK));
            }
            buf.clear();
            bufStart = from;
            try {
                while (buf.position() < length) {
                    int n = channel.read(buf, from + buf.position());
                    if (n < 0) {
                        buf.flip();
                        return false;
                    }
                }
            } catch (IOException e) {
                throw new RecordingException("cannot read journal segment " + file + ": " + e.getMessage(), e);
            }
            buf.flip();
            return true;
        }
    }

    /** Opens a segment for reading; null when it was deleted (moved into RocksDB) before we got to it. */
    static FileChannel openForReading(Path segment) {
        try {
            return FileChannel.open(segment, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new RecordingException("cannot open journal segment " + segment + ": " + e.getMessage(), e);
        }
    }

    /**
     * Open channels on the segments present now, in order; see {@link SegmentReader}. The last one
     * (a live writer's active segment) is read to its end now, and read no further later: a reader
     * sees the events appended up to the moment it opened, like its view of RocksDB.
     *
     * @param strictTail whether the writer is known to be gone (see {@link SegmentReader})
     */
    static List<OpenSegment> openAll(Path recording, boolean strictTail) {
        List<OpenSegment> open = new ArrayList<>();
        try {
            List<Path> segments = segments(recording);
            for (Path segment : segments) {
                FileChannel channel = openForReading(segment);
                if (channel != null) {
                    open.add(new OpenSegment(segment, channel, Long.MAX_VALUE, strictTail, 0));
                }
            }
            if (!open.isEmpty()) {
                OpenSegment last = open.get(open.size() - 1);
                SegmentReader reader = last.reader(true);
                while (reader.next() != null) {
                    // to the end of what is there now
                }
                open.set(open.size() - 1, new OpenSegment(last.file(), last.channel(), reader.position(), strictTail, reader.tornBytes()));
            }
            return open;
        } catch (RuntimeException e) {
            closeAll(open);
            throw e;
        }
    }

    static void closeAll(List<OpenSegment> segments) {
        for (OpenSegment segment : segments) {
            try {
                segment.channel().close();
            } catch (IOException e) {
                // closing a read-only channel: nothing was written, nothing can be lost
            }
        }
    }

    /**
     * A segment file, a read channel on it, and the offset where reading stops (records appended
     * later are not seen).
     *
     * @param tornBytes for the last segment of a gone writer: bytes of an unfinished or torn last
     *     record after {@code limit}, never part of the recording
     */
    record OpenSegment(Path file, FileChannel channel, long limit, boolean strictTail, long tornBytes) {
        SegmentReader reader(boolean last) {
            // Up to the limit found at open: what lies past it was judged then.
            return new SegmentReader(file, channel, last, limit, strictTail && limit == Long.MAX_VALUE);
        }
    }
}
