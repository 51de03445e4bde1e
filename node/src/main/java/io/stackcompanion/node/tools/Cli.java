package io.stackcompanion.node.tools;

import io.stackcompanion.recorder.ErrorExit;
import io.stackcompanion.recorder.StackCompanionException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.nio.file.Path;

/**
 * Shared command-line plumbing of the tools (also the simulator's, {@code dst.sh}): long options only,
 * one-line errors, exit codes.
 */
public final class Cli {
    /** Exit code for bad arguments or configuration the user must fix. */
    static final int EXIT_USAGE = ErrorExit.USER_ERROR;

    private Cli() {
    }

    /** Something the user typed is wrong; the message says what, on one line. */
    public static final class UsageException extends StackCompanionException {
        public UsageException(String message) {
            super(message);
        }
    }

    public static Option flag(String name, String desc) {
        return Option.builder().longOpt(name).desc(desc).get();
    }

    /** {@code -h} and {@code --help}, the same in every tool: the synopsis on stdout, exit 0. */
    static Option help() {
        return Option.builder("h").longOpt("help").desc("show this help").get();
    }

    public static Option value(String name, String argName, String desc) {
        return Option.builder().longOpt(name).hasArg().argName(argName).desc(desc).get();
    }

    static CommandLine parse(Options options, String[] args) throws UsageException {
        try {
            CommandLine cmd = new DefaultParser().parse(options, args);
            if (!cmd.getArgList().isEmpty()) {
                throw new UsageException("unexpected argument '" + cmd.getArgList().get(0) + "'");
            }
            return cmd;
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static Path baseDir(CommandLine cmd) {
        return Path.of(cmd.getOptionValue("base-dir", "pool"));
    }

    /** A whole number in {@code min..max}; the message matches the scripts' ({@code sc_int} in scripts/lib.sh). */
    public static long longValue(CommandLine cmd, String name, long dflt, long min, long max) throws UsageException {
        String v = cmd.getOptionValue(name);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new UsageException("--" + name + " must be a whole number from " + min + " to " + max + ", not '" + v + "'");
    }

    static int intValue(CommandLine cmd, String name, int dflt, int min, int max) throws UsageException {
        return (int) longValue(cmd, name, dflt, min, max);
    }

    /** A number above 0 and at most {@code max}; the message matches the scripts' ({@code sc_positive}). */
    static double positiveDouble(CommandLine cmd, String name, double max) throws UsageException {
        String v = cmd.getOptionValue(name);
        try {
            double d = Double.parseDouble(v.trim());
            if (d > 0 && d <= max) {
                return d;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new UsageException("--" + name + " must be a number above 0 and at most " + formatMax(max) + ", not '" + v + "'");
    }

    private static String formatMax(double max) {
        return max == Math.rint(max) ? Long.toString((long) max) : Double.toString(max);
    }

    static String abbreviate(String s, int max) {
        return s == null ? "-" : s.length() <= max ? s : s.substring(0, max) + "..";
    }
}
