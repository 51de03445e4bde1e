package io.stackcompanion.node.message;

import java.util.Objects;

/** What a client asks the pool to do. The only write today is {@code PUT key value}. */
public record Operation(String type, String key, String value) {
    public static final String PUT = "PUT";

    public Operation {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    public static Operation put(String key, String value) {
        return new Operation(PUT, key, value);
    }
}
