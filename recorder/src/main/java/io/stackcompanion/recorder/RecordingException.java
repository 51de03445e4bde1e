package io.stackcompanion.recorder;

/**
 * A recording could not be opened, written or read. The message names the recording's folder and
 * says what to do.
 */
public class RecordingException extends StackCompanionException {
    private static final long serialVersionUID = 1L;

    /** With a message that names the folder. */
    public RecordingException(String message) {
        super(message);
    }

    /** With a message that names the folder, and the underlying cause. */
    public RecordingException(String message, Throwable cause) {
        super(message, cause);
    }
}
