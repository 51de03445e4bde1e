package io.stackcompanion.node.stack;

import io.stackcompanion.recorder.StackCompanionException;

/** A stack cannot run as configured; the message is one line saying what is wrong and what to do. */
public final class StackException extends StackCompanionException {
    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
