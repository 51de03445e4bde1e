package io.stackcompanion.replay;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of a replay: whether the replayed node reproduced the recorded one exactly (every
 * outgoing message, in order, and the ledger at every recorded start and stop), and how fast.
 *
 * @param node            the replayed node
 * @param outcome         MATCH, DIVERGED, or STOPPED (by {@code --until-event}, before the end, with
 *                        nothing diverged up to there)
 * @param events          events replayed
 * @param batchesOrdered  batches the replayed node ordered (its last pp_seq_no ordered at the end)
 * @param ledgerSize      the replayed node's ledger size at the end
 * @param ledgerRoot      its ledger root at the end (hex)
 * @param firstDivergence the first divergence, or null
 * @param recordedSeconds time from the first to the last replayed event, as recorded
 * @param replaySeconds   wall time the replay took
 * @param mode            {@code virtual} or {@code realtime}
 * @param stoppedAtEvent  the event index {@code --until-event} stopped before, or null
 * @param state           the replayed node's consensus state at the divergence or the stop (null on a MATCH)
 * @param recentEvents    the last events fed up to the divergence (it last) or the stop, decoded as
 *                        {@code recording.sh export} prints them, with their index and stack (empty on a MATCH)
 * @param notes           what the reader must know to read the verdict (e.g. {@code --free-batching})
 * @param ignoredConfig   recorded configuration keys this build does not know and left out
 *                        ({@code --ignore-unknown-config}), with their recorded values; empty normally
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Verdict(String node, Outcome outcome, long events, long batchesOrdered, long ledgerSize, String ledgerRoot,
                      Divergence firstDivergence, double recordedSeconds, double replaySeconds,
                      String mode, Long stoppedAtEvent, Object state, List<JsonNode> recentEvents,
                      List<String> notes, Map<String, String> ignoredConfig) {

    public Verdict {
        notes = List.copyOf(notes);
        ignoredConfig = java.util.Collections.unmodifiableMap(new TreeMap<>(ignoredConfig));
    }

    /** What a replay ended with, and its exit code (documented in {@code replay.sh}). */
    public enum Outcome {
        /** The whole recording was reproduced exactly: exit 0. */
        MATCH(0),
        /** The replayed node did something the recorded node did not: exit 1. */
        DIVERGED(1),
        /** {@code --until-event} stopped the replay before the end, with nothing diverged up to there: exit 4. */
        STOPPED(4);

        private final int exitCode;

        Outcome(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /** True when the whole recording was reproduced exactly. */
    @JsonProperty("matches")
    public boolean matches() {
        return outcome == Outcome.MATCH;
    }
}
