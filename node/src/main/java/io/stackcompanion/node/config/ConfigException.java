package io.stackcompanion.node.config;

import io.stackcompanion.recorder.StackCompanionException;

/** Configuration a user must fix; the message says what is wrong and what to do. */
public final class ConfigException extends StackCompanionException {
    public ConfigException(String message) {
        super(message);
    }
}
