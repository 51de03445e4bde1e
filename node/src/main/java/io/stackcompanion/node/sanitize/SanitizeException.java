package io.stackcompanion.node.sanitize;

import io.stackcompanion.recorder.StackCompanionException;

/** A recording cannot be sanitized (or the key file cannot be used); one line saying why, nothing written. */
public final class SanitizeException extends StackCompanionException {
    public SanitizeException(String message) {
        super(message);
    }

    public SanitizeException(String message, Throwable cause) {
        super(message, cause);
    }
}
