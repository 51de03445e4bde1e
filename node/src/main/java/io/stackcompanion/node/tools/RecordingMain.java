package io.stackcompanion.node.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.recording.CombinedRecorder;
import io.stackcompanion.node.recording.MergedEvent;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.node.recording.RecordingCheck;
import io.stackcompanion.node.recording.RecorderFolders;
import io.stackcompanion.node.sanitize.SanitizeKey;
import io.stackcompanion.node.sanitize.Sanitizer;
import io.stackcompanion.node.timeline.MessageMatcher;
import io.stackcompanion.node.timeline.PoolCheck;
import io.stackcompanion.node.timeline.PoolEvents;
import io.stackcompanion.node.timeline.TimelineWriter;
import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.collect.RecordingArchive;
import io.stackcompanion.recorder.ErrorExit;
import io.stackcompanion.recorder.JsonLinesExporter;
import io.stackcompanion.recorder.RecordingFormatException;
import io.stackcompanion.recorder.RecordingReader;
import io.stackcompanion.recorder.RecordingStats;
import io.stackcompanion.recorder.RecordingVerifier;
import io.stackcompanion.recorder.StackCompanionException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Looks inside recordings, for {@code scripts/recording.sh stats|export|verify DIR [--json]}, and
 * makes sanitized copies ({@code sanitize IN OUT [--sanitize-key FILE]}, see {@link Sanitizer}).
 * DIR may be one stack's recording, a node's {@code recorder/} folder, a node's data folder, or a
 * pool's base dir (every node in it). Exit codes: 0 fine, 2 bad arguments or a damaged recording (one
 * line on stderr naming the file).
 */
public final class RecordingMain {
    private static final String USAGE = "usage: recording.sh stats|verify DIR [--json] | verify --pool DIR [--json]"
            + " | export DIR [--from-index N] [--to-index N]"
            + " | timeline DIR|ARCHIVE --out FILE.html [--node NAME ...] [--from T] [--to T] [--json]"
            + " | sanitize IN OUT [--sanitize-key FILE] [--sanitize-hosts] [--json]";
    /** Where the sanitize key is kept unless --sanitize-key says otherwise: with the operator, never in a recording. */
    static final String DEFAULT_KEY = ".stack-companion/sanitize.key";

    private RecordingMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(List.of(args));
        if (rest.contains("-h") || rest.contains("--help")) {
            out.println(USAGE);
            return 0;
        }
        boolean json = rest.remove("--json");
        boolean pool = rest.remove("--pool");
        if (!rest.isEmpty() && rest.get(0).equals("timeline")) {
            return timeline(rest.subList(1, rest.size()), json, out, err);
        }
        if (!rest.isEmpty() && rest.get(0).equals("sanitize")) {
            return sanitize(rest.subList(1, rest.size()), json, out, err);
        }
        long fromIndex;
        long toIndex;
        try {
            fromIndex = takeIndex(rest, "--from-index", 0);
            toIndex = takeIndex(rest, "--to-index", Long.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            return ErrorExit.userError(err, e.getMessage() + "; " + USAGE);
        }
        if (pool && !(rest.size() >= 1 && rest.get(0).equals("verify"))) {
            return ErrorExit.userError(err, "--pool is for verify only; " + USAGE);
        }
        if (fromIndex > toIndex) {
            return ErrorExit.userError(err, "--from-index " + fromIndex + " is after --to-index " + toIndex + "; " + USAGE);
        }
        for (String a : rest) {
            if (a.startsWith("-")) {
                return ErrorExit.userError(err, "unknown option '" + a + "'; " + USAGE);
            }
        }
        if (rest.size() != 2) {
            return ErrorExit.userError(err, (rest.isEmpty() ? "a command and a folder are needed" : rest.size() == 1 ? "a folder is needed"
                    : "unexpected argument '" + rest.get(2) + "'") + "; " + USAGE);
        }
        String command = rest.get(0);
        if (!List.of("stats", "export", "verify").contains(command)) {
            return ErrorExit.userError(err, "unknown command '" + command + "'; " + USAGE);
        }
        if ((fromIndex != 0 || toIndex != Long.MAX_VALUE) && !command.equals("export")) {
            return ErrorExit.userError(err, "--from-index and --to-index are for export only; " + USAGE);
        }
        Path dir = Path.of(rest.get(1));
        if (!Files.isDirectory(dir)) {
            return ErrorExit.userError(err, "no folder " + dir + "; pass a pool's base dir, a node's data folder or a recording");
        }
        List<Path> recordings;
        try {
            recordings = find(dir);
            if (command.equals("verify") && recordings.isEmpty() && !findRecorders(dir).isEmpty()) {
                recordings = findRecorders(dir); // recorder folders whose stacks are all damaged: verify says so
            }
        } catch (IOException e) {
            return ErrorExit.userError(err, "cannot read " + dir + ": " + e.getMessage());
        }
        if (recordings.isEmpty()) {
            return ErrorExit.userError(err, "no recording under " + dir + "; a recording node keeps them in data/<node>/recorder/"
                    + " (run the node with STACK_COMPANION=1)");
        }
        try {
            return switch (command) {
                case "stats" -> stats(recordings, json, out);
                case "export" -> export(dir, recordings, fromIndex, toIndex, out);
                case "verify" -> verify(dir, json, pool, out, err);
                default -> {
                    err.println("error: unknown command '" + command + "'; " + USAGE);
                    yield 2;
                }
            };
        } catch (StackCompanionException e) {
            return ErrorExit.print(err, e);
        } catch (IOException e) {
            return ErrorExit.userError(err, "cannot read " + dir + ": " + e.getMessage());
        } catch (RuntimeException e) {
            return ErrorExit.bug(err, command, e);
        }
    }

