package io.stackcompanion.node.store;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * One atomic write to a {@link NodeStore}: everything one ordered batch changes (ledger append,
 * state commit, seqNo entries, meta) goes into one of these and then into {@link NodeStore#write}.
 *
 * <p>{@link Ledger} and {@link State} only advance their in-memory committed view (size, roots,
 * frontier) after {@code write} succeeded, through callbacks registered here; so a failed or
 * forgotten write can never leave memory ahead of disk. {@code write} consumes the batch; closing a
 * batch that was never written abandons it and releases whatever it reserved.
 */
public final class StoreBatch implements AutoCloseable {
    private final NodeStore store;
    private final WriteBatch writeBatch = new WriteBatch();
    private final List<Runnable> onWritten = new ArrayList<>();
    private final List<Runnable> onAbandoned = new ArrayList<>();
    private boolean written;
    private boolean closed;

    StoreBatch(NodeStore store) {
        this.store = store;
    }

    NodeStore store() {
        return store;
    }

    WriteBatch writeBatch() {
        checkOpen();
        return writeBatch;
    }

    void put(ColumnFamilyHandle cf, byte[] key, byte[] value) {
        try {
            writeBatch().put(cf, key, value);
        } catch (RocksDBException e) {
            throw new StoreException("cannot add to a write batch: " + e.getMessage(), e);
        }
    }

    void delete(ColumnFamilyHandle cf, byte[] key) {
        try {
            writeBatch().delete(cf, key);
        } catch (RocksDBException e) {
            throw new StoreException("cannot add to a write batch: " + e.getMessage(), e);
        }
    }

    /** Runs after the batch is durably written, in registration order. */
    void onWritten(Runnable action) {
        checkOpen();
        onWritten.add(action);
    }

    /** Runs if the batch is closed without being written (or its write failed). */
    void onAbandoned(Runnable action) {
        checkOpen();
        onAbandoned.add(action);
    }

    /** Whether this batch has been written or closed and can take nothing more. */
    public boolean isDone() {
        return closed;
    }

    void markWritten() {
        written = true;
        closed = true;
        writeBatch.close();
        onAbandoned.clear();
        for (Runnable action : onWritten) {
            action.run();
        }
        onWritten.clear();
    }

    /** Abandons the batch if it was not written: nothing reaches disk, reservations are released. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writeBatch.close();
        onWritten.clear();
        if (!written) {
            for (Runnable action : onAbandoned) {
                action.run();
            }
        }
        onAbandoned.clear();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this store batch was already written or closed");
        }
    }
}
