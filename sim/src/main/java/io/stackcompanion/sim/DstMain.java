package io.stackcompanion.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.recorder.ErrorExit;
import io.stackcompanion.recorder.StackCompanionException;
import io.stackcompanion.sim.check.Linearizability;
import io.stackcompanion.sim.dst.DstCommands;
import io.stackcompanion.sim.check.Linearizability.Candidate;
import io.stackcompanion.sim.check.Linearizability.KeyVerdict;
import io.stackcompanion.sim.check.Linearizability.Outcome;
import io.stackcompanion.sim.check.Linearizability.Step;
import io.stackcompanion.sim.check.Linearizability.Verdict;
import io.stackcompanion.sim.history.HistoryReader;
import io.stackcompanion.sim.history.Operation;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code scripts/dst.sh}: {@code DstMain check FILE [--json] [--max-steps N] [--initial absent|unknown] [--html OUT.html]}
 * checks a client history (README, "Client history") for linearizability. Exit codes: 0 linearizable; 1 not linearizable
 * (the counter-example printed); 2 bad arguments or a malformed history (one line naming the line);
 * 3 a bug; 4 unknown (the search bound was reached on a key before a verdict). {@code run} and
 * {@code swarm} ({@link DstCommands}): 0 every check passed, 1 a seed failed a check, 2, 3 as above.
 */
public final class DstMain {
    public static final int NOT_LINEARIZABLE = 1;
    public static final int UNKNOWN = 4;
    /** The report shows at most this many operations of an order (its end) and of those that cannot come next. */
    static final int SHOWN = 20;

    private DstMain() {
    }

