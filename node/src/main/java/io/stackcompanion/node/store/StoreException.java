package io.stackcompanion.node.store;

import io.stackcompanion.recorder.StackCompanionException;

/**
 * The node's store cannot be opened, read or written; the one-line message says what is wrong and
 * what to do. A failed write is fatal for the node: stop it and let catch-up repair it on restart.
 */
public final class StoreException extends StackCompanionException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
