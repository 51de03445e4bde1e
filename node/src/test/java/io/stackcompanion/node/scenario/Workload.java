package io.stackcompanion.node.scenario;

import java.time.Duration;
import java.util.Map;

/** PUTs sent to a {@link Cluster} in its background, as a client would send them. */
public interface Workload {
    /**
     * What the client saw in the end.
     *
     * @param confirmed requests answered by f+1 nodes with the same reply
     * @param failed    requests the client gave up on
     * @param seqNos    "identifier/reqId" to the confirmed reply's seqNo, or empty where the client
     *                  does not tell (processes: {@code load.sh} prints counts only)
     */
    record Outcome(int requests, long confirmed, long failed, Map<String, Long> seqNos) {
    }

    int requests();

    /** A workload of {@code requests} whose end {@code finish} waits for. */
    static Workload of(int requests, java.util.function.Function<Duration, Outcome> finish) {
        return new Workload() {
            @Override
            public int requests() {
                return requests;
            }

            @Override
            public Outcome finish(Duration timeout) {
                return finish.apply(timeout);
            }
        };
    }

    /** Lets the cluster run until every request is confirmed or failed; fails after {@code timeout}. */
    Outcome finish(Duration timeout);
}
