package io.stackcompanion.recorder;

/**
 * A recording's bytes are not what this build can read: a truncated or corrupted value, a checksum
 * mismatch, an unknown event kind, a newer format version, missing metadata. The message names the
 * recording's folder, the key (time and sequence) where one applies, and what is wrong.
 */
public class RecordingFormatException extends RecordingException {
    private static final long serialVersionUID = 1L;

    /** With a message naming folder, key and problem. */
    public RecordingFormatException(String message) {
        super(message);
    }

    /** With a message naming folder, key and problem, and the underlying cause. */
    public RecordingFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
