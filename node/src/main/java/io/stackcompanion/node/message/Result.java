package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What an ordered GET or CAS returned, computed by every node at the operation's place in the
 * order: a GET's {@code value} (left out when the key is absent), a CAS's {@code applied}. A PUT has
 * no result (its transaction and REPLY carry none, as before GET and CAS existed).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Result(String value, Boolean applied) {
    public static Result ofGet(String value) {
        return new Result(value, null);
    }

    public static Result ofCas(boolean applied) {
        return new Result(null, applied);
    }
}
