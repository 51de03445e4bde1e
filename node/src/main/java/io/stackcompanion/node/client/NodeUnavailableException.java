package io.stackcompanion.node.client;

import java.io.IOException;

/** A node did not answer: not listening, connection lost, or no answer within the timeout. */
public final class NodeUnavailableException extends IOException {
    private final String node;

    public NodeUnavailableException(String node, String message, Throwable cause) {
        super(message, cause);
        this.node = node;
    }

    public String node() {
        return node;
    }
}
