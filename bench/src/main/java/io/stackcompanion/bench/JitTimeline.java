package io.stackcompanion.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the JIT compilers of a benchmark's node JVMs do over a run, so that a reader sees when they have
 * settled. Two modes:
 * <ul>
 *   <li>{@code JitTimeline sample --every S --out FILE DIR}: every S seconds, for every node whose pid
 *   file is under {@code DIR/<pool>/run/}, appends one line to FILE (tab-separated: epoch ms, pool,
 *   node, methods compiled, compilations that failed, compiled methods made invalid, compile time s,
 *   the process's CPU s, its JIT compiler threads' CPU s). The compile counters are the JVM's own
 *   (what {@code jstat -compiler} shows), read from its performance-data file
 *   ({@code /tmp/hsperfdata_<user>/<pid>}), the CPU from {@code /proc}: no JVM is attached to, the
 *   sampler costs the nodes nothing. Runs until killed.</li>
 *   <li>{@code JitTimeline report FILE [PHASES]}: per pool, one row per sampling interval (the four
 *   nodes summed): methods compiled so far and in the interval, the nodes' CPU and the share of it the
 *   compiler threads took; PHASES (lines "epoch ms, tab, label", written by the benchmark as it goes)
 *   labels the rows. Then per pool the JIT's share per phase, and when it last exceeded 10%.</li>
 * </ul>
 */
public final class JitTimeline {
    /** A compiler thread's name as /proc shows it (15 characters): "C2 CompilerThre", "C1 CompilerThre". */
    private static final String COMPILER_THREAD = "C[12] CompilerThre.*";
    /** Below this share of the nodes' CPU the JIT is taken as settled. */
    static final double SETTLED_SHARE = 0.10;

