package io.stackcompanion.node.tools;

import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.recorder.ErrorExit;
import io.stackcompanion.recorder.StackCompanionException;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * {@code scripts/load.sh}: sends signed requests (PUTs, or a {@code --mix} with GET and CAS) to the pool in a base dir and reports throughput and
 * latency. Exit 0 only if every request was ordered, 1 otherwise, 2 for bad arguments or a missing
 * genesis. With {@code --json} the last line of stdout is one JSON object (see
 * {@link LoadGenerator.Result#toJson()}).
 */
public final class LoadMain {
    private static final String USAGE =
            "usage: LoadMain --base-dir DIR --requests N [--clients C] [--rate R] [--timeout-s S] [--in-flight K] [--seed X]"
                    + " [--mix put=P,get=G,cas=C] [--keys N] [--history FILE] [--json]";

    /** The ranges scripts/load.sh checks too. */
    static final int MAX_REQUESTS = 1_000_000_000;
    static final int MAX_CLIENTS = 1000;
    static final double MAX_RATE = 1_000_000;
    static final int MAX_KEYS = 1_000_000;
    /** The key set of a mix with GET or CAS when --keys is not given: small, so operations conflict. */
    static final int DEFAULT_KEYS = 8;

    private LoadMain() {
    }

    /**
     * {@code put=70,get=20,cas=10}: each of put, get and cas at most once (a missing one is 0), whole
     * percentages summing to 100. The message is the one scripts/load.sh prints.
     */
    static LoadGenerator.Mix mix(String v) throws Cli.UsageException {
        Cli.UsageException bad = new Cli.UsageException(
                "--mix must be like put=70,get=20,cas=10 (whole percentages summing to 100), not '" + v + "'");
        if (!v.matches("(?:(?:put|get|cas)=[0-9]{1,3})(?:,(?:put|get|cas)=[0-9]{1,3}){0,2}")) {
            throw bad;
        }
        java.util.Map<String, Integer> shares = new java.util.HashMap<>();
        for (String part : v.split(",")) {
            String[] kv = part.split("=");
            if (shares.put(kv[0], Integer.parseInt(kv[1])) != null) {
                throw bad;
            }
        }
        int put = shares.getOrDefault("put", 0);
        int get = shares.getOrDefault("get", 0);
        int cas = shares.getOrDefault("cas", 0);
        if (put + get + cas != 100) {
            throw bad;
        }
        return new LoadGenerator.Mix(put, get, cas);
    }

    /** The history file: in an existing, writable folder, and not a folder itself. */
    static Path history(String v) throws Cli.UsageException {
        Path file = Path.of(v).toAbsolutePath();
        Path dir = file.getParent();
        if (Files.isDirectory(file)) {
            throw new Cli.UsageException("--history " + v + " is a folder; pass a file name");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new Cli.UsageException("--history " + v + ": its folder " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new Cli.UsageException("--history " + v + ": its folder " + dir + " is not writable");
        }
        return file;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.console() != null));
    }

    /**
     * Runs a load, writing to {@code out} and {@code err}; returns the exit code.
     *
     * @param terminal whether a human watches (then, unless {@code --json}, a progress bar goes to stderr)
     */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        Options o = new Options()
                .addOption(Cli.value("base-dir", "DIR", "the pool's folder (default ./pool)"))
                .addOption(Cli.value("requests", "N", "how many requests to send"))
                .addOption(Cli.value("clients", "C", "clients sharing them (default 1)"))
                .addOption(Cli.value("rate", "R", "total requests per second (default: as fast as the in-flight cap allows)"))
                .addOption(Cli.value("timeout-s", "S", "a request not ordered within S seconds fails (default 30)"))
                .addOption(Cli.value("in-flight", "K", "requests in flight per client (default 64)"))
                .addOption(Cli.value("seed", "X", "decides keys and values (default 1)"))
                .addOption(Cli.value("mix", "put=P,get=G,cas=C", "percent of each operation (default put=100)"))
                .addOption(Cli.value("keys", "N", "the requests share keys k0..k<N-1> (default with GET or CAS: 8)"))
                .addOption(Cli.value("history", "FILE", "write the client history there (JSON Lines)"))
                .addOption(Cli.flag("json", "print one JSON object as the last line"))
                .addOption(Cli.help());
        LoadGenerator.Settings settings;
        PoolGenesis genesis;
        boolean json;
        try {
            CommandLine cmd = Cli.parse(o, args);
            if (cmd.hasOption("help")) {
                out.println(USAGE);
                return 0;
            }
            if (!cmd.hasOption("requests")) {
                throw new Cli.UsageException("--requests N is required");
            }
            json = cmd.hasOption("json");
            LoadGenerator.Mix mix = cmd.hasOption("mix") ? mix(cmd.getOptionValue("mix")) : LoadGenerator.Mix.ALL_PUT;
            int keys = Cli.intValue(cmd, "keys", mix.put() == 100 ? 0 : DEFAULT_KEYS, 1, MAX_KEYS);
            Path history = cmd.hasOption("history") ? history(cmd.getOptionValue("history")) : null;
            settings = new LoadGenerator.Settings(
                    Cli.intValue(cmd, "requests", 0, 1, MAX_REQUESTS),
                    Cli.intValue(cmd, "clients", 1, 1, MAX_CLIENTS),
                    cmd.hasOption("rate") ? OptionalDouble.of(Cli.positiveDouble(cmd, "rate", MAX_RATE)) : OptionalDouble.empty(),
                    Duration.ofSeconds(Cli.longValue(cmd, "timeout-s", 30, 1, 86_400)),
                    Cli.intValue(cmd, "in-flight", 64, 1, 10_000),
                    Cli.longValue(cmd, "seed", 1, Long.MIN_VALUE, Long.MAX_VALUE),
                    mix, keys, history);
            genesis = PoolGenesis.read(PoolSetup.genesisFile(Cli.baseDir(cmd)));
        } catch (StackCompanionException e) {
            return ErrorExit.print(err, "load", e);
        }

        LoadGenerator.Result r;
        ProgressBar bar = terminal && !json
                ? new ProgressBarBuilder().setTaskName("load").setInitialMax(settings.requests())
                        .setStyle(ProgressBarStyle.ASCII).setUnit(" req", 1).build()
                : null;
        try {
            r = new LoadGenerator(genesis, settings).run(bar == null ? () -> { } : bar::step);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("load: interrupted");
            return 1;
        } catch (java.io.UncheckedIOException e) {
            err.println("load: " + e.getMessage()); // the history could not be written
            return 1;
        } finally {
            if (bar != null) {
                bar.close();
            }
        }

        out.printf("sent %d, ordered %d, failed %d in %.3f s (%.1f ordered/s) with %d client(s)%s%n",
                r.sent(), r.ordered(), r.failed(), r.durationS(), r.throughputPerS(),
                Math.min(settings.clients(), settings.requests()),
                settings.rate().isPresent() ? " at " + settings.rate().getAsDouble() + " req/s" : "");
        if (settings.history() != null) {
            out.println("history: " + settings.history());
        }
        out.printf("latency ms: p50 %.2f, p99 %.2f, max %.2f%n", r.latencyMs().p50(), r.latencyMs().p99(), r.latencyMs().max());
        for (String f : r.failures()) {
            out.println("failed: " + f);
        }
        if (json) {
            out.println(r.toJson());
        }
        return r.ordered() == settings.requests() ? 0 : 1;
    }
}
