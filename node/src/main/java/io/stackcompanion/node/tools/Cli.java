package io.stackcompanion.node.tools;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.nio.file.Path;

/** Shared command-line plumbing of the tools: long options only, one-line errors, exit codes. */
final class Cli {
    /** Exit code for bad arguments or configuration the user must fix. */
    static final int EXIT_USAGE = 2;

    private Cli() {
    }

    /** Something the user typed is wrong; the message says what, on one line. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static Option flag(String name, String desc) {
        return Option.builder().longOpt(name).desc(desc).get();
    }

    static Option value(String name, String argName, String desc) {
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

    static long longValue(CommandLine cmd, String name, long dflt, long min) throws UsageException {
        String v = cmd.getOptionValue(name);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new UsageException("--" + name + " must be a whole number of at least " + min + ", not '" + v + "'");
    }

    static int intValue(CommandLine cmd, String name, int dflt, int min) throws UsageException {
        long n = longValue(cmd, name, dflt, min);
        if (n > Integer.MAX_VALUE) {
            throw new UsageException("--" + name + " is too large: " + n);
        }
        return (int) n;
    }

    static double positiveDouble(CommandLine cmd, String name) throws UsageException {
        String v = cmd.getOptionValue(name);
        try {
            double d = Double.parseDouble(v.trim());
            if (d > 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new UsageException("--" + name + " must be a positive number, not '" + v + "'");
    }

    static String abbreviate(String s, int max) {
        return s == null ? "-" : s.length() <= max ? s : s.substring(0, max) + "..";
    }
}
