package io.stackcompanion.recorder;

import java.io.PrintStream;

/**
 * How every main ends on an error: one line on stderr ({@code error: what is wrong and what to
 * do}) and a documented exit code. {@code 2}: the user must fix something (arguments,
 * configuration, a damaged recording); {@code 3}: an internal error, a bug to report. (Commands
 * give other codes their own meaning, e.g. the replay's {@code 1}: the replay diverged.)
 */
public final class ErrorExit {
    /** Bad arguments, configuration or input: the message says what to fix. */
    public static final int USER_ERROR = 2;
    /** A bug: something failed that should not have. */
    public static final int INTERNAL_ERROR = 3;

    private ErrorExit() {
    }

    /** Prints {@code error: <message>}; returns {@link #USER_ERROR}. */
    public static int userError(PrintStream err, String message) {
        err.println("error: " + message);
        return USER_ERROR;
    }

    /** Prints {@code error: <its message>}; returns its exit code. */
    public static int print(PrintStream err, StackCompanionException e) {
        return print(err, "error", e);
    }

    /** Like {@link #print(PrintStream, StackCompanionException)}, the line starting with {@code tool:} instead. */
    public static int print(PrintStream err, String tool, StackCompanionException e) {
        err.println(tool + ": " + e.getMessage());
        return e.exitCode();
    }

    /**
     * An exception no one expected: {@code what} (e.g. "the replay") failed because of a bug. Prints
     * one line naming it and asking for a report; returns {@link #INTERNAL_ERROR}.
     */
    public static int bug(PrintStream err, String what, Throwable e) {
        err.println("error: " + what + " failed unexpectedly (" + e + "); this is a bug: please report it with the command line");
        return INTERNAL_ERROR;
    }
}
