package io.stackcompanion.recorder;

/**
 * Something a user must fix (bad arguments or configuration, a damaged or foreign recording, a port
 * in use, a store that cannot be opened): the one base type of every such error in every module, so
 * each main catches this one type and turns it into one line with {@link ErrorExit}. The message is
 * one line saying what is wrong and what to do; the cause, if any, is kept for logs and debuggers.
 * Anything else a main catches is a bug. It lives here, in the module every other depends on, so
 * the arrows {@code replay -> node -> recorder} stay as they are.
 */
public class StackCompanionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StackCompanionException(String message) {
        super(message);
    }

    public StackCompanionException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The process's exit code when this ends a command: {@link ErrorExit#USER_ERROR} unless a subtype says otherwise. */
    public int exitCode() {
        return ErrorExit.USER_ERROR;
    }
}
