package io.stackcompanion.node.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * The uncommitted layer that {@link Ledger} and {@link State} each keep over their committed part:
 * units added speculatively, oldest first (a transaction, or one batch of state writes). The oldest
 * are reserved by one unwritten {@link StoreBatch} at a time and leave the layer only when that batch
 * is written, the committed part then advancing to the last of them; an abandoned batch releases
 * them. So memory is never ahead of disk. Not thread-safe; owned by its ledger or state.
 */
final class UncommittedLayer<T> {
    /** What a unit is, for messages ("txns", "state units"). */
    private final String units;
    /** Advances the committed part to just after this unit (the last one a written batch committed). */
    private final Consumer<T> commitThrough;
    private final List<T> layer = new ArrayList<>();
    private int reserved;
    private StoreBatch reservedBy;

    UncommittedLayer(String units, Consumer<T> commitThrough) {
        this.units = units;
        this.commitThrough = commitThrough;
    }

    void add(T unit) {
        layer.add(unit);
    }

    /** All units, reserved ones included, oldest first (read only). */
    List<T> all() {
        return Collections.unmodifiableList(layer);
    }

    boolean isEmpty() {
        return layer.isEmpty();
    }

    /** The newest unit; the layer must not be empty. */
    T last() {
        return layer.get(layer.size() - 1);
    }

    /** Units not yet reserved by the unwritten batch. */
    int unreserved() {
        return layer.size() - reserved;
    }

    /** Units reserved before the next {@link #reserve} on the same batch. */
    int reserved() {
        return reserved;
    }

    /**
     * Reserves the oldest {@code count} unreserved units for {@code batch} and returns them, for the
     * caller to put into it. Several calls on one batch take consecutive units; another batch cannot
     * reserve while this one is unwritten.
     */
    List<T> reserve(int count, StoreBatch batch) {
        if (reservedBy != null && reservedBy != batch) {
            throw new IllegalStateException("another unwritten batch is committing " + units + "; write or close it first");
        }
        if (count < 0 || count > unreserved()) {
            throw new IllegalArgumentException("cannot commit " + count + " " + units + ": only " + unreserved() + " uncommitted");
        }
        List<T> next = List.copyOf(layer.subList(reserved, reserved + count));
        if (reservedBy == null) {
            reservedBy = batch;
            batch.onWritten(this::applyReserved);
            batch.onAbandoned(this::releaseReserved);
        }
        reserved += count;
        return next;
    }

    /** Fails unless the layer is empty: {@code action} (a catch-up write) goes straight to the committed part. */
    void checkEmpty(String action) {
        if (!layer.isEmpty()) {
            throw new IllegalStateException("cannot " + action + " over " + layer.size() + " uncommitted " + units
                    + "; discard them first");
        }
    }

    /** Drops every unit (view change); not allowed while a batch committing some is unwritten. */
    void discard() {
        if (reserved > 0) {
            throw new IllegalStateException("cannot discard uncommitted " + units + " while a batch committing "
                    + reserved + " of them is unwritten");
        }
        layer.clear();
    }

    private void applyReserved() {
        if (reserved > 0) {
            commitThrough.accept(layer.get(reserved - 1));
            layer.subList(0, reserved).clear();
        }
        releaseReserved();
    }

    private void releaseReserved() {
        reserved = 0;
        reservedBy = null;
    }
}
