package io.stackcompanion.node.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.recorder.JsonLinesExporter;
import io.stackcompanion.recorder.RecordingException;
import io.stackcompanion.recorder.RecordingReader;
import io.stackcompanion.recorder.RecordingStats;
import io.stackcompanion.recorder.RecordingVerifier;

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
 * Looks inside recordings, for {@code scripts/recording.sh stats|export|verify DIR [--json]}.
 * DIR may be one stack's recording, a node's {@code recorder/} folder, a node's data folder, or a
 * pool's base dir (every node in it). Exit codes: 0 fine, 1 a recording is damaged, 2 bad arguments.
 */
public final class RecordingMain {
    private static final String USAGE = "usage: recording.sh stats|export|verify DIR [--json]";

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
        for (String a : rest) {
            if (a.startsWith("-")) {
                err.println("error: unknown option '" + a + "'; " + USAGE);
                return 2;
            }
        }
        if (rest.size() != 2) {
            err.println("error: " + (rest.isEmpty() ? "a command and a folder are needed" : rest.size() == 1 ? "a folder is needed"
                    : "unexpected argument '" + rest.get(2) + "'") + "; " + USAGE);
            return 2;
        }
        String command = rest.get(0);
        if (!List.of("stats", "export", "verify").contains(command)) {
            err.println("error: unknown command '" + command + "'; " + USAGE);
            return 2;
        }
        Path dir = Path.of(rest.get(1));
        if (!Files.isDirectory(dir)) {
            err.println("error: no folder " + dir + "; pass a pool's base dir, a node's data folder or a recording");
            return 2;
        }
        List<Path> recordings;
        try {
            recordings = find(dir);
        } catch (IOException e) {
            err.println("error: cannot read " + dir + ": " + e.getMessage());
            return 2;
        }
        if (recordings.isEmpty()) {
            err.println("error: no recording under " + dir + "; a recording node keeps them in data/<node>/recorder/"
                    + " (run the node with STACK_COMPANION=1)");
            return 2;
        }
        try {
            return switch (command) {
                case "stats" -> stats(recordings, json, out);
                case "export" -> export(recordings, out);
                case "verify" -> verify(recordings, json, out, err);
                default -> {
                    err.println("error: unknown command '" + command + "'; " + USAGE);
                    yield 2;
                }
            };
        } catch (RecordingException e) {
            err.println("error: " + e.getMessage());
            return 1;
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
            }
        }
        if (json) {
            ObjectNode o = Codec.mapper().createObjectNode();
            o.set("recordings", all);
            out.println(o);
        }
        return 0;
    }

    private static int export(List<Path> recordings, PrintStream out) {
        // Messages are JSON, so the default decoder embeds them as JSON; anything else becomes base64.
        JsonLinesExporter exporter = new JsonLinesExporter();
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        try {
            for (Path r : recordings) {
                try (RecordingReader reader = RecordingReader.open(r)) {
                    exporter.export(reader, w);
                }
            }
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }

    private static int verify(List<Path> recordings, boolean json, PrintStream out, PrintStream err) {
        ArrayNode all = Codec.mapper().createArrayNode();
        boolean ok = true;
        for (Path r : recordings) {
            RecordingVerifier.Report report = RecordingVerifier.verify(r);
            ObjectNode o = all.addObject();
            o.put("folder", r.toString());
            o.put("eventsChecked", report.eventsChecked());
            o.put("ok", report.ok());
            report.firstProblem().ifPresent(p -> o.put("problem", p));
            if (report.ok()) {
                out.println("ok       " + r + " (" + report.eventsChecked() + " events)");
            } else {
                ok = false;
                err.println("error: " + report.firstProblem().get());
            }
        }
        if (json) {
            ObjectNode o = Codec.mapper().createObjectNode();
            o.put("ok", ok);
            o.set("recordings", all);
            out.println(o);
        }
        return ok ? 0 : 1;
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
