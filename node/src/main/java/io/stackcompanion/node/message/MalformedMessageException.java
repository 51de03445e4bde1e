package io.stackcompanion.node.message;

/** A payload that is not a valid message: bad JSON or binary, unknown op or type, missing or wrong fields. */
public final class MalformedMessageException extends Exception {
    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