    /**
     * {@code timeline DIR|ARCHIVE --out FILE.html [--node NAME ...] [--from T] [--to T]}: the pool's
     * recordings as one self-contained HTML page, see {@link TimelineWriter}. T is an ISO-8601 instant
     * or seconds from the first recorded event.
     */
    private static int timeline(List<String> args, boolean json, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(args);
        List<String> nodes = new ArrayList<>();
        String outFile = null;
        String from = null;
        String to = null;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (List.of("--out", "--node", "--from", "--to").contains(a)) {
                if (i + 1 >= rest.size() || rest.get(i + 1).startsWith("--")) {
                    return ErrorExit.userError(err, a + " needs " + (a.equals("--out") ? "a file (FILE.html)" : a.equals("--node")
                            ? "a node name" : "a time (an ISO-8601 instant, or seconds from the first event)") + "; " + USAGE);
                }
                String v = rest.get(++i);
                switch (a) {
                    case "--out" -> outFile = v;
                    case "--node" -> nodes.add(v);
                    case "--from" -> from = v;
                    default -> to = v;
                }
            } else if (a.startsWith("-")) {
                return ErrorExit.userError(err, "unknown option '" + a + "'; " + USAGE);
            } else {
                positional.add(a);
            }
        }
        if (positional.size() != 1) {
            return ErrorExit.userError(err, (positional.isEmpty() ? "timeline needs a pool's base dir or a recording archive"
                    : "unexpected argument '" + positional.get(1) + "'") + "; " + USAGE);
        }
        if (outFile == null) {
            return ErrorExit.userError(err, "timeline needs --out FILE.html, where to write the page; " + USAGE);
        }
        Path src = Path.of(positional.get(0));
        Path target = Path.of(outFile);
        if (Files.isDirectory(target)) {
            return ErrorExit.userError(err, "--out " + target + " is a folder; name the HTML file to write");
        }
        Path parent = target.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return ErrorExit.userError(err, "no folder " + parent + " to write " + target + " into");
        }
        if (!Files.exists(src)) {
            return ErrorExit.userError(err, "no recording at " + src + "; pass a pool's base dir, a node's folder or an archive");
        }
        Path unpacked = null;
        try {
            Path dir = src;
            if (RecordingArchive.isArchive(src)) {
                unpacked = Files.createTempDirectory("sc-timeline-");
                RecordingArchive.unpack(src, unpacked);
                dir = unpacked;
            } else if (!Files.isDirectory(src)) {
                return ErrorExit.userError(err, src + " is neither a folder nor a recording archive (*.tar.gz, *.tgz)");
            }
            long t0 = System.nanoTime();
            PoolEvents events = PoolEvents.read(dir, true);
            for (String n : nodes) {
                if (events.laneOf(n) < 0) {
                    return ErrorExit.userError(err, "no recording of " + n + " under " + src + "; it holds " + events.lanes());
                }
            }
            long first = Long.MAX_VALUE;
            for (int i = 0; i < events.size(); i++) {
                first = Math.min(first, events.timeNanos(i));
            }
            long fromNanos = from == null ? Long.MIN_VALUE : parseTime("--from", from, first);
            long toNanos = to == null ? Long.MAX_VALUE : parseTime("--to", to, first);
            if (fromNanos > toNanos) {
                return ErrorExit.userError(err, "--from " + from + " is after --to " + to);
            }
            MessageMatcher.Result matched = MessageMatcher.match(events);
            TimelineWriter.Written w = TimelineWriter.write(events, matched, new TimelineWriter.Selection(nodes, fromNanos, toNanos),
                    "Stack Companion timeline: " + src.getFileName(), target);
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.printf("wrote %s: %d lanes, %,d events, %,d arrows (matched messages), %,d bytes, in %.1f s%n", w.file(), w.lanes(), w.events(),
                    w.arrows(), w.bytes(), seconds);
            if (json) {
                ObjectNode o = Codec.mapper().createObjectNode();
                o.put("out", w.file().toString());
                o.set("lanes", Codec.mapper().valueToTree(nodes.isEmpty() ? events.lanes() : nodes));
                o.put("events", w.events());
                o.put("arrows", w.arrows());
                o.put("matchedInPool", matched.matched());
                o.put("bytes", w.bytes());
                o.put("seconds", seconds);
                out.println(o);
            }
            return 0;
        } catch (StackCompanionException e) {
            return ErrorExit.print(err, e);
        } catch (IOException e) {
            return ErrorExit.userError(err, "cannot read " + src + " or write " + target + ": " + e.getMessage());
        } catch (RuntimeException e) {
            return ErrorExit.bug(err, "timeline", e);
        } finally {
            if (unpacked != null) {
                FileTrees.deleteQuietly(unpacked);
            }
        }
    }

    /** An ISO-8601 instant, or seconds (decimals allowed) from {@code first}. */
    private static long parseTime(String option, String v, long first) {
        try {
            java.time.Instant t = java.time.Instant.parse(v);
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
            // seconds, below
        }
        try {
            double s = Double.parseDouble(v);
            if (s >= 0 && s < 1e9) {
                return first + Math.round(s * 1e9);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new Cli.UsageException(option + " takes an ISO-8601 instant (2026-12-02T06:53:50Z) or seconds from the first event (12.5), not '" + v + "'");
    }

    /** {@code sanitize IN OUT [--sanitize-key FILE]}: see {@link Sanitizer}. */
    private static int sanitize(List<String> args, boolean json, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(args);
        boolean hosts = rest.remove("--sanitize-hosts");
        Path keyFile = Path.of(System.getProperty("user.home"), DEFAULT_KEY);
        int k = rest.indexOf("--sanitize-key");
        if (k >= 0) {
            if (k + 1 >= rest.size()) {
                return ErrorExit.userError(err, "--sanitize-key needs a file (made on first use); " + USAGE);
            }
            keyFile = Path.of(rest.get(k + 1));
            rest.remove(k + 1);
            rest.remove(k);
        }
        for (String a : rest) {
            if (a.startsWith("-")) {
                return ErrorExit.userError(err, "unknown option '" + a + "'; " + USAGE);
            }
        }
        if (rest.size() != 2) {
            return ErrorExit.userError(err, (rest.size() < 2 ? "sanitize needs IN (a pool's base dir, a node's folder or an archive)"
                    + " and OUT (a new folder or *.tar.gz)" : "unexpected argument '" + rest.get(2) + "'") + "; " + USAGE);
        }
        try {
            Sanitizer.Result r = new Sanitizer(SanitizeKey.loadOrCreate(keyFile), hosts).sanitize(Path.of(rest.get(0)), Path.of(rest.get(1)),
                    line -> err.println(line));
            out.printf("sanitized %d node(s) (%s), %,d events, into %s in %.1f s (%,.0f events/s)%n", r.nodes().size(),
                    String.join(", ", r.nodes()), r.events(), r.out(), r.seconds(), r.events() / Math.max(r.seconds(), 1e-9));
            out.println("  pseudonyms: HMAC-SHA256 under " + keyFile + " (key id " + r.keyId() + "; keep the key, never send it)");
            r.replaced().forEach((kind, n) -> out.printf("  replaced %,8d %s%n", n, kind));
            if (json) {
                ObjectNode o = Codec.mapper().createObjectNode();
                o.put("out", r.out().toString());
                o.set("nodes", Codec.mapper().valueToTree(r.nodes()));
                o.put("events", r.events());
                o.put("keyId", r.keyId());
                o.set("replaced", Codec.mapper().valueToTree(r.replaced()));
                o.put("seconds", r.seconds());
                out.println(o);
            }
            return 0;
        } catch (StackCompanionException e) {
            return ErrorExit.print(err, e);
        } catch (RuntimeException e) {
            return ErrorExit.bug(err, "sanitize", e);
        }
    }

    private static int stats(List<Path> recordings, boolean json, PrintStream out) {
        ArrayNode all = Codec.mapper().createArrayNode();
        for (Path r : recordings) {
            try (RecordingReader reader = RecordingReader.open(r)) {
                RecordingStats st = RecordingStats.of(reader);
                ObjectNode o = st.toJson();
                o.put("node", st.metadata().nodeName());
                o.put("stack", st.metadata().stackName());
                o.put("spanSeconds", st.span().toNanos() / 1e9);
                all.add(o);
                out.printf("%-8s %-6s %9d events  %8.1f s  %,12d payload bytes  %,12d bytes on disk%n",
                        st.metadata().nodeName(), st.metadata().stackName(), st.events(), st.span().toNanos() / 1e9,
                        st.payloadBytes(), st.bytesOnDisk());
                st.eventsPerKind().forEach((k, v) -> out.printf("    %-14s %9d%n", k, v));
                Path recorder = r.toAbsolutePath().getParent();
                Sanitizer.stamp(recorder).ifPresent(stamp -> {
                    o.set("sanitized", stamp);
                    out.printf("    sanitized: %s version %s, key id %s, replaced %s%n", stamp.path("method").asText(),
                            stamp.path("version").asText(), stamp.path("keyId").asText(), stamp.path("replaced"));
                });
            }
        }
        if (json) {
            ObjectNode o = Codec.mapper().createObjectNode();
            o.set("recordings", all);
            out.println(o);
        }
        return 0;
    }

    /**
     * Each node's events as JSON Lines in the order the replay feeds them: both stacks merged, every
     * line with the node, its {@code index} in that merged stream (the index {@code replay.sh}'s
     * verdict, {@code --until-event} and {@code Replayer.beforeEvent} use) and its {@code stack}. Given
     * one stack's folder, that stack's events alone, without an index.
     */
    private static int export(Path dir, List<Path> recordings, long fromIndex, long toIndex, PrintStream out) throws IOException {
        // Messages (JSON or binary) as their JSON; anything else becomes base64.
        JsonLinesExporter exporter = new JsonLinesExporter(Codec::readable);
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        List<Path> recorders = findRecorders(dir);
        if (recorders.isEmpty()) {
            for (Path r : recordings) {
                try (RecordingReader reader = RecordingReader.open(r)) {
                    exporter.export(reader, w);
                }
            }
        }
        for (Path recorder : recorders) {
            Path nodeStack = recorder.resolve(NodeRecording.NODE_STACK);
            Path clientStack = recorder.resolve(NodeRecording.CLIENT_STACK);
            if (!recordings.contains(nodeStack) || !recordings.contains(clientStack)) {
                throw new RecordingFormatException(recorder + " lacks its " + (recordings.contains(nodeStack) ? "client" : "node")
                        + " stack's recording, so no merged index can be given; 'recording.sh verify " + recorder + "' says more");
            }
            try (RecordingReader node = RecordingReader.open(nodeStack); RecordingReader client = RecordingReader.open(clientStack);
                 CombinedRecorder merged = new CombinedRecorder(node, client)) {
                String name = node.metadata().nodeName();
                while (merged.hasNext()) {
                    MergedEvent e = merged.next();
                    if (e.index() > toIndex) {
                        break;
                    }
                    if (e.index() >= fromIndex) {
                        ObjectNode line = Codec.mapper().createObjectNode();
                        line.put("node", name);
                        line.put("index", e.index());
                        line.put("stack", e.stack().name());
                        w.write(exporter.toJsonLine(line, e.event()));
                        w.write('\n');
                    }
                }
            }
        }
        w.flush();
        return 0;
    }

    /** Removes {@code option N} from {@code args} and returns N, or {@code otherwise} when absent. */
    private static long takeIndex(List<String> args, String option, long otherwise) {
        int at = args.indexOf(option);
        if (at < 0) {
            return otherwise;
        }
        if (at + 1 >= args.size()) {
            throw new IllegalArgumentException(option + " needs an event index");
        }
        String v = args.remove(at + 1);
        args.remove(at);
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(option + " takes an event index, a whole number from 0, not '" + v + "'");
    }

    /**
     * Verifies each node's whole recording (both stacks, initial and restart states) or, given one
     * stack's folder, that stack. Exit 2 when anything is damaged, with one line per damaged
     * recording on stderr naming the file.
     */
    private static int verify(Path dir, boolean json, boolean pool, PrintStream out, PrintStream err) throws IOException {
        ArrayNode all = Codec.mapper().createArrayNode();
        ArrayNode states = Codec.mapper().createArrayNode();
        boolean ok = true;
        List<Path> recorders = findRecorders(dir);
        if (recorders.isEmpty()) {
            for (Path stack : find(dir)) {
                RecordingVerifier.Report report = RecordingVerifier.verify(stack);
                printStack(report, all, out);
                if (!report.ok()) {
                    ok = false;
                    err.println("error: " + report.firstProblem().get());
                }
            }
        }
        for (Path recorder : recorders) {
            RecordingCheck.Report report = RecordingCheck.verify(recorder);
            report.stacks().forEach(stack -> printStack(stack, all, out));
            report.states().forEach(state -> printState(state, states, out));
            if (!report.ok()) {
                ok = false;
                err.println("error: " + report.firstProblem().get());
            }
        }
        ObjectNode poolJson = Codec.mapper().createObjectNode();
        if (pool) {
            // The recordings against each other: every node-to-node message sent is received, and the reverse.
            PoolEvents events = PoolEvents.read(dir, false);
            ok &= PoolCheck.report(events, MessageMatcher.match(events), out, err, poolJson);
        }
        if (json) {
            ObjectNode o = Codec.mapper().createObjectNode();
            o.put("ok", ok);
            o.set("recordings", all);
            o.set("states", states);
            if (pool) {
                o.set("pool", poolJson);
            }
            out.println(o);
        }
        return ok ? 0 : 2;
    }

    private static void printStack(RecordingVerifier.Report report, ArrayNode all, PrintStream out) {
        ObjectNode o = all.addObject();
        o.put("folder", report.folder().toString());
        o.put("eventsChecked", report.eventsChecked());
        o.put("ok", report.ok());
        o.put("complete", report.sealed());
        report.firstProblem().ifPresent(p -> o.put("problem", p));
        ArrayNode notes = o.putArray("notes");
        report.notes().forEach(notes::add);
        if (report.ok()) {
            out.println("ok       " + report.folder() + " (" + report.eventsChecked() + " events" + (report.sealed() ? ", none missing)" : ")"));
            report.notes().forEach(n -> out.println("  note:  " + n));
        }
    }

    private static void printState(RecordingCheck.State state, ArrayNode states, PrintStream out) {
        ObjectNode o = states.addObject();
        o.put("folder", state.folder().toString());
        o.put("keys", state.keys());
        o.put("ok", state.problem().isEmpty());
        state.problem().ifPresent(p -> o.put("problem", p));
        state.note().ifPresent(n -> o.put("note", n));
        if (state.problem().isEmpty()) {
            out.println("ok       " + state.folder() + " (" + state.keys() + " keys" + (state.note().isEmpty() ? ", as recorded when it was taken)" : ")"));
            state.note().ifPresent(n -> out.println("  note:  " + n));
        }
    }

    /** Every node recorder folder under {@code dir} (including {@code dir} itself), sorted by path. */
    static List<Path> findRecorders(Path dir) throws IOException {
        return RecorderFolders.find(dir);
    }

    /** Every stack recording under {@code dir}, sorted by path. */
    static List<Path> find(Path dir) throws IOException {
        if (Files.isDirectory(dir.resolve("CURRENT")) || Files.isRegularFile(dir.resolve("CURRENT"))) {
            return List.of(dir); // one stack's recording (a RocksDB folder)
        }
        try (Stream<Path> walk = Files.walk(dir, 5)) {
            return walk.filter(p -> p.getParent() != null && p.getParent().getFileName() != null
                            && p.getParent().getFileName().toString().equals(NodeRecording.FOLDER)
                            && (p.getFileName().toString().equals(NodeRecording.NODE_STACK)
                            || p.getFileName().toString().equals(NodeRecording.CLIENT_STACK))
                            && Files.isRegularFile(p.resolve("CURRENT")))
                    .sorted().toList();
        }
    }
}
