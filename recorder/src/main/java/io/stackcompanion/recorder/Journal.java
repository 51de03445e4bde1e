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
 * header        8 bytes magic "SCJRNL\0\1", 8 bytes zero
 * records       each 8-byte aligned:
 *   4  body length B (big-endian; 0 = no more records); written last, so a record is all there or absent
 *   4  CRC32C of the body
 *   B  body: the 16-byte event key, then the event value ({@link EventCodec})
 *   .  zero padding to the next multiple of 8
 * </pre>
 *
 * A sealed segment ends with a zero length word. Only the last segment may end in an incomplete
 * record (a writer killed in the middle of an append, or a live writer seen by a reader): that record
 * was never acknowledged and is not an event. Anything else that does not parse is corruption,
 * reported with the file and offset.
 */
final class Journal {

    static final String FOLDER = "journal";
    static final String SUFFIX = ".seg";
    static final int HEADER_BYTES = 16;
    static final int RECORD_HEADER_BYTES = 8;
    static final int KEY_BYTES = 16;
    private static final byte[] MAGIC = {'S', 'C', 'J', 'R', 'N', 'L', 0, 1};

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

    static void writeHeader(ByteBuffer segment) {
        segment.put(0, MAGIC);
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
     * reader keeps reading a segment that was moved into RocksDB and deleted meanwhile.
     */
    static final class SegmentReader {
        private static final int CHUNK = 1 << 20;

        private final Path file;
        private final FileChannel channel;
        private final boolean last;
        private final long limit;
        private final CRC32C crc = new CRC32C();
        private ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        private long bufStart;
        private long position = HEADER_BYTES;
        private boolean headerChecked;
        private boolean ended;
        private long size = -1;
        private String damage;

        /**
         * @param last whether this is the journal's last segment, the only one allowed to end in an
         *     incomplete record
         */
        SegmentReader(Path file, FileChannel channel, boolean last, long limit) {
            this.file = file;
            this.channel = channel;
            this.last = last;
            this.limit = limit;
            buf.limit(0);
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
                return incomplete("the segment ends without an end marker");
            }
            int at = (int) (position - bufStart);
            int body = buf.getInt(at);
            if (body == 0) {
                if (!last && position + RECORD_HEADER_BYTES != size()) {
                    throw corrupted(position, "a zero length word " + (size() - position - RECORD_HEADER_BYTES)
                            + " bytes before the segment's end (a sealed segment ends right after its last record)");
                }
                return end();
            }
            int stored = buf.getInt(at + 4);
            if (body < KEY_BYTES + EventCodec.MIN_VALUE_BYTES || position + recordBytes(body) > Math.min(limit, size())) {
                return incomplete("a record length of " + body + " bytes, more than the segment holds");
            }
            if (!fill(position, recordBytes(body))) {
                return incomplete("a record of " + body + " bytes that the file does not hold");
            }
            at = (int) (position - bufStart);
            byte[] array = buf.array();
            crc.reset();
            crc.update(array, at + RECORD_HEADER_BYTES, body);
            if ((int) crc.getValue() != stored) {
                return incomplete("a record whose checksum does not match");
            }
            byte[] key = new byte[KEY_BYTES];
            byte[] value = new byte[body - KEY_BYTES];
            System.arraycopy(array, at + RECORD_HEADER_BYTES, key, 0, KEY_BYTES);
            System.arraycopy(array, at + RECORD_HEADER_BYTES + KEY_BYTES, value, 0, value.length);
            position += recordBytes(body);
            return new byte[][] {key, value};
        }

        /** File offset just after the last record read (where the end marker or the torn record is). */
        long position() {
            return position;
        }

        private boolean checkHeader() {
            if (!fill(0, HEADER_BYTES)) {
                if (last) {
                    return false; // a segment the writer has just created
                }
                throw corrupted(0, "the segment is shorter than its header");
            }
            byte[] magic = new byte[MAGIC.length];
            buf.get((int) (0 - bufStart), magic);
            if (java.util.Arrays.equals(magic, MAGIC)) {
                return true;
            }
            if (last && java.util.Arrays.equals(magic, new byte[MAGIC.length])) {
                return false; // created, header not yet stored
            }
            throw corrupted(0, "not a Stack Companion journal segment (magic "
                    + new String(magic, StandardCharsets.ISO_8859_1).replaceAll("\\p{Cntrl}", "?") + ")");
        }

        private byte[][] incomplete(String what) {
            if (last) {
                // An append seen half-done by a live reader, or a tail an OS crash tore: never
                // acknowledged as a whole, not an event (a SIGKILL leaves no such record: the
                // length word is stored last).
                damage = what;
                return end();
            }
            throw corrupted(position, what);
        }

        /** Why the last segment's reading stopped before an end marker, or null when it did not. */
        String damage() {
            return damage;
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
     */
    static List<OpenSegment> openAll(Path recording) {
        List<OpenSegment> open = new ArrayList<>();
        try {
            List<Path> segments = segments(recording);
            for (Path segment : segments) {
                FileChannel channel = openForReading(segment);
                if (channel != null) {
                    open.add(new OpenSegment(segment, channel, Long.MAX_VALUE));
                }
            }
            if (!open.isEmpty()) {
                OpenSegment last = open.get(open.size() - 1);
                SegmentReader reader = last.reader(true);
                while (reader.next() != null) {
                    // to the end of what is there now
                }
                open.set(open.size() - 1, new OpenSegment(last.file(), last.channel(), reader.position()));
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
     */
    record OpenSegment(Path file, FileChannel channel, long limit) {
        SegmentReader reader(boolean last) {
            return new SegmentReader(file, channel, last, limit);
        }
    }
}
