package io.stackcompanion.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.core.CoreTap;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.recorder.RecordingClock;
import io.stackcompanion.replay.RecordingSource;
import io.stackcompanion.replay.Replayer;
import io.stackcompanion.replay.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What recording costs a node's core on a real workload, side by side in one warm JVM: one node's
 * recording is replayed (virtual mode: the core redoes all its work as fast as it can, signature
 * checks, ordering, ledger writes) alternately without a tap and with a {@link NodeRecording} tap
 * recording everything again, as {@code STACK_COMPANION=1} does on a live node (closing the
 * recording, which moves its journal into RocksDB, is inside the timing). The pool benchmark's
 * off/on pairs are the end-to-end view; on a shared 2-core machine their run-to-run noise (fresh
 * JVMs, four nodes and the load generator on two cores) is larger than the few percent in question,
 * and this is the same question without that noise.
 *
 * <p>{@code RecordingOverhead DIR NODE [--rounds N] [--json]}: DIR holds a recording (a pool's base
 * dir or a node's recorder folder, as {@code replay.sh --recording} takes). Round 0 warms up and is
 * not counted; rounds alternate their order (off-on, on-off, ...). Every replay must match.
 */
public final class RecordingOverhead {

    private RecordingOverhead() {
    }

    /** One round: the replay without and with the recording tap. */
    record Round(Replayed off, Replayed on) {
        /** Events per second while running, with recording / without. */
        double ratio() {
            return on.eventsPerS() / off.eventsPerS();
        }

        /** The same with the closes counted (recording: its journal moved into RocksDB at the end). */
        double ratioWithClose() {
            return off.seconds() / on.seconds();
        }
    }

    /** Runs the rounds and prints them; the JSON object is the last line with {@code --json}. */
    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean json = rest.remove("--json");
        int rounds = 5;
        int at = rest.indexOf("--rounds");
        if (at >= 0 && at + 1 < rest.size()) {
            rounds = Integer.parseInt(rest.remove(at + 1));
            rest.remove(at);
        }
        if (rest.size() != 2 || rounds < 1) {
            System.err.println("usage: RecordingOverhead DIR NODE [--rounds N] [--json]");
            System.exit(2);
        }
        RecordingSource source = RecordingSource.find(Path.of(rest.get(0)), rest.get(1));
        List<Round> measured = new ArrayList<>();
        long events = 0;
        for (int r = 0; r <= rounds; r++) {
            boolean onFirst = r % 2 == 0;
            Replayed first = replay(source, onFirst);
            Replayed second = replay(source, !onFirst);
            Round round = onFirst ? new Round(second, first) : new Round(first, second);
            events = first.events();
            System.err.printf(Locale.ROOT, "round %d%s: %.0f events/s off, %.0f on (ratio %.3f); close %.2f s off, %.2f s on "
                            + "(ratio with closes %.3f)%n", r, r == 0 ? " (warm-up, not counted)" : "",
                    round.off().eventsPerS(), round.on().eventsPerS(), round.ratio(), round.off().closeSeconds(),
                    round.on().closeSeconds(), round.ratioWithClose());
            if (r > 0) {
                measured.add(round);
            }
        }
        double median = PoolBenchReport.median(new ArrayList<>(measured.stream().map(Round::ratio).toList()));
        double withClose = PoolBenchReport.median(new ArrayList<>(measured.stream().map(Round::ratioWithClose).toList()));
        ObjectNode o = Codec.mapper().createObjectNode();
        o.put("node", source.node()).put("events", events).put("rounds", rounds)
                .put("medianRatio", round3(median)).put("medianRatioWithClose", round3(withClose));
        ArrayNode list = o.putArray("perRound");
        for (Round round : measured) {
            list.addObject().put("offEventsPerS", Math.round(round.off().eventsPerS()))
                    .put("onEventsPerS", Math.round(round.on().eventsPerS())).put("ratio", round3(round.ratio()))
                    .put("offCloseSeconds", round3(round.off().closeSeconds())).put("onCloseSeconds", round3(round.on().closeSeconds()))
                    .put("ratioWithClose", round3(round.ratioWithClose()));
        }
        System.out.printf(Locale.ROOT, "%s, %d events: events/s with recording / without, median of %d rounds: %.3f "
                + "running, %.3f with the closes%n", source.node(), events, rounds, median, withClose);
        if (json) {
            System.out.println(o);
        }
    }

    /**
     * One replay: its events, how many it did per second while running, and the seconds its close
     * took after (the replayer's, and the recording's: moving the journal into RocksDB).
     */
    record Replayed(long events, double eventsPerS, double closeSeconds) {
        double seconds() {
            return events / eventsPerS + closeSeconds;
        }
    }

    private static Replayed replay(RecordingSource source, boolean recording) throws Exception {
        Path work = BenchData.tempDir("overhead-work");
        Path again = BenchData.tempDir("overhead-recording");
        try {
            NodeRecording tap = recording
                    ? NodeRecording.openStacks(again, source.node(), source.genesis(), NodeConfig.defaults(),
                            new NodeRecording.StartInfo(0, "", 0, Map.of()), RecordingClock.system())
                    : null;
            Verdict verdict;
            long start = System.nanoTime();
            long ran;
            try (Replayer replayer = new Replayer(source, Replayer.Options.defaults(), work, tap == null ? CoreTap.NONE : tap)) {
                verdict = replayer.run(i -> { });
                ran = System.nanoTime();
            } finally {
                if (tap != null) {
                    tap.close();
                }
            }
            long closed = System.nanoTime();
            if (!verdict.matches()) {
                throw new IllegalStateException("the replay of " + source.node() + " did not match: " + verdict.firstDivergence());
            }
            return new Replayed(verdict.events(), verdict.events() / ((ran - start) / 1e9), (closed - ran) / 1e9);
        } finally {
            BenchData.delete(work);
            BenchData.delete(again);
        }
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
