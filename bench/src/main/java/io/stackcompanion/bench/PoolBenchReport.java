package io.stackcompanion.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.message.Codec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Turns the raw outputs that {@code scripts/bench.sh} collected in its work folder into the pool
 * benchmark's report: per run, per pair (recording on / off) and medians, replay speed, bytes on
 * disk per payload byte, and each goal of the benchmarks issue as met or missed. The shell script
 * runs the pool; this class only does the arithmetic, so it can be tested without a pool.
 *
 * <p>Files read from the folder ({@code i} = 1..pairs, the last line of each is the tool's
 * {@code --json} object): {@code pair<i>-off.sat.json}, {@code pair<i>-on.sat.json} (load without a
 * rate), {@code pair<i>-off.fixed.json}, {@code pair<i>-on.fixed.json} (load at a fixed rate),
 * {@code pair<i>-off.fixedcpu}, {@code pair<i>-on.fixedcpu} (properties: the CPU seconds the nodes,
 * their JIT compilers' and recorder's threads spent in one window of the fixed-rate load, which the
 * two pools of a pair ran at the same time),
 * {@code replay-saturated.json}, {@code replay-idle.json} (replay verdicts), {@code stats.json}
 * ({@code recording.sh stats --json} of the last recording run), {@code bytes.json} ({@link
 * RecordingBytes} of the same run) and {@code context.properties}
 * (machine and settings, written by the script). A missing file leaves its figures out.
 */
public final class PoolBenchReport {
    static final double GOAL_THROUGHPUT_RATIO = 0.97;
    /** The same goal as a cost: the same writes may take at most 1 / 0.97 the CPU with recording on. */
    static final double GOAL_CPU_PER_WRITE_RATIO = 1 / GOAL_THROUGHPUT_RATIO;
    static final double GOAL_P99_RATIO = 1.05;
    static final double GOAL_IDLE_REPLAY_SPEEDUP = 100;
    static final double GOAL_SATURATED_REPLAY_SPEEDUP = 1;
    static final double GOAL_BYTES_PER_PAYLOAD_BYTE = 0.6;
    static final double GOAL_POOL_THROUGHPUT = 2000;
    static final double GOAL_POOL_P99_MS = 250;

    private PoolBenchReport() {
    }

