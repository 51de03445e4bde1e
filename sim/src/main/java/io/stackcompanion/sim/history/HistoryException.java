package io.stackcompanion.sim.history;

import io.stackcompanion.recorder.StackCompanionException;

/** A history that cannot be read: missing, or a line that is not a documented operation (named by its number). */
public final class HistoryException extends StackCompanionException {
    private static final long serialVersionUID = 1L;

    public HistoryException(String message) {
        super(message);
    }

    public HistoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