    private JitTimeline() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("sample")) {
            sample(args);
        } else if (args.length >= 2 && args[0].equals("report")) {
            report(Path.of(args[1]), args.length > 2 ? Path.of(args[2]) : null, System.out);
        } else {
            System.err.println("usage: JitTimeline sample --every S --out FILE DIR | JitTimeline report FILE [PHASES]");
            System.exit(2);
        }
    }

    private static void sample(String[] args) throws Exception {
        if (args.length != 6 || !args[1].equals("--every") || !args[3].equals("--out")) {
            System.err.println("usage: JitTimeline sample --every S --out FILE DIR");
            System.exit(2);
        }
        long everyMs = Math.round(Double.parseDouble(args[2]) * 1000);
        Path out = Path.of(args[4]);
        Path dir = Path.of(args[5]);
        Path perfDir = Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name"));
        double hz = clockTicks();
        Map<String, CompilerThreads> threads = new HashMap<>();
        long next = System.currentTimeMillis();
        while (true) {
            StringBuilder lines = new StringBuilder();
            long now = System.currentTimeMillis();
            for (Path pidFile : pidFiles(dir)) {
                String pid;
                try {
                    pid = Files.readString(pidFile).trim();
                } catch (IOException e) {
                    continue; // the node stopped meanwhile
                }
                Map<String, Long> perf = perfCounters(perfDir.resolve(pid));
                double[] cpu = cpuSeconds(pid, hz, threads.computeIfAbsent(pid, k -> new CompilerThreads()));
                if (perf == null || cpu == null) {
                    continue;
                }
                long freq = perf.getOrDefault("sun.os.hrt.frequency", 1_000_000_000L);
                lines.append(String.format(Locale.ROOT, "%d\t%s\t%s\t%d\t%d\t%d\t%.3f\t%.2f\t%.2f%n", now,
                        pidFile.getParent().getParent().getFileName(), pidFile.getFileName().toString().replace(".pid", ""),
                        perf.getOrDefault("sun.ci.totalCompiles", 0L), perf.getOrDefault("sun.ci.totalBailouts", 0L),
                        perf.getOrDefault("sun.ci.totalInvalidates", 0L),
                        perf.getOrDefault("java.ci.totalTime", 0L) / (double) freq, cpu[0], cpu[1]));
            }
            if (!lines.isEmpty()) {
                Files.writeString(out, lines, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            }
            next += everyMs;
            Thread.sleep(Math.max(0, next - System.currentTimeMillis()));
        }
    }

    private static List<Path> pidFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> pools = Files.newDirectoryStream(dir)) {
            for (Path pool : pools) {
                Path run = pool.resolve("run");
                if (!Files.isDirectory(run)) {
                    continue;
                }
                try (DirectoryStream<Path> pids = Files.newDirectoryStream(run, "*.pid")) {
                    pids.forEach(files::add);
                } catch (NoSuchFileException e) {
                    // the pool went down meanwhile
                }
            }
        }
        files.sort(null);
        return files;
    }

    private static double clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            return Double.parseDouble(new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 100;
        }
    }

    /**
     * A JVM's compiler threads come and go (-XX:+UseDynamicNumberOfCompilerThreads, e.g. the second C1
     * thread with -XX:TieredStopAtLevel=1): what one used is kept when it ends, so the sum never falls.
     */
    static final class CompilerThreads {
        private final Map<String, Long> live = new HashMap<>();
        private long ended;

        long total(Map<String, Long> now) {
            live.forEach((tid, ticks) -> {
                if (!now.containsKey(tid)) {
                    ended += ticks;
                }
            });
            live.clear();
            live.putAll(now);
            return ended + now.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** {process CPU s, compiler threads' CPU s}, or null when the process is gone. */
    private static double[] cpuSeconds(String pid, double hz, CompilerThreads compilers) {
        Path proc = Path.of("/proc", pid);
        try {
            long all = statTicks(Files.readString(proc.resolve("stat")), null);
            Map<String, Long> now = new HashMap<>();
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
                for (Path task : tasks) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        if (stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).matches(COMPILER_THREAD)) {
                            now.put(task.getFileName().toString(), statTicks(stat, null));
                        }
                    } catch (IOException e) {
                        // the thread ended meanwhile (its ticks stay in the process's)
                    }
                }
            }
            return new double[] {all / hz, compilers.total(now) / hz};
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    /** utime + stime of a stat line ("pid (name) state ..."; the name may hold spaces), 0 when the name does not match. */
    static long statTicks(String stat, String namePattern) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (namePattern != null && !stat.substring(open + 1, close).matches(namePattern)) {
            return 0;
        }
        String[] f = stat.substring(close + 2).trim().split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * The long counters of a HotSpot performance-data file (hsperfdata), by name; null when there is
     * none (the JVM ended, or runs with -XX:-UsePerfData). Layout: HotSpot's perfMemory.hpp (a 32-byte
     * prologue, then entries of a 20-byte header, a name and the data).
     */
    static Map<String, Long> perfCounters(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
        if (bytes.length < 32 || (bytes[0] & 0xff) != 0xca || (bytes[1] & 0xff) != 0xfe) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(bytes[4] == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int entryOffset = b.getInt(24);
        int entries = b.getInt(28);
        Map<String, Long> counters = new HashMap<>();
        int at = entryOffset;
        for (int i = 0; i < entries && at + 20 <= bytes.length; i++) {
            int length = b.getInt(at);
            int nameOffset = b.getInt(at + 4);
            int vectorLength = b.getInt(at + 8);
            byte type = b.get(at + 12);
            int dataOffset = b.getInt(at + 16);
            if (length <= 0) {
                break;
            }
            if (type == 'J' && vectorLength == 0 && at + dataOffset + 8 <= bytes.length) {
                int end = at + nameOffset;
                while (end < bytes.length && bytes[end] != 0) {
                    end++;
                }
                counters.put(new String(bytes, at + nameOffset, end - at - nameOffset, StandardCharsets.US_ASCII),
                        b.getLong(at + dataOffset));
            }
            at += length;
        }
        return counters;
    }

    /** One sample of one node. */
    record Sample(long epochMs, String pool, String node, long compiles, long failed, long invalidated,
                  double compileSeconds, double cpuSeconds, double jitSeconds) {
        static Sample parse(String line) {
            String[] f = line.split("\t");
            return new Sample(Long.parseLong(f[0]), f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]), Double.parseDouble(f[8]));
        }
    }

    /** A pool's nodes summed at one sampling time. */
    record Point(long epochMs, int nodes, long compiles, long invalidated, double compileSeconds, double cpuSeconds,
                 double jitSeconds) {
    }

    static void report(Path samples, Path phases, PrintStream out) throws IOException {
        Map<String, TreeMap<Long, Point>> byPool = new TreeMap<>();
        for (String line : Files.readAllLines(samples)) {
            if (line.isBlank()) {
                continue;
            }
            Sample s = Sample.parse(line);
            byPool.computeIfAbsent(s.pool(), k -> new TreeMap<>()).merge(s.epochMs(),
                    new Point(s.epochMs(), 1, s.compiles(), s.invalidated(), s.compileSeconds(), s.cpuSeconds(), s.jitSeconds()),
                    (a, c) -> new Point(a.epochMs(), a.nodes() + c.nodes(), a.compiles() + c.compiles(),
                            a.invalidated() + c.invalidated(), a.compileSeconds() + c.compileSeconds(),
                            a.cpuSeconds() + c.cpuSeconds(), a.jitSeconds() + c.jitSeconds()));
        }
        TreeMap<Long, String> phaseAt = new TreeMap<>();
        if (phases != null && Files.exists(phases)) {
            for (String line : Files.readAllLines(phases)) {
                String[] f = line.split("\t", 2);
                if (f.length == 2) {
                    phaseAt.put(Long.parseLong(f[0]), f[1]);
                }
            }
        }
        for (Map.Entry<String, TreeMap<Long, Point>> pool : byPool.entrySet()) {
            out.printf("JIT of pool %s (its nodes summed; 'JIT' is the C1/C2 compiler threads' CPU)%n", pool.getKey());
            out.printf("  %6s %9s %9s %8s %8s %6s  %s%n", "s", "compiled", "+methods", "CPU s", "JIT s", "JIT %", "phase");
            Point first = null;
            Point prev = null;
            long lastBusy = -1;
            Map<String, double[]> perPhase = new LinkedHashMap<>();
            for (Point p : pool.getValue().values()) {
                if (first == null) {
                    first = p;
                }
                // Intervals where a node came or went (pool up or down) are left out: their sums jump.
                if (prev != null && prev.nodes() == p.nodes()) {
                    double cpu = p.cpuSeconds() - prev.cpuSeconds();
                    double jit = p.jitSeconds() - prev.jitSeconds();
                    Map.Entry<Long, String> phase = phaseAt.floorEntry(p.epochMs());
                    String label = phase == null ? "" : phase.getValue();
                    out.printf(Locale.ROOT, "  %6.0f %9d %9d %8.2f %8.2f %5.0f%%  %s%n", (p.epochMs() - first.epochMs()) / 1000.0,
                            p.compiles(), p.compiles() - prev.compiles(), cpu, jit, cpu > 0 ? 100 * jit / cpu : 0, label);
                    double[] sums = perPhase.computeIfAbsent(label, k -> new double[3]);
                    sums[0] += cpu;
                    sums[1] += jit;
                    sums[2] += p.compiles() - prev.compiles();
                    if (cpu > 0 && jit / cpu > SETTLED_SHARE) {
                        lastBusy = p.epochMs();
                    }
                }
                prev = p;
            }
            out.printf("  per phase: ");
            List<String> parts = new ArrayList<>();
            perPhase.forEach((label, s) -> parts.add(String.format(Locale.ROOT, "%s JIT %.0f%% of %.1f CPU s, %d methods",
                    label.isEmpty() ? "(start)" : label, s[0] > 0 ? 100 * s[1] / s[0] : 0, s[0], (long) s[2])));
            out.println(String.join("; ", parts));
            out.printf(Locale.ROOT, "  the JIT last took more than %.0f%% of an interval at %s%n", 100 * SETTLED_SHARE,
                    lastBusy < 0 ? "no interval" : String.format(Locale.ROOT, "%.0f s", (lastBusy - first.epochMs()) / 1000.0));
        }
    }
}