    /** {@code PoolBenchReport DIR --pairs N [--json]}: prints the report; exit 2 on bad arguments. */
    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean json = rest.remove("--json");
        int pairs = 0;
        int at = rest.indexOf("--pairs");
        try {
            if (at >= 0 && at + 1 < rest.size()) {
                pairs = Integer.parseInt(rest.remove(at + 1));
                rest.remove(at);
            }
        } catch (NumberFormatException e) {
            pairs = 0;
        }
        if (rest.size() != 1 || pairs < 1) {
            System.err.println("usage: PoolBenchReport DIR --pairs N [--json]");
            System.exit(2);
        }
        ObjectNode report = build(Path.of(rest.get(0)), pairs);
        print(report, System.out);
        if (json) {
            System.out.println(report);
        }
    }

    /** Reads the folder and computes every figure. */
    static ObjectNode build(Path dir, int pairs) {
        ObjectNode report = Codec.mapper().createObjectNode();
        Properties context = readProperties(dir.resolve("context.properties"));
        ObjectNode machine = report.putObject("machine");
        ObjectNode settings = report.putObject("settings");
        for (String key : context.stringPropertyNames().stream().sorted().toList()) {
            String value = context.getProperty(key);
            ObjectNode target = key.startsWith("machine.") ? machine : settings;
            String name = key.substring(key.indexOf('.') + 1);
            if (key.startsWith("machine.") || key.startsWith("settings.")) {
                putNumberOrText(target, name, value);
            }
        }

        ArrayNode runs = report.putArray("runs");
        ArrayNode pairList = report.putArray("pairs");
        List<Double> tputOff = new ArrayList<>();
        List<Double> tputOn = new ArrayList<>();
        List<Double> p50Off = new ArrayList<>();
        List<Double> p50On = new ArrayList<>();
        List<Double> p99Off = new ArrayList<>();
        List<Double> p99On = new ArrayList<>();
        List<Double> tputRatios = new ArrayList<>();
        List<Double> p50Ratios = new ArrayList<>();
        List<Double> p99Ratios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        List<Double> fixedNodeCpuRatios = new ArrayList<>();
        List<Double> fixedNodeNoJitRatios = new ArrayList<>();
        List<Double> recorderShares = new ArrayList<>();
        List<Double> goalP50Off = new ArrayList<>();
        List<Double> goalP50On = new ArrayList<>();
        List<Double> goalP99Off = new ArrayList<>();
        List<Double> goalP99On = new ArrayList<>();
        for (int i = 1; i <= pairs; i++) {
            ObjectNode off = run(dir, i, "off");
            ObjectNode on = run(dir, i, "on");
            runs.add(off);
            runs.add(on);
            addIfPresent(tputOff, off, "throughputPerS");
            addIfPresent(tputOn, on, "throughputPerS");
            addIfPresent(p50Off, off, "fixedP50Ms");
            addIfPresent(p50On, on, "fixedP50Ms");
            addIfPresent(p99Off, off, "fixedP99Ms");
            addIfPresent(p99On, on, "fixedP99Ms");
            addIfPresent(goalP50Off, off, "goalRateP50Ms");
            addIfPresent(goalP50On, on, "goalRateP50Ms");
            addIfPresent(goalP99Off, off, "goalRateP99Ms");
            addIfPresent(goalP99On, on, "goalRateP99Ms");
            ObjectNode pair = pairList.addObject().put("pair", i);
            ratio(pair, "throughputRatio", on, off, "throughputPerS", tputRatios);
            ratio(pair, "fixedP50Ratio", on, off, "fixedP50Ms", p50Ratios);
            ratio(pair, "fixedP99Ratio", on, off, "fixedP99Ms", p99Ratios);
            ratio(pair, "cpuPerWriteRatio", on, off, "nodeCpuMsPerWrite", cpuRatios);
            ratio(pair, "fixedNodeCpuPerWriteRatio", on, off, "fixedNodeCpuMsPerWrite", fixedNodeCpuRatios);
            ratio(pair, "fixedNodeCpuPerWriteNoJitRatio", on, off, "fixedNodeCpuMsPerWriteNoJit", fixedNodeNoJitRatios);
            addIfPresent(recorderShares, on, "fixedRecorderThreadsShare");
        }
        ObjectNode medians = report.putObject("medians");
        putMedian(medians, "throughputPerSOff", tputOff);
        putMedian(medians, "throughputPerSOn", tputOn);
        putMedian(medians, "fixedP50MsOff", p50Off);
        putMedian(medians, "fixedP50MsOn", p50On);
        putMedian(medians, "fixedP99MsOff", p99Off);
        putMedian(medians, "fixedP99MsOn", p99On);
        putMedian(medians, "throughputRatio", tputRatios);
        putMedian(medians, "fixedP50Ratio", p50Ratios);
        putMedian(medians, "fixedP99Ratio", p99Ratios);
        putMedian(medians, "cpuPerWriteRatio", cpuRatios);
        putMedian(medians, "fixedNodeCpuPerWriteRatio", fixedNodeCpuRatios);
        putMedian(medians, "fixedNodeCpuPerWriteNoJitRatio", fixedNodeNoJitRatios);
        putMedian(medians, "fixedRecorderThreadsShare", recorderShares);
        putMedian(medians, "goalRateP50MsOff", goalP50Off);
        putMedian(medians, "goalRateP50MsOn", goalP50On);
        putMedian(medians, "goalRateP99MsOff", goalP99Off);
        putMedian(medians, "goalRateP99MsOn", goalP99On);

        JsonNode saturated = replay(dir.resolve("replay-saturated.json"));
        if (saturated != null) {
            report.set("replaySaturated", saturated);
        }
        JsonNode idle = replay(dir.resolve("replay-idle.json"));
        if (idle != null) {
            report.set("replayIdle", idle);
        }
        JsonNode stats = lastJsonLine(dir.resolve("stats.json"));
        if (stats != null && stats.has("recordings")) {
            long payload = 0;
            long disk = 0;
            for (JsonNode r : stats.get("recordings")) {
                payload += r.path("payloadBytes").asLong();
                disk += r.path("bytesOnDisk").asLong();
            }
            ObjectNode bytes = report.putObject("recordingBytes");
            bytes.put("payloadBytes", payload).put("bytesOnDisk", disk);
            if (payload > 0) {
                bytes.put("bytesOnDiskPerPayloadByte", round((double) disk / payload, 3));
            }
            JsonNode breakdown = lastJsonLine(dir.resolve("bytes.json"));
            if (breakdown != null) {
                bytes.set("bytesOnDiskByFileKind", breakdown.path("bytesOnDiskByFileKind"));
                bytes.put("bytesOnDiskCompacted", breakdown.path("bytesOnDiskCompacted").asLong());
                if (payload > 0) {
                    bytes.put("perPayloadByteCompacted", round((double) breakdown.path("bytesOnDiskCompacted").asLong() / payload, 3));
                }
            }
        }

        JsonNode overhead = lastJsonLine(dir.resolve("overhead.json"));
        if (overhead != null && overhead.has("medianRatio")) {
            report.set("coreRecordingCost", overhead);
        }

        ObjectNode goals = report.putObject("goals");
        goal(goals, "throughputRatio", ">=", GOAL_THROUGHPUT_RATIO, medians.get("throughputRatio"));
        goal(goals, "nodeCpuPerWriteRatio", "<=", round(GOAL_CPU_PER_WRITE_RATIO, 3), medians.get("fixedNodeCpuPerWriteRatio"));
        goal(goals, "nodeCpuPerWriteNoJitRatio", "<=", round(GOAL_CPU_PER_WRITE_RATIO, 3),
                medians.get("fixedNodeCpuPerWriteNoJitRatio"));
        goal(goals, "coreThroughputRatio", ">=", GOAL_THROUGHPUT_RATIO,
                overhead == null ? null : overhead.get("medianRatio"));
        goal(goals, "fixedP99Ratio", "<=", GOAL_P99_RATIO, medians.get("fixedP99Ratio"));
        goal(goals, "idleReplaySpeedup", ">=", GOAL_IDLE_REPLAY_SPEEDUP, idle == null ? null : idle.get("speedup"));
        goal(goals, "saturatedReplaySpeedup", ">=", GOAL_SATURATED_REPLAY_SPEEDUP,
                saturated == null ? null : saturated.get("speedup"));
        goal(goals, "bytesOnDiskPerPayloadByte", "<=", GOAL_BYTES_PER_PAYLOAD_BYTE,
                report.path("recordingBytes").get("bytesOnDiskPerPayloadByte"));
        goal(goals, "poolThroughputPerSOff", ">=", GOAL_POOL_THROUGHPUT, medians.get("throughputPerSOff"));
        goal(goals, "poolThroughputPerSOn", ">=", GOAL_POOL_THROUGHPUT, medians.get("throughputPerSOn"));
        if (medians.has("goalRateP99MsOff") || medians.has("goalRateP99MsOn")) {
            // Each pool alone at the goal's rate (--goal-rate, 1,000/s by default).
            goal(goals, "poolP99MsAtGoalRateOff", "<", GOAL_POOL_P99_MS, medians.get("goalRateP99MsOff"));
            goal(goals, "poolP99MsAtGoalRateOn", "<", GOAL_POOL_P99_MS, medians.get("goalRateP99MsOn"));
        } else {
            goal(goals, "poolFixedP99MsOff", "<", GOAL_POOL_P99_MS, medians.get("fixedP99MsOff"));
            goal(goals, "poolFixedP99MsOn", "<", GOAL_POOL_P99_MS, medians.get("fixedP99MsOn"));
        }
        return report;
    }

    private static ObjectNode run(Path dir, int pair, String mode) {
        ObjectNode run = Codec.mapper().createObjectNode().put("pair", pair).put("recording", mode);
        JsonNode sat = lastJsonLine(dir.resolve("pair" + pair + "-" + mode + ".sat.json"));
        if (sat != null) {
            run.put("requests", sat.path("sent").asLong());
            run.put("failed", sat.path("failed").asLong());
            run.put("throughputPerS", sat.path("throughputPerS").asDouble());
            run.put("saturatedP50Ms", sat.path("latencyMs").path("p50").asDouble());
            run.put("saturatedP99Ms", sat.path("latencyMs").path("p99").asDouble());
        }
        JsonNode atGoal = lastJsonLine(dir.resolve("pair" + pair + "-" + mode + ".goal.json"));
        if (atGoal != null) {
            // The pool alone, open loop at the goal's rate: what a client waits at that load.
            run.put("goalRateRequests", atGoal.path("sent").asLong());
            run.put("goalRateFailed", atGoal.path("failed").asLong());
            run.put("goalRateThroughputPerS", atGoal.path("throughputPerS").asDouble());
            run.put("goalRateP50Ms", atGoal.path("latencyMs").path("p50").asDouble());
            run.put("goalRateP99Ms", atGoal.path("latencyMs").path("p99").asDouble());
        }
        Properties cpu = readProperties(dir.resolve("pair" + pair + "-" + mode + ".cpu"));
        if (cpu.containsKey("nodeCpuSeconds") && run.path("requests").asLong() > 0) {
            double seconds = Double.parseDouble(cpu.getProperty("nodeCpuSeconds"));
            run.put("nodeCpuSeconds", seconds);
            run.put("nodeCpuMsPerWrite", round(seconds * 1000 / run.path("requests").asLong(), 3));
        }
        JsonNode fixed = lastJsonLine(dir.resolve("pair" + pair + "-" + mode + ".fixed.json"));
        if (fixed != null) {
            run.put("fixedRequests", fixed.path("sent").asLong());
            run.put("fixedFailed", fixed.path("failed").asLong());
            run.put("fixedThroughputPerS", fixed.path("throughputPerS").asDouble());
            run.put("fixedP50Ms", fixed.path("latencyMs").path("p50").asDouble());
            run.put("fixedP99Ms", fixed.path("latencyMs").path("p99").asDouble());
        }
        Properties window = readProperties(dir.resolve("pair" + pair + "-" + mode + ".fixedcpu"));
        if (window.containsKey("windowSeconds") && window.containsKey("rate")) {
            // The load is open-loop at a rate the pool sustains: it orders rate x window writes in the window.
            double writes = Double.parseDouble(window.getProperty("rate")) * Double.parseDouble(window.getProperty("windowSeconds"));
            double node = Double.parseDouble(window.getProperty("nodeCpuSeconds", "0"));
            double recorder = Double.parseDouble(window.getProperty("recorderCpuSeconds", "0"));
            double jit = Double.parseDouble(window.getProperty("jitCpuSeconds", "0"));
            run.put("fixedWindowWrites", (long) writes);
            if (writes > 0 && node > 0) {
                run.put("fixedNodeCpuMsPerWrite", round(node * 1000 / writes, 4));
                // Without the JIT compilers' threads: a JVM still compiling adds noise, not work.
                run.put("fixedNodeCpuMsPerWriteNoJit", round((node - jit) * 1000 / writes, 4));
                run.put("fixedJitShare", round(jit / node, 4));
                if (mode.equals("on")) {
                    run.put("fixedRecorderThreadsShare", round(recorder / node, 4));
                }
            }
        }
        return run;
    }

    private static ObjectNode replay(Path file) {
        JsonNode v = lastJsonLine(file);
        if (v == null || !v.has("replaySeconds")) {
            return null;
        }
        double recorded = v.path("recordedSeconds").asDouble();
        double replay = v.path("replaySeconds").asDouble();
        ObjectNode o = Codec.mapper().createObjectNode();
        o.put("node", v.path("node").asText());
        o.put("events", v.path("events").asLong());
        o.put("batchesOrdered", v.path("batchesOrdered").asLong());
        o.put("matches", v.path("matches").asBoolean());
        o.put("recordedSeconds", round(recorded, 3));
        o.put("replaySeconds", round(replay, 3));
        if (replay > 0) {
            o.put("speedup", round(recorded / replay, 2));
        }
        return o;
    }

    private static void ratio(ObjectNode pair, String name, ObjectNode on, ObjectNode off, String field, List<Double> into) {
        if (on.has(field) && off.has(field) && off.get(field).asDouble() > 0) {
            double r = on.get(field).asDouble() / off.get(field).asDouble();
            pair.put(name, round(r, 3));
            into.add(r);
        }
    }

    private static void addIfPresent(List<Double> into, ObjectNode run, String field) {
        if (run.has(field)) {
            into.add(run.get(field).asDouble());
        }
    }

    private static void putMedian(ObjectNode o, String name, List<Double> values) {
        if (!values.isEmpty()) {
            o.put(name, round(median(values), 3));
        }
    }

    /** The median (the mean of the middle two for an even count). */
    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static void goal(ObjectNode goals, String name, String op, double target, JsonNode value) {
        ObjectNode g = goals.putObject(name).put("goal", op + " " + fmt(target));
        if (value == null || !value.isNumber()) {
            g.putNull("value");
            g.put("met", "not measured");
            return;
        }
        double v = value.asDouble();
        boolean met = switch (op) {
            case ">=" -> v >= target;
            case "<=" -> v <= target;
            case "<" -> v < target;
            default -> throw new IllegalArgumentException(op);
        };
        g.put("value", v);
        g.put("met", met ? "met" : "missed");
    }

    /** The human part of the report; the JSON follows it when asked for. */
    static void print(ObjectNode r, PrintStream out) {
        out.println("pool benchmark: " + r.path("machine").path("nproc").asText("?") + " cores ("
                + r.path("machine").path("cpu").asText("?") + "), load average "
                + r.path("machine").path("loadStart").asText("?") + " at start, "
                + r.path("machine").path("loadEnd").asText("?") + " at end");
        out.printf(Locale.ROOT, "%-5s %-9s %10s %9s %9s %11s %11s %10s %10s%n", "pair", "recording", "ordered/s", "sat p50", "sat p99",
                "fixed p50", "fixed p99", "goal p50", "goal p99");
        for (JsonNode run : r.path("runs")) {
            long failed = run.path("failed").asLong() + run.path("fixedFailed").asLong() + run.path("goalRateFailed").asLong();
            out.printf(Locale.ROOT, "%-5d %-9s %10.1f %9.1f %9.1f %11.1f %11.1f %10.1f %10.1f%s%n", run.path("pair").asInt(),
                    run.path("recording").asText(), run.path("throughputPerS").asDouble(Double.NaN),
                    run.path("saturatedP50Ms").asDouble(Double.NaN), run.path("saturatedP99Ms").asDouble(Double.NaN),
                    run.path("fixedP50Ms").asDouble(Double.NaN), run.path("fixedP99Ms").asDouble(Double.NaN),
                    run.path("goalRateP50Ms").asDouble(Double.NaN), run.path("goalRateP99Ms").asDouble(Double.NaN),
                    failed > 0 ? "  (" + failed + " failed)" : "");
        }
        out.println("latencies in ms; 'fixed' at " + r.path("settings").path("rate").asText("?") + " req/s, both pools of a pair at once;"
                + " 'goal' at " + r.path("settings").path("goalRate").asText("-") + " req/s, each pool alone");
        out.printf(Locale.ROOT, "CPU per ordered write at %s req/s, both pools of a pair at once, measured for %s s (ms):%n",
                r.path("settings").path("rate").asText("?"), r.path("settings").path("windowSeconds").asText("?"));
        for (JsonNode run : r.path("runs")) {
            if (run.has("fixedNodeCpuMsPerWrite")) {
                out.printf(Locale.ROOT, "  pair %d %-3s nodes %.3f (%.3f without the JIT's %.1f%%)%s%n",
                        run.path("pair").asInt(), run.path("recording").asText(), run.path("fixedNodeCpuMsPerWrite").asDouble(),
                        run.path("fixedNodeCpuMsPerWriteNoJit").asDouble(), run.path("fixedJitShare").asDouble() * 100,
                        run.has("fixedRecorderThreadsShare")
                                ? String.format(Locale.ROOT, ", recorder threads %.2f%% of the nodes'",
                                run.path("fixedRecorderThreadsShare").asDouble() * 100) : "");
            }
        }
        for (JsonNode pair : r.path("pairs")) {
            out.printf(Locale.ROOT, "pair %d on/off: ordered/s %s, fixed p50 %s, fixed p99 %s, CPU per write at the fixed rate: "
                            + "nodes %s (without the JIT %s)%n",
                    pair.path("pair").asInt(), pair.path("throughputRatio").asText("-"), pair.path("fixedP50Ratio").asText("-"),
                    pair.path("fixedP99Ratio").asText("-"), pair.path("fixedNodeCpuPerWriteRatio").asText("-"),
                    pair.path("fixedNodeCpuPerWriteNoJitRatio").asText("-"));
        }
        JsonNode m = r.path("medians");
        out.printf(Locale.ROOT, "median: ordered/s off %s, on %s (ratio %s); fixed p99 ms off %s, on %s (ratio %s)%n",
                m.path("throughputPerSOff").asText("-"), m.path("throughputPerSOn").asText("-"),
                m.path("throughputRatio").asText("-"), m.path("fixedP99MsOff").asText("-"),
                m.path("fixedP99MsOn").asText("-"), m.path("fixedP99Ratio").asText("-"));
        out.printf(Locale.ROOT, "median CPU per ordered write at the fixed rate, on/off: nodes %s (without the JIT %s); "
                        + "recorder threads %s of the recording nodes' CPU%n", m.path("fixedNodeCpuPerWriteRatio").asText("-"),
                m.path("fixedNodeCpuPerWriteNoJitRatio").asText("-"), m.path("fixedRecorderThreadsShare").asText("-"));
        for (String name : List.of("replaySaturated", "replayIdle")) {
            JsonNode v = r.get(name);
            if (v != null) {
                out.printf(Locale.ROOT, "%s: node %s, %d events, recorded %.1f s, replayed in %.2f s (%sx), %s%n",
                        name.equals("replaySaturated") ? "replay of the last recording run" : "replay of the idle-heavy run",
                        v.path("node").asText(), v.path("events").asLong(), v.path("recordedSeconds").asDouble(),
                        v.path("replaySeconds").asDouble(), v.path("speedup").asText("-"),
                        v.path("matches").asBoolean() ? "verdict MATCH" : "verdict DIVERGED");
            }
        }
        if (r.path("settings").has("idlePoolCpuSeconds")) {
            out.printf(Locale.ROOT, "the idle-heavy pool (recording, one request every %s s) used %s CPU s while the pairs ran%n",
                    r.path("settings").path("idleRequestEverySeconds").asText("?"),
                    r.path("settings").path("idlePoolCpuSeconds").asText());
        }
        JsonNode core = r.get("coreRecordingCost");
        if (core != null) {
            out.printf(Locale.ROOT, "one node's core (%s, %d events replayed %d x with and without a recording tap): "
                            + "events/s on/off %s while running, %s counting the recording's close%n",
                    core.path("node").asText(), core.path("events").asLong(), core.path("rounds").asInt(),
                    core.path("medianRatio").asText("-"), core.path("medianRatioWithClose").asText("-"));
        }
        JsonNode bytes = r.get("recordingBytes");
        if (bytes != null) {
            out.printf(Locale.ROOT, "recording: %,d payload bytes, %,d bytes on disk = %s bytes on disk per payload byte%n",
                    bytes.path("payloadBytes").asLong(), bytes.path("bytesOnDisk").asLong(),
                    bytes.path("bytesOnDiskPerPayloadByte").asText("-"));
            if (bytes.has("bytesOnDiskByFileKind")) {
                out.printf(Locale.ROOT, "  by file kind %s; flushed and compacted (a copy): %,d bytes = %s per payload byte%n",
                        bytes.path("bytesOnDiskByFileKind"), bytes.path("bytesOnDiskCompacted").asLong(),
                        bytes.path("perPayloadByteCompacted").asText("-"));
            }
        }
        r.path("goals").fields().forEachRemaining(e -> out.printf(Locale.ROOT, "goal %-26s %-8s value %-10s %s%n", e.getKey(),
                e.getValue().path("goal").asText(), e.getValue().path("value").asText(), e.getValue().path("met").asText()));
    }

    private static JsonNode lastJsonLine(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i).trim();
                if (line.startsWith("{")) {
                    return Codec.mapper().readTree(line);
                }
            }
            return null;
        } catch (IOException e) {
            return null; // a tool that died mid-line leaves its figures out of the report
        }
    }

    private static Properties readProperties(Path file) {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return p;
    }

    private static void putNumberOrText(ObjectNode o, String name, String value) {
        try {
            double d = Double.parseDouble(value);
            if (d == Math.rint(d) && !value.contains(".")) {
                o.put(name, (long) d);
            } else {
                o.put(name, d);
            }
        } catch (NumberFormatException e) {
            o.put(name, value);
        }
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
