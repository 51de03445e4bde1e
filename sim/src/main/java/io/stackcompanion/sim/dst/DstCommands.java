package io.stackcompanion.sim.dst;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.client.ClientHistory;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.tools.Cli;
import io.stackcompanion.recorder.StackCompanionException;
import io.stackcompanion.sim.DstMain;
import io.stackcompanion.sim.check.Linearizability;
import io.stackcompanion.sim.history.HistoryReader;
import io.stackcompanion.sim.history.Operation;
import io.stackcompanion.sim.world.SimulatedPool;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;

/**
 * {@code dst.sh run} and {@code dst.sh swarm}: one seed, with its summary and trace hash, and on a
 * failure (or with {@code --keep}) its folder {@code dst-S/}; or many seeds, with a summary.
 */
public final class DstCommands {
    /** Exit code of a seed that failed a check. */
    public static final int FAILED = 1;

    private DstCommands() {
    }

    private static Options common() {
        return new Options()
                .addOption(Cli.value("requests", "N", "operations in all (default 200)"))
                .addOption(Cli.value("seconds", "T", "simulated seconds of workload instead"))
                .addOption(Cli.value("nodes", "4|7", "pool size (default 4)"))
                .addOption(Cli.value("faults", "LIST", "pin the faults (default: each seed picks)"))
                .addOption(Cli.value("plant", "WEAKNESS", "plant a weakness the swarm should find: " + Weakness.labels()))
                .addOption(Cli.flag("json", "one JSON object per seed / the summary, last"));
    }

    /** {@code args} as options of {@code command}; a value left over is a one-line error too. */
    private static CommandLine parse(Options o, String[] args, String command, String usage) {
        CommandLine cl;
        try {
            cl = new DefaultParser().parse(o, args);
        } catch (ParseException e) {
            throw new StackCompanionException(e.getMessage() + " (" + usage + ")");
        }
        if (!cl.getArgList().isEmpty()) {
            throw new StackCompanionException("dst.sh " + command + " takes no '" + cl.getArgList().get(0) + "' (" + usage + ")");
        }
        return cl;
    }

    private static DstRun.Options options(CommandLine cl, long seed) {
        if (cl.hasOption("requests") && cl.hasOption("seconds")) {
            throw new StackCompanionException("--requests and --seconds are two ways to size a run; pass one");
        }
        int requests = (int) Cli.longValue(cl, "requests", 200, 1, 1_000_000);
        int seconds = (int) Cli.longValue(cl, "seconds", 0, 1, 86_400);
        long nodes = Cli.longValue(cl, "nodes", 4, 4, 7);
        if (nodes != 4 && nodes != 7) {
            throw new StackCompanionException("--nodes is 4 (f=1) or 7 (f=2), not " + nodes);
        }
        Set<Fault> faults = cl.hasOption("faults") ? Fault.parse(cl.getOptionValue("faults")) : null;
        Weakness plant = cl.hasOption("plant") ? Weakness.parse(cl.getOptionValue("plant")) : null;
        return new DstRun.Options(seed, requests, seconds, (int) nodes, faults, plant);
    }

    /** {@code run --seed S [--requests N | --seconds T] [--nodes 4|7] [--faults LIST] [--out DIR] [--keep] [--json]}. */
    public static int run(String[] args, PrintStream out) {
        String usage = "dst.sh run --seed S [--requests N | --seconds T] [--nodes 4|7] [--faults LIST] [--plant WEAKNESS] [--out DIR] [--keep] [--json]";
        Options o = common()
                .addOption(Cli.value("seed", "S", "the seed"))
                .addOption(Cli.value("out", "DIR", "where dst-S/ goes (default .)"))
                .addOption(Cli.flag("keep", "write dst-S/ even when every check passes"));
        CommandLine cl = parse(o, args, "run", usage);
        if (!cl.hasOption("seed")) {
            throw new StackCompanionException("dst.sh run needs --seed S, e.g. --seed 42 (" + usage + ")");
        }
        long seed = Cli.longValue(cl, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        DstRun.Options options = options(cl, seed);
        Path target = Path.of(cl.getOptionValue("out", ".")).toAbsolutePath().normalize().resolve("dst-" + seed);
        if (Files.exists(target)) {
            throw new StackCompanionException(target + " exists already (from an earlier run?); remove it or pass --out DIR");
        }
        DstResult r = runInTemp(options);
        out.print(r.summary());
        boolean write = !r.passed() || cl.hasOption("keep");
        if (r.passed()) {
            out.println("DST passed for seed=" + seed);
        } else {
            out.println("DST failed for seed=" + seed + ": " + r.failure().orElseThrow());
        }
        if (write) {
            writeFolder(options, r, target, out);
        }
        if (cl.hasOption("json")) {
            ObjectNode j = r.json();
            if (write) {
                j.put("folder", target.toString());
            }
            out.println(j);
        }
        return r.passed() ? 0 : FAILED;
    }

    /** A seed's stores take a few MiB; a memory file system with less room than this is not used. */
    static final long SCRATCH_ROOM = 1L << 30;
    private static volatile Path scratch;

    /**
     * Where a seed runs when nothing of it is kept: the system property {@code dst.scratch} if set,
     * else {@code /dev/shm} (memory: the four stores' fsyncs at open and their files cost nothing
     * there) when it is a writable folder with {@link #SCRATCH_ROOM} free, else the JVM's temp folder.
     */
    static Path scratch() {
        Path s = scratch;
        if (s == null) {
            String chosen = System.getProperty("dst.scratch");
            if (chosen != null && !chosen.isBlank()) {
                s = Path.of(chosen);
            } else {
                s = Path.of(System.getProperty("java.io.tmpdir"));
                Path shm = Path.of("/dev/shm");
                try {
                    if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() >= SCRATCH_ROOM) {
                        s = shm;
                    }
                } catch (IOException | SecurityException e) {
                    // not there or not ours: the temp folder
                }
            }
            scratch = s;
        }
        return s;
    }

