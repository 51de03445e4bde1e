package io.stackcompanion.replay;

import io.stackcompanion.recorder.StackCompanionException;

/** A recording that cannot be replayed as asked; the message says what is wrong and what to do. */
public final class ReplayException extends StackCompanionException {
    public ReplayException(String message) {
        super(message);
    }

    public ReplayException(String message, Throwable cause) {
        super(message, cause);
    }
}
