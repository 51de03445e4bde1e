package io.stackcompanion.recorder;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

/**
 * A lazy, forward iterator over a recording's events in key order: those in RocksDB, then those
 * still in its journal. It reads one event at a time and never loads the recording into memory.
 * Holds native resources: close it (its {@link RecordingReader} also closes any cursor left open).
 */
public final class EventCursor implements Iterator<RecordedEvent>, AutoCloseable {

    private final RecordingReader reader;
    private final RecordingDb db;
    private final ReadOptions readOptions;
    private final RocksIterator iterator;
    private final List<Journal.OpenSegment> journal;
    private final byte[] lastKeyInDb;
    private final byte[] from;
    private boolean inDb = true;
    private int segment;
    private Journal.SegmentReader segmentReader;
    private byte[][] ahead;
    private Path aheadSource;
    private Path lastSource;
    private boolean closed;

    EventCursor(RecordingReader reader, RecordingDb db, EventKey from, List<Journal.OpenSegment> journal, byte[] lastKeyInDb) {
        this.reader = reader;
        this.db = db;
        this.journal = journal;
        this.lastKeyInDb = lastKeyInDb;
        this.from = from.toBytes();
        // A scan reads each block once: do not evict other data from the cache; read ahead.
        this.readOptions = new ReadOptions().setFillCache(false).setReadaheadSize(2L << 20);
        try {
            this.iterator = db.db.newIterator(db.events, readOptions);
        } catch (RuntimeException e) {
            readOptions.close();
            throw e;
        }
        iterator.seek(this.from);
    }

    /**
     * Whether another event follows.
     *
     * @throws RecordingFormatException if RocksDB reports corrupted files or the journal is corrupted
     */
    @Override
    public boolean hasNext() {
        return peekRaw() != null;
    }

    /**
     * The next event.
     *
     * @throws RecordingFormatException if the event is truncated or corrupted
     */
    @Override
    public RecordedEvent next() {
        byte[][] raw = nextRaw();
        return EventCodec.decode(raw[0], raw[1], db.folder);
    }

    /** The key of the next event without decoding its value, or {@code null} at the end. */
    EventKey peekKey() {
        byte[][] raw = peekRaw();
        return raw == null ? null : EventCodec.decodeKey(raw[0], db.folder);
    }

    /**
     * The raw key and value of the next event, then advances; for checks that must see bad bytes.
     * An event read from a chained journal segment has a third element: the chain value its record
     * carries (4 bytes, big-endian).
     */
    byte[][] nextRaw() {
        byte[][] raw = peekRaw();
        if (raw == null) {
            throw new NoSuchElementException("no more events in " + db.folder);
        }
        lastSource = aheadSource;
        ahead = null;
        return raw;
    }

    /** Where the event {@link #nextRaw} returned last was read: its journal segment, or the recording's folder. */
    Path lastSource() {
        return lastSource;
    }

    private byte[][] peekRaw() {
        if (closed) {
            return null;
        }
        if (ahead != null) {
            return ahead;
        }
        if (inDb) {
            if (iterator.isValid()) {
                ahead = new byte[][] {iterator.key(), iterator.value()};
                aheadSource = db.folder;
                iterator.next();
                return ahead;
            }
            db.check(iterator);
            inDb = false;
        }
        while (segment < journal.size()) {
            if (segmentReader == null) {
                segmentReader = journal.get(segment).reader(segment == journal.size() - 1);
            }
            byte[][] record = segmentReader.next();
            if (record == null) {
                segmentReader = null;
                segment++;
            } else if ((lastKeyInDb == null || Arrays.compareUnsigned(record[0], lastKeyInDb) > 0)
                    && Arrays.compareUnsigned(record[0], from) >= 0) {
                // not yet in the RocksDB view this reader opened
                ahead = segmentReader.chained() ? new byte[][] {record[0], record[1], intBytes(segmentReader.chain())} : record;
                aheadSource = journal.get(segment).file();
                return ahead;
            }
        }
        return null;
    }

    private static byte[] intBytes(int v) {
        byte[] b = new byte[4];
        Chain.putInt(b, v);
        return b;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        iterator.close();
        readOptions.close();
        reader.forget(this);
    }
}
