package io.stackcompanion.replay;

/** A recording that cannot be replayed as asked; the message says what is wrong and what to do. */
public final class ReplayException extends RuntimeException {
    public ReplayException(String message) {
        super(message);
    }

    public ReplayException(String message, Throwable cause) {
        super(message, cause);
    }
}
