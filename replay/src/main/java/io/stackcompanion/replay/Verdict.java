package io.stackcompanion.replay;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of a replay: whether the replayed node reproduced the recorded one exactly (every
 * outgoing message, in order, and the ledger at every recorded stop), and how fast.
 *
 * @param node              the replayed node
 * @param events            events replayed
 * @param batchesOrdered    batches the replayed node ordered (its last pp_seq_no ordered at the end)
 * @param ledgerSize        the replayed node's ledger size at the end
 * @param ledgerRoot        its ledger root at the end (hex)
 * @param matches           true when nothing diverged
 * @param firstDivergence   the first divergence, or null
 * @param recordedSeconds   time from the first to the last recorded event
 * @param replaySeconds     wall time the replay took
 * @param mode              {@code virtual} or {@code realtime}
 * @param stoppedAtEvent    the event index {@code --until-event} stopped before, or null
 * @param ignoredConfig     recorded configuration keys this build does not know and left out
 *                          ({@code --ignore-unknown-config}), with their recorded values; empty normally
 */
public record Verdict(String node, long events, long batchesOrdered, long ledgerSize, String ledgerRoot,
                      boolean matches, Divergence firstDivergence, double recordedSeconds, double replaySeconds,
                      String mode, Long stoppedAtEvent, Map<String, String> ignoredConfig) {
    public Verdict {
        ignoredConfig = Collections.unmodifiableMap(new TreeMap<>(ignoredConfig));
    }
}