    public static void main(String[] args) {
        // A simulated pool goes through more faults in a minute than a real one in a year: its nodes'
        // warnings (ignored messages, refused proofs) are the faults working, not news. Errors show.
        if (System.getProperty("node.log.level") == null) {
            System.setProperty("node.log.level", "ERROR");
        }
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 0) {
                throw new StackCompanionException("dst.sh needs a command: run, swarm or check (see 'scripts/dst.sh --help')");
            }
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            return switch (args[0]) {
                case "check" -> check(rest, out);
                case "run" -> DstCommands.run(rest, out);
                case "swarm" -> DstCommands.swarm(rest, out, err);
                default -> throw new StackCompanionException("unknown command '" + args[0] + "' for dst.sh; the commands are run, swarm and check");
            };
        } catch (StackCompanionException e) {
            return ErrorExit.print(err, e);
        } catch (RuntimeException | OutOfMemoryError e) {
            return ErrorExit.bug(err, "dst.sh " + (args.length > 0 ? args[0] : ""), e);
        }
    }

    private static int check(String[] args, PrintStream out) {
        Options o = new Options()
                .addOption(Option.builder().longOpt("json").desc("the verdict as one JSON object, last").get())
                .addOption(Option.builder().longOpt("max-steps").hasArg().argName("N")
                        .desc("search steps per key before the verdict is unknown (default " + Linearizability.DEFAULT_MAX_STEPS + ")").get())
                .addOption(Option.builder().longOpt("initial").hasArg().argName("absent|unknown")
                        .desc("the keys' values before the history: absent (default), or unknown (a pool used before)").get())
                .addOption(Option.builder().longOpt("html").hasArg().argName("OUT.html")
                        .desc("also write the history and the verdict as a page to open in a browser (offline)").get());
        CommandLine cl;
        try {
            cl = new DefaultParser().parse(o, args);
        } catch (ParseException e) {
            throw new StackCompanionException(e.getMessage() + " (dst.sh check FILE [--json] [--max-steps N] [--initial absent|unknown] [--html OUT.html])");
        }
        if (cl.getArgList().size() != 1) {
            throw new StackCompanionException("dst.sh check takes one history file, not " + cl.getArgList().size()
                    + " (dst.sh check FILE [--json] [--max-steps N] [--initial absent|unknown] [--html OUT.html])");
        }
        long maxSteps = Linearizability.DEFAULT_MAX_STEPS;
        if (cl.hasOption("max-steps")) {
            String v = cl.getOptionValue("max-steps");
            try {
                maxSteps = Long.parseLong(v);
            } catch (NumberFormatException e) {
                maxSteps = 0;
            }
            if (maxSteps < 1) {
                throw new StackCompanionException("--max-steps must be a whole number from 1, not '" + v + "'");
            }
        }
        Linearizability.Initial initial = Linearizability.Initial.ABSENT;
        if (cl.hasOption("initial")) {
            String v = cl.getOptionValue("initial");
            try {
                initial = Linearizability.Initial.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new StackCompanionException("--initial is absent or unknown, not '" + v + "'");
            }
        }
        Path html = cl.hasOption("html") ? Path.of(cl.getOptionValue("html")) : null;
        if (html != null) {
            HistoryPage.checkWritable(html, "--html");
        }
        Path file = Path.of(cl.getArgList().get(0));
        List<Operation> history = HistoryReader.read(file);
        Verdict verdict = new Linearizability(maxSteps, initial).check(history);
        long base = history.stream().mapToLong(Operation::invoke).min().orElse(0);
        String report = report(verdict, base);
        out.print(report);
        if (html != null) {
            writeHtml(html, file, history, verdict, report, base);
            out.println("wrote " + html.toAbsolutePath() + ": the history by key and client, to open in a browser");
        }
        if (cl.hasOption("json")) {
            out.println(json(file, verdict));
        }
        return switch (verdict.outcome()) {
            case LINEARIZABLE -> 0;
            case NOT_LINEARIZABLE -> NOT_LINEARIZABLE;
            case UNKNOWN -> UNKNOWN;
        };
    }

    /** The verdict for people; {@code base}: the time printed as +0 (the history's first invoke). */
    public static String report(Verdict v, long base) {
        StringBuilder b = new StringBuilder();
        String summary = count(v.operations(), "operation") + " on " + count(v.keys().size(), "key") + " ("
                + v.unknownOutcome() + " with no agreed reply)";
        switch (v.outcome()) {
            case LINEARIZABLE -> b.append("LINEARIZABLE: ").append(summary).append('\n');
            case UNKNOWN -> b.append("UNKNOWN: ").append(summary).append("; no verdict for ").append(count(v.unknowns().size(), "key"))
                    .append('\n');
            case NOT_LINEARIZABLE -> b.append("NOT LINEARIZABLE: ").append(summary).append("; ")
                    .append(count(v.failures().size(), "key")).append(" cannot be ordered\n");
        }
        for (KeyVerdict k : v.failures()) {
            b.append("\nkey ").append(k.key()).append(" (").append(count(k.operations(), "operation")).append("): no order of its operations explains\n    ")
                    .append(describe(k.blocked(), base)).append('\n');
            if (v.initial() == Linearizability.Initial.UNKNOWN) {
                b.append("  with the value before the history that gets furthest: ").append(Operation.quote(k.initialState())).append('\n');
            }
            b.append("  the longest order found before that return").append(k.order().isEmpty()
                    ? " is empty (the key " + (k.initialState() == null ? "is absent" : "holds " + Operation.quote(k.initialState())) + ")\n"
                    : ":\n");
            int first = Math.max(0, k.order().size() - SHOWN);
            if (first > 0) {
                b.append("  ").append(String.format(Locale.ROOT, "%4s", "")).append("  (").append(count(first, "earlier operation"))
                        .append("; --json lists them)\n");
            }
            for (int i = first; i < k.order().size(); i++) {
                Step s = k.order().get(i);
                b.append(String.format(Locale.ROOT, "  %4d. %s%n        => %s%n", i + 1, describe(s.op(), base),
                        Operation.quote(s.stateAfter())));
            }
            b.append("  cannot come next:\n");
            // The register's reasons first (the blocked operation among them), then by line.
            List<Candidate> next = k.candidates().stream()
                    .sorted(Comparator.comparing((Candidate c) -> c.why() == null).thenComparingInt(c -> c.op().line())).toList();
            for (Candidate c : next.subList(0, Math.min(SHOWN, next.size()))) {
                b.append("    ").append(describe(c.op(), base)).append("\n        ")
                        .append(c.why() != null ? c.why() : "the key takes it, but then nothing orders the rest").append('\n');
            }
            if (next.size() > SHOWN) {
                b.append("    (").append(count(next.size() - SHOWN, "more operation")).append("; --json lists them)\n");
            }
        }
        for (KeyVerdict k : v.unknowns()) {
            b.append("key ").append(k.key()).append(" (").append(count(k.operations(), "operation")).append("): unknown, ")
                    .append(k.reason()).append('\n');
        }
        return b.toString();
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    /** {@code c2 GET k3 -> "x"  (line 4, +1.000..+2.500 ms)}. */
    static String describe(Operation op, long base) {
        return op.describe() + "  (line " + op.line() + ", " + ms(op.invoke() - base) + ".."
                + (op.completed() ? ms(op.returned() - base) : "no reply") + ")";
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "+%.3f ms", nanos / 1e6);
    }

    static String json(Path file, Verdict v) {
        ObjectNode o = Codec.mapper().createObjectNode();
        o.put("history", file.toString());
        o.put("verdict", v.outcome().name());
        o.put("operations", v.operations());
        o.put("keys", v.keys().size());
        o.put("noReply", v.unknownOutcome());
        o.put("initial", v.initial().name().toLowerCase(Locale.ROOT));
        ArrayNode failures = o.putArray("failures");
        for (KeyVerdict k : v.failures()) {
            ObjectNode f = failures.addObject();
            f.put("key", k.key());
            f.put("initialValue", k.initialState());
            f.set("blocked", op(k.blocked()));
            ArrayNode order = f.putArray("order");
            k.order().forEach(s -> order.add(op(s.op()).put("stateAfter", s.stateAfter())));
            ArrayNode next = f.putArray("cannotComeNext");
            k.candidates().forEach(c -> next.add(op(c.op()).put("why", c.why())));
        }
        ArrayNode unknown = o.putArray("unknown");
        v.unknowns().forEach(k -> unknown.addObject().put("key", k.key()).put("reason", k.reason()));
        return o.toString();
    }

    /**
     * The history and its verdict as a page ({@link HistoryPage}), titled by the history's file name;
     * {@code base}: the time shown as +0, as in {@code report}.
     */
    public static void writeHtml(Path html, Path file, List<Operation> history, Verdict verdict, String report, long base) {
        HistoryPage.write(html, "client history " + file.getFileName(), history, verdict, report, base, DstMain::op);
    }

    /** An operation as its history line says it, with the line's number. */
    private static ObjectNode op(Operation op) {
        ObjectNode o = Codec.mapper().createObjectNode();
        o.put("line", op.line());
        o.put("client", op.client());
        o.put("op", op.kind().name());
        o.put("key", op.key());
        ObjectNode input = o.putObject("input");
        if (op.kind() == Operation.Kind.CAS) {
            input.put("expected", op.expected());
        }
        if (op.kind() != Operation.Kind.GET) {
            input.put("value", op.value());
        }
        if (!op.completed() || op.kind() == Operation.Kind.PUT) {
            o.putNull("output");
        } else if (op.kind() == Operation.Kind.GET) {
            o.putObject("output").put("value", op.read());
        } else {
            o.putObject("output").put("applied", op.applied());
        }
        o.put("invoke", op.invoke());
        if (op.completed()) {
            o.put("return", op.returned());
        } else {
            o.putNull("return");
        }
        return o;
    }
}
