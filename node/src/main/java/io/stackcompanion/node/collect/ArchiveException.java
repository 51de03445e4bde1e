package io.stackcompanion.node.collect;

import io.stackcompanion.recorder.StackCompanionException;

/** A recording archive or a collection cannot be used; the message is one line saying why and what to do. */
public final class ArchiveException extends StackCompanionException {
    public ArchiveException(String message) {
        super(message);
    }

    public ArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
