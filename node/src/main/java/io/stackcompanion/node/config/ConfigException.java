package io.stackcompanion.node.config;

/** Configuration a user must fix; the message says what is wrong and what to do. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