    /** The seed run in a temporary folder ({@link #scratch()}), removed after. */
    static DstResult runInTemp(DstRun.Options options) {
        Path tmp;
        try {
            tmp = Files.createTempDirectory(scratch(), "dst-" + options.seed() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a temporary folder: " + e.getMessage(), e);
        }
        try {
            return new DstRun(options, tmp, false).run();
        } finally {
            FileTrees.deleteQuietly(tmp);
        }
    }

    /**
     * Runs the seed again, recording every node, into a staging folder next to {@code target}; writes
     * the history and the report there; moves it in place. The second run must give the first's
     * trace hash (else the simulation is not deterministic: said, and nothing is left behind).
     */
    private static void writeFolder(DstRun.Options options, DstResult first, Path target, PrintStream out) {
        Path staging = target.resolveSibling(target.getFileName() + ".partial");
        FileTrees.deleteQuietly(staging);
        try {
            DstResult again = new DstRun(options, staging, true).run();
            if (!again.traceHash().equals(first.traceHash())) {
                throw new IllegalStateException("seed " + options.seed() + " ran differently when recorded (trace hash "
                        + again.traceHash() + " against " + first.traceHash() + "): the simulation is not deterministic");
            }
            Path history = staging.resolve("history.jsonl");
            ClientHistory.write(history, again.history(), SimulatedPool.EPOCH);
            StringBuilder report = new StringBuilder(again.summary());
            report.append(again.passed() ? "DST passed for seed=" + options.seed() + "\n"
                    : "DST failed for seed=" + options.seed() + ": " + again.failure().orElseThrow() + "\n");
            List<Operation> ops = HistoryReader.read(history);
            Linearizability.Verdict verdict = new Linearizability().check(ops);
            String check = DstMain.report(verdict, 0);
            report.append("\nlinearizability of history.jsonl (scripts/dst.sh check history.jsonl):\n").append(check);
            DstMain.writeHtml(staging.resolve("history.html"), history, ops, verdict, check, 0);
            Files.writeString(staging.resolve("report.txt"), report, StandardCharsets.UTF_8);
            Files.write(staging.resolve("report.json"), Codec.toBytes(again.json()));
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            FileTrees.deleteQuietly(staging);
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            FileTrees.deleteQuietly(staging);
            throw e;
        }
        out.println("wrote " + target + "/: history.jsonl, history.html, report.txt, report.json and every node's recording (data/<node>/recorder/);"
                + " replay one with: scripts/replay.sh --recording " + target + " --node Node1");
    }

    /** {@code swarm --seeds A..B [--jobs J] [--requests N | --seconds T] [--nodes 4|7] [--faults LIST] [--json]}. */
    public static int swarm(String[] args, PrintStream out, PrintStream err) {
        String usage = "dst.sh swarm --seeds A..B [--jobs J] [--first-failure] [--requests N | --seconds T] [--nodes 4|7] [--faults LIST] [--plant WEAKNESS] [--json]";
        Options o = common()
                .addOption(Cli.value("seeds", "A..B", "the seeds, both ends included"))
                .addOption(Cli.value("jobs", "J", "seeds run at once (default: the cores)"))
                .addOption(Cli.flag("first-failure", "stop at the first seed that fails"));
        CommandLine cl = parse(o, args, "swarm", usage);
        if (!cl.hasOption("seeds")) {
            throw new StackCompanionException("dst.sh swarm needs --seeds A..B, e.g. --seeds 1..100 (" + usage + ")");
        }
        String range = cl.getOptionValue("seeds");
        String[] ends = range.split("\\.\\.", -1);
        long from;
        long to;
        try {
            from = Long.parseLong(ends[0].trim());
            to = ends.length == 2 ? Long.parseLong(ends[1].trim()) : Long.MIN_VALUE;
        } catch (NumberFormatException e) {
            to = Long.MIN_VALUE;
            from = 0;
        }
        if (ends.length != 2 || to < from || to - from >= 10_000_000) {
            throw new StackCompanionException("--seeds is a range A..B of whole numbers with A <= B (at most 10,000,000 seeds), not '" + range + "'");
        }
        int jobs = (int) Cli.longValue(cl, "jobs", Runtime.getRuntime().availableProcessors(), 1, 256);
        DstRun.Options shape = options(cl, from);
        long wallStart = System.nanoTime();
        Map<Long, DstResult> results = new TreeMap<>();
        Map<Long, String> crashed = new TreeMap<>();
        boolean firstFailure = cl.hasOption("first-failure");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "dst-swarm");
            t.setDaemon(true);
            return t;
        });
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("dst swarm").setInitialMax(to - from + 1)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" seeds", 1).setMaxRenderedLength(100).setConsumer(
                        new me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer(err)).build()) {
            List<Future<DstResult>> futures = new ArrayList<>();
            for (long s = from; s <= to; s++) {
                DstRun.Options opts = new DstRun.Options(s, shape.requests(), shape.seconds(), shape.nodes(), shape.faults(), shape.plant());
                futures.add(pool.submit(() -> {
                    if (stop.get()) {
                        return null; // --first-failure: a seed failed already
                    }
                    try {
                        DstResult r = runInTemp(opts);
                        if (firstFailure && !r.passed()) {
                            stop.set(true);
                        }
                        return r;
                    } catch (RuntimeException | Error e) {
                        if (firstFailure) {
                            stop.set(true);
                        }
                        throw e;
                    } finally {
                        bar.step();
                    }
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                long seed = from + i;
                try {
                    DstResult r = futures.get(i).get();
                    if (r != null) {
                        results.put(seed, r);
                    }
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    crashed.put(seed, c.getClass().getSimpleName() + ": " + c.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StackCompanionException("interrupted");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double simulated = results.values().stream().mapToLong(DstResult::simulatedNanos).sum() / 1e9;
        Map<String, Integer> byChecker = new TreeMap<>();
        Map<Long, String> failed = new TreeMap<>();
        results.forEach((seed, r) -> r.failure().ifPresent(f -> {
            failed.put(seed, f);
            byChecker.merge(f.substring(0, f.indexOf(':')), 1, Integer::sum);
        }));
        crashed.forEach((seed, why) -> {
            failed.put(seed, "crashed: " + why);
            byChecker.merge("crashed", 1, Integer::sum);
        });
        long seeds = results.size() + crashed.size();
        out.printf(Locale.ROOT, "swarm %d..%d: %d seeds in %.1f s (%.1f seeds/min), %d failed; simulated %.0f s (%.0f simulated s per wall s)%n",
                from, to, seeds, wall, seeds / wall * 60, failed.size(), simulated, simulated / wall);
        if (!byChecker.isEmpty()) {
            out.println("  failures by checker: " + byChecker);
        }
        failed.forEach((seed, why) -> out.println("  seed " + seed + ": " + why + "   (scripts/dst.sh run --seed " + seed + " writes dst-" + seed + "/)"));
        if (cl.hasOption("json")) {
            ObjectNode j = Codec.mapper().createObjectNode();
            j.put("from", from).put("to", to).put("seeds", seeds).put("failed", failed.size())
                    .put("wallSeconds", wall).put("seedsPerMinute", seeds / wall * 60)
                    .put("simulatedSeconds", simulated).put("simulatedPerWallSecond", simulated / wall);
            ObjectNode bc = j.putObject("failuresByChecker");
            byChecker.forEach(bc::put);
            ArrayNode fs = j.putArray("failures");
            failed.forEach((seed, why) -> fs.addObject().put("seed", seed).put("reason", why));
            out.println(j);
        }
        return failed.isEmpty() ? 0 : FAILED;
    }
}
