package io.stackcompanion.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.recorder.StackCompanionException;
import io.stackcompanion.sim.check.Linearizability.Candidate;
import io.stackcompanion.sim.check.Linearizability.KeyVerdict;
import io.stackcompanion.sim.check.Linearizability.Step;
import io.stackcompanion.sim.check.Linearizability.Verdict;
import io.stackcompanion.sim.history.Operation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Writes a client history and its linearizability verdict as one self-contained HTML page
 * ({@code dst.sh check --html}, {@code dst-S/history.html}): per key, one lane per client, each
 * operation a bar from invoke to return; for a key that cannot be ordered, the blocked operation,
 * the longest order found and what cannot come next. The page's script and style are inline and
 * its data is one base64 JSON blob in it (no markup can break out of a string), so it opens offline.
 */
public final class HistoryPage {
    private static final String TEMPLATE = "history.html";
    private static final String DATA_MARK = "\"@DATA@\"";

    private HistoryPage() {
    }

    /** A user error when {@code out} cannot be written: a folder, or in a folder that does not exist. */
    public static void checkWritable(Path out, String option) {
        Path abs = out.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new StackCompanionException(option + " " + out + " is a folder; name the HTML file to write");
        }
        if (abs.getParent() == null || !Files.isDirectory(abs.getParent())) {
            throw new StackCompanionException(option + " " + out + ": no folder " + abs.getParent() + " to write it into");
        }
    }

    /**
     * Writes the page to {@code out} (whole or not at all). {@code json} gives an operation as its
     * history line says it, with its line number; {@code title} names the history; {@code base} is
     * the time shown as +0 (as in {@code report}, the text report shown beside).
     */
    public static void write(Path out, String title, List<Operation> history, Verdict verdict, String report, long base,
                             Function<Operation, ObjectNode> json) {
        ObjectNode data = Codec.mapper().createObjectNode();
        data.put("title", title);
        data.put("verdict", verdict.outcome().name());
        data.put("report", report);
        data.put("base", base);
        ArrayNode ops = data.putArray("ops");
        for (Operation op : history) {
            ObjectNode o = ops.addObject();
            o.put("line", op.line());
            o.put("client", op.client());
            o.put("key", op.key());
            o.put("label", label(op));
            o.put("invoke", op.invoke());
            if (op.completed()) {
                o.put("return", op.returned());
            } else {
                o.putNull("return");
            }
            o.put("text", json.apply(op).toString());
        }
        ArrayNode failures = data.putArray("failures");
        for (KeyVerdict k : verdict.failures()) {
            ObjectNode f = failures.addObject();
            f.put("key", k.key());
            f.put("blocked", k.blocked().line());
            f.put("initialValue", k.initialState());
            ArrayNode order = f.putArray("order");
            for (Step s : k.order()) {
                order.addObject().put("line", s.op().line()).put("after", Operation.quote(s.stateAfter()));
            }
            ArrayNode next = f.putArray("cannotComeNext");
            for (Candidate c : k.candidates()) {
                next.addObject().put("line", c.op().line()).put("describe", c.op().describe())
                        .put("why", c.why() != null ? c.why() : "the key takes it, but then nothing orders the rest");
            }
        }
        ArrayNode unknown = data.putArray("unknown");
        verdict.unknowns().forEach(k -> unknown.addObject().put("key", k.key()).put("reason", k.reason()));
        String page = template().replace(DATA_MARK,
                "\"" + Base64.getEncoder().encodeToString(data.toString().getBytes(StandardCharsets.UTF_8)) + "\"");
        Path abs = out.toAbsolutePath();
        try {
            // a sibling, so the move is atomic; written as any new file (the umask's permissions)
            Path tmp = abs.resolveSibling("." + abs.getFileName() + ".partial");
            try {
                Files.writeString(tmp, page, StandardCharsets.UTF_8);
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /** A bar's label: {@code PUT "v"}, {@code GET -> "x"}, {@code CAS "a"->"b" applied}; no reply said. */
    static String label(Operation op) {
        String what = switch (op.kind()) {
            case PUT -> "PUT " + Operation.quote(op.value());
            case GET -> "GET" + (op.completed() ? " -> " + Operation.quote(op.read()) : "");
            case CAS -> "CAS " + Operation.quote(op.expected()) + "->" + Operation.quote(op.value())
                    + (op.completed() ? (op.applied() ? " applied" : " not applied") : "");
        };
        return what + (op.completed() ? "" : " (no reply)");
    }

    private static String template() {
        try (InputStream in = HistoryPage.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
