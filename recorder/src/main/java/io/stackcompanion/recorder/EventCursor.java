package io.stackcompanion.recorder;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

/**
 * A lazy, forward iterator over a recording's events in key order; it reads one event at a time
 * from RocksDB and never loads the recording into memory. Holds native resources: close it (its
 * {@link RecordingReader} also closes any cursor left open).
 */
public final class EventCursor implements Iterator<RecordedEvent>, AutoCloseable {

    private final RecordingReader reader;
    private final RecordingDb db;
    private final ReadOptions readOptions;
    private final RocksIterator iterator;
    private boolean closed;

    EventCursor(RecordingReader reader, RecordingDb db, EventKey from) {
        this.reader = reader;
        this.db = db;
        // A scan reads each block once: do not evict other data from the cache; read ahead.
        this.readOptions = new ReadOptions().setFillCache(false).setReadaheadSize(2L << 20);
        this.iterator = db.db.newIterator(db.events, readOptions);
        iterator.seek(from.toBytes());
    }

    /**
     * Whether another event follows.
     *
     * @throws RecordingFormatException if RocksDB reports corrupted files
     */
    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        if (iterator.isValid()) {
            return true;
        }
        db.check(iterator);
        return false;
    }

    /**
     * The next event.
     *
     * @throws RecordingFormatException if the event is truncated or corrupted
     */
    @Override
    public RecordedEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more events in " + db.folder);
        }
        RecordedEvent event = EventCodec.decode(iterator.key(), iterator.value(), db.folder);
        iterator.next();
        return event;
    }

    /** The key of the next event without decoding its value, or {@code null} at the end. */
    EventKey peekKey() {
        return hasNext() ? EventCodec.decodeKey(iterator.key(), db.folder) : null;
    }

    /** The raw key and value of the next event, then advances; for checks that must see bad bytes. */
    byte[][] nextRaw() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more events in " + db.folder);
        }
        byte[][] raw = {iterator.key(), iterator.value()};
        iterator.next();
        return raw;
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
