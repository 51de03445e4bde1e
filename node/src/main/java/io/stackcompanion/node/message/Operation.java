package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Objects;

/**
 * What a client asks the pool to do: {@code PUT key value}, {@code GET key}, or {@code CAS key
 * expected value} (write {@code value} only if the key's current value equals {@code expected}; an
 * absent key never equals). Every operation is ordered like a write and becomes one ledger
 * transaction, so a GET's result reflects every operation ordered before it.
 *
 * <p>{@code value} is absent for GET, {@code expected} present only for CAS; an absent field is left
 * out of the encoding, so a PUT encodes exactly as before GET and CAS existed. The node checks the
 * fields each type needs ({@code Propagator.validate}) and REJECTs the rest.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Operation(String type, String key, String value, String expected) {
    public static final String PUT = "PUT";
    public static final String GET = "GET";
    public static final String CAS = "CAS";

    public Operation {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
    }

    /** An operation without {@code expected} (PUT, GET). */
    public Operation(String type, String key, String value) {
        this(type, key, value, null);
    }

    public static Operation put(String key, String value) {
        return new Operation(PUT, key, Objects.requireNonNull(value, "value"), null);
    }

    public static Operation get(String key) {
        return new Operation(GET, key, null, null);
    }

    public static Operation cas(String key, String expected, String value) {
        return new Operation(CAS, key, Objects.requireNonNull(value, "value"), Objects.requireNonNull(expected, "expected"));
    }
}
