package io.stackcompanion.replay;

import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.collect.RecordingArchive;
import io.stackcompanion.node.config.ConfigException;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.store.StoreException;
import io.stackcompanion.recorder.ErrorExit;
import io.stackcompanion.recorder.RecordingReader;
import io.stackcompanion.recorder.StackCompanionException;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import io.stackcompanion.node.timeline.MessageMatcher;
import io.stackcompanion.node.timeline.PoolEvents;
import io.stackcompanion.node.timeline.TimelineWriter;

/**
 * Replays one node of a recording: {@code ReplayMain --recording FILE|DIR --node NAME [--mode
 * virtual|realtime] [--json] [--until-event N] [--check-state] [--free-batching] [--set KEY=VALUE] [--ignore-unknown-config]}. Run it from an IDE
 * with the same arguments to debug; {@link Replayer#beforeEvent} is the place for a conditional breakpoint.
 * Exit codes: 0 the replay reproduced the recording, 1 it diverged (the first divergence is
 * printed, with the node's state there and the events before it), 2 the recording (damaged, another
 * node's, newer) or the arguments are unusable (one line on stderr), 3 an internal error, 4
 * {@code --until-event} stopped it before the end with nothing diverged up to there.
 */
public final class ReplayMain {
    private ReplayMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.console() != null));
    }

    public static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        Options o = new Options()
                .addOption(Option.builder().longOpt("recording").hasArg().argName("DIR")
                        .desc("an archive from collect-recordings.sh (*.tar.gz), a pool's base dir, an unpacked archive, or a node's recorder folder").get())
                .addOption(Option.builder().longOpt("node").hasArg().argName("NAME").desc("the node to replay").get())
                .addOption(Option.builder().longOpt("mode").hasArg().argName("MODE")
                        .desc("virtual (default: as fast as possible) or realtime (recorded intervals)").get())
                .addOption(Option.builder().longOpt("json").desc("print the verdict as one JSON object, last").get())
                .addOption(Option.builder().longOpt("until-event").hasArg().argName("N")
                        .desc("stop before event N and print the node's state (exit 4: STOPPED)").get())
                .addOption(Option.builder().longOpt("check-state")
                        .desc("also compare the node's consensus state with the one recorded at each stable checkpoint and stop").get())
                .addOption(Option.builder().longOpt("free-batching")
                        .desc("let the replayed primary cut its own batches (a what-if: the first difference is reported)").get())
                .addOption(Option.builder().longOpt("set").hasArgs().argName("KEY=VALUE")
                        .desc("change a configuration key against the recorded one (repeatable)").get())
                .addOption(Option.builder().longOpt("log").hasArg().argName("FILE")
                        .desc("write the replayed node's log to FILE at its configured LOG_LEVEL, each line stamped with the"
                                + " recorded time and event index, to line up with its node.log (default: warnings on stderr)").get())
                .addOption(Option.builder().longOpt("html").hasArg().argName("FILE")
                        .desc("also write the replay as an HTML page (FILE.html, opens offline): the recorded node's lane and the"
                                + " replayed one, a button that jumps to the first divergence, expected against actual field by field,"
                                + " and the events just before it").get())
                .addOption(Option.builder().longOpt("ignore-unknown-config")
                        .desc("replay a recording whose configuration has keys this build does not know as if they were not set"
                                + " (the verdict lists them); without it such a recording is refused").get())
                .addOption(Option.builder().longOpt("work-dir").hasArg().argName("DIR")
                        .desc("keep the replayed node's data here (default: a temporary folder, removed)").get())
                .addOption(Option.builder("h").longOpt("help").desc("show this help").get());
        CommandLine cl;
        try {
            cl = new DefaultParser().parse(o, args);
        } catch (ParseException e) {
            return ErrorExit.userError(err, e.getMessage() + " (try --help)");
        }
        if (cl.hasOption("help")) {
            java.io.PrintWriter w = new java.io.PrintWriter(out, true);
            new HelpFormatter().printHelp(w, HelpFormatter.DEFAULT_WIDTH, "replay.sh --recording FILE|DIR --node NAME [options]",
                    null, o, HelpFormatter.DEFAULT_LEFT_PAD, HelpFormatter.DEFAULT_DESC_PAD, null);
            w.flush();
            return 0;
        }
        if (!cl.getArgList().isEmpty()) {
            return ErrorExit.userError(err, "unexpected argument '" + cl.getArgList().get(0) + "' (try --help)");
        }
        if (!cl.hasOption("recording") || !cl.hasOption("node")) {
            return ErrorExit.userError(err, "replay needs --recording FILE|DIR and --node NAME (try --help)");
        }
        Replayer.Mode mode;
        try {
            mode = Replayer.Mode.valueOf(cl.getOptionValue("mode", "virtual").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return ErrorExit.userError(err, "--mode is virtual or realtime, not " + cl.getOptionValue("mode"));
        }
        Long until = null;
        if (cl.hasOption("until-event")) {
            try {
                until = Long.parseLong(cl.getOptionValue("until-event"));
            } catch (NumberFormatException e) {
                until = -1L;
            }
            if (until < 0) {
                return ErrorExit.userError(err, "--until-event takes an event index, a whole number from 0 (the first event), not '"
                        + cl.getOptionValue("until-event") + "'");
            }
        }
        Map<String, String> overrides = new TreeMap<>();
        if (cl.hasOption("set")) {
            for (String kv : cl.getOptionValues("set")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    return ErrorExit.userError(err, "--set takes KEY=VALUE, not '" + kv + "'");
                }
                overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            try {
                // Unknown keys and bad values fail here, before anything is unpacked or replayed; the rules
                // between two keys need the recorded configuration they change, checked when the replay starts.
                NodeConfig.checkEach(overrides, "--set");
            } catch (ConfigException e) {
                return ErrorExit.print(err, e);
            }
        }
        Path recordingArg = Path.of(cl.getOptionValue("recording"));
        if (!Files.exists(recordingArg)) {
            return ErrorExit.userError(err, "--recording " + recordingArg + " does not exist; pass an archive from collect-recordings.sh"
                    + " or a folder holding data/<node>/recorder");
        }
        if (cl.hasOption("work-dir")) {
            Path w = Path.of(cl.getOptionValue("work-dir"));
            try {
                if (Files.exists(w) && (!Files.isDirectory(w) || !isEmpty(w))) {
                    return ErrorExit.userError(err, "--work-dir " + w + " is not an empty folder; give an empty or new folder");
                }
            } catch (IOException e) {
                return ErrorExit.userError(err, "cannot read --work-dir " + w + ": " + e.getMessage());
            }
        }
        if (cl.hasOption("log")) {
            Path l = Path.of(cl.getOptionValue("log")).toAbsolutePath();
            if (Files.exists(l)) {
                return ErrorExit.userError(err, "--log " + cl.getOptionValue("log") + " exists; give a new file (a replay never"
                        + " overwrites a log, e.g. the original node.log)");
            }
            if (!Files.isDirectory(l.getParent()) || !Files.isWritable(l.getParent())) {
                return ErrorExit.userError(err, "--log " + cl.getOptionValue("log") + ": no writable folder " + l.getParent());
            }
        }
        Path html = cl.hasOption("html") ? Path.of(cl.getOptionValue("html")).toAbsolutePath() : null;
        if (html != null && (Files.isDirectory(html) || !Files.isDirectory(html.getParent()))) {
            return ErrorExit.userError(err, "--html " + cl.getOptionValue("html") + (Files.isDirectory(html) ? " is a folder; name the HTML file to write"
                    : ": no folder " + html.getParent() + " to write it into"));
        }
        boolean json = cl.hasOption("json");
        Path work = null;
        Path unpacked = null;
        boolean removeWork = !cl.hasOption("work-dir");
        try {
            Path recording = recordingArg;
            if (RecordingArchive.isArchive(recording)) {
                // An archive from collect-recordings.sh: every byte is checked against its manifest first.
                unpacked = Files.createTempDirectory("replay-archive-");
                RecordingArchive.unpack(recording, unpacked);
                recording = unpacked;
            } else if (Files.isRegularFile(recording)) {
                return ErrorExit.userError(err, recording + " is a file but not a recording archive (*.tar.gz or *.tgz from collect-recordings.sh);"
                        + " pass an archive or a folder holding data/<node>/recorder");
            }
            RecordingSource source = RecordingSource.find(recording, cl.getOptionValue("node"));
            long total = countEvents(source);
            if (until != null && until >= total) {
                return ErrorExit.userError(err, "--until-event " + until + " is past the recording's end: " + source.node() + " recorded " + total
                        + " events, numbered 0 to " + (total - 1));
            }
            work = removeWork ? Files.createTempDirectory("replay-" + source.node() + "-") : Path.of(cl.getOptionValue("work-dir"));
            if (!removeWork && Files.exists(work) && !isEmpty(work)) {
                return ErrorExit.userError(err, "--work-dir " + work + " is not empty; give an empty or new folder");
            }
            Files.createDirectories(work);
            Verdict verdict;
            Path logFile = cl.hasOption("log") ? Path.of(cl.getOptionValue("log")) : null;
            try (ReplayLog log = ReplayLog.open(logFile, overrides.get("LOG_LEVEL"));
                 Replayer replayer = new Replayer(source, new Replayer.Options(mode, until, overrides, cl.hasOption("free-batching"), cl.hasOption("check-state"),
                         cl.hasOption("ignore-unknown-config")), work)) {
                if (terminal && !json) {
                    try (ProgressBar bar = new ProgressBarBuilder().setTaskName("replay " + source.node())
                            .setInitialMax(total).setStyle(ProgressBarStyle.ASCII).setUnit(" events", 1)
                            .showSpeed().setMaxRenderedLength(100).build()) {
                        verdict = replayer.run(i -> bar.stepTo(i + 1));
                    }
                } else {
                    verdict = replayer.run(i -> { });
                }
            }
            if (html != null) {
                writeHtml(recording, source.node(), verdict, html, out);
            }
            print(verdict, out, json);
            return verdict.outcome().exitCode();
        } catch (StoreException e) {
            // The recording was checked before; the replayed node's own store (in the work folder) failed.
            err.println("error: the replayed node's store in " + work + " failed: " + e.getMessage() + "; check free disk space there");
            return ErrorExit.INTERNAL_ERROR;
        } catch (StackCompanionException e) {
            if (unpacked != null) {
                // Name what the user passed, not the temporary folder the archive was unpacked into.
                err.println("error: " + e.getMessage().replace(unpacked + "/", recordingArg + ":").replace(unpacked.toString(), recordingArg.toString()));
                return e.exitCode();
            }
            return ErrorExit.print(err, e);
        } catch (IOException | UncheckedIOException e) {
            return ErrorExit.userError(err, e.getMessage());
        } catch (RuntimeException e) {
            return ErrorExit.bug(err, "the replay", e);
        } finally {
            if (removeWork && work != null) {
                FileTrees.deleteQuietly(work);
            }
            if (unpacked != null) {
                FileTrees.deleteQuietly(unpacked);
            }
        }
    }

    /** The replay beside its recording as one HTML page, see {@link TimelineWriter.Replay}. */
    private static void writeHtml(Path recording, String node, Verdict v, Path html, PrintStream out) throws IOException {
        long upTo = v.firstDivergence() != null ? v.firstDivergence().eventIndex()
                : v.stoppedAtEvent() != null ? v.stoppedAtEvent() : Long.MAX_VALUE;
        PoolEvents events = PoolEvents.read(recording, true);
        MessageMatcher.Result none = new MessageMatcher.Result(new int[0], new int[0], List.of(), List.of(), 0);
        TimelineWriter.Written w = TimelineWriter.write(events, none, TimelineWriter.Selection.all(),
                new TimelineWriter.Replay(node, upTo, Codec.mapper().valueToTree(v)), "Stack Companion replay of " + node + ": " + v.outcome(), html);
        out.printf("wrote %s: %s recorded and replayed, %,d events, %,d bytes%n", w.file(), node, w.events(), w.bytes());
    }

    private static void print(Verdict v, PrintStream out, boolean json) {
        v.notes().forEach(n -> out.println("note: " + n));
        out.printf("%s: %d events replayed, %d batches ordered, ledger size %d, root %s%n", v.node(), v.events(),
                v.batchesOrdered(), v.ledgerSize(), v.ledgerRoot());
        out.printf("recorded %.1f s, replayed in %.1f s (%s mode, %.0fx)%n", v.recordedSeconds(), v.replaySeconds(),
                v.mode(), v.replaySeconds() > 0 ? v.recordedSeconds() / v.replaySeconds() : 0.0);
        if (!v.ignoredConfig().isEmpty()) {
            out.println("ignored recorded configuration this build does not know (--ignore-unknown-config): " + v.ignoredConfig());
        }
        if (v.outcome() != Verdict.Outcome.MATCH) {
            out.println("the last events fed ('recording.sh export --from-index N' prints them whole; --json has them decoded):");
            v.recentEvents().forEach(e -> out.println("  " + brief(e)));
            out.println("the replayed node's state " + (v.outcome() == Verdict.Outcome.STOPPED ? "there" : "at the divergence") + ":");
            out.println(Codec.mapper().valueToTree(v.state()).toPrettyString().indent(2).stripTrailing());
        }
        switch (v.outcome()) {
            case MATCH -> out.println("MATCH: the replay reproduced the recording exactly");
            case STOPPED -> out.println("STOPPED at event " + v.stoppedAtEvent() + " (--until-event): nothing diverged before it;"
                    + " the rest of the recording was not replayed");
            case DIVERGED -> {
                Divergence d = v.firstDivergence();
                out.println("DIVERGED at event " + d.eventIndex() + " (" + d.recordedTime() + "): " + d.reason());
                out.println("  expected: " + d.expected());
                out.println("  actual:   " + d.actual());
                if (d.cause() != null) {
                    out.print("  cause:    " + d.causeTrace());
                }
            }
        }
        if (json) {
            out.println(Codec.mapper().valueToTree(v).toString());
        }
    }

    /** One event on one line: index, recorded time, stack, kind, peers, message (cut at 160 characters). */
    private static String brief(com.fasterxml.jackson.databind.JsonNode e) {
        String payload = e.path("payload").toString();
        String time = e.path("time").asText();
        return String.format("#%d %s %-6s %-12s %s %s", e.path("index").asLong(), time.substring(time.indexOf('T') + 1),
                e.path("stack").asText(), e.path("kind").asText(), e.path("peers"),
                payload.length() > 160 ? payload.substring(0, 157) + "..." : payload);
    }

    private static long countEvents(RecordingSource s) {
        try (RecordingReader a = RecordingReader.open(s.nodeStack()); RecordingReader b = RecordingReader.open(s.clientStack())) {
            return a.countEvents() + b.countEvents();
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
