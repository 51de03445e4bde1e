package io.stackcompanion.replay;

import io.stackcompanion.node.core.PrePrepareSchedule;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.recorder.EventCursor;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.RecordingReader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PRE-PREPAREs the recorded node sent, read before the replay starts, one schedule per run of the
 * node (between a start and the next stop), so a replayed primary cuts exactly those batches.
 */
final class RecordedBatches {
    private final List<Map<String, PrePrepareSchedule.ForcedBatch>> runs;

    private RecordedBatches(List<Map<String, PrePrepareSchedule.ForcedBatch>> runs) {
        this.runs = runs;
    }

    /** Scans the node-stack recording once. */
    static RecordedBatches read(RecordingReader nodeStack) {
        List<Map<String, PrePrepareSchedule.ForcedBatch>> runs = new ArrayList<>();
        Map<String, PrePrepareSchedule.ForcedBatch> current = null;
        try (EventCursor c = nodeStack.iterator()) {
            while (c.hasNext()) {
                RecordedEvent e = c.next();
                if (e.kind() == EventKind.STARTED) {
                    current = new HashMap<>();
                    runs.add(current);
                } else if (e.kind() == EventKind.OUTGOING && current != null) {
                    Message m;
                    try {
                        m = Codec.decode(e.payload());
                    } catch (MalformedMessageException ex) {
                        continue; // the replay reports it when it gets there
                    }
                    if (m instanceof PrePrepare pp) {
                        current.putIfAbsent(key(pp.viewNo(), pp.ppSeqNo()),
                                new PrePrepareSchedule.ForcedBatch(pp.reqDigests(), pp.ppTime(), e.timeNanos()));
                    }
                }
            }
        }
        return new RecordedBatches(runs);
    }

    /** The schedule of run {@code run} (0-based: the how-manyth STARTED). */
    PrePrepareSchedule forRun(int run) {
        Map<String, PrePrepareSchedule.ForcedBatch> batches = run < runs.size() ? runs.get(run) : Map.of();
        return new PrePrepareSchedule() {
            @Override
            public boolean isForced() {
                return true;
            }

            @Override
            public Optional<ForcedBatch> forced(int viewNo, long ppSeqNo) {
                return Optional.ofNullable(batches.get(key(viewNo, ppSeqNo)));
            }
        };
    }

    int count() {
        return runs.stream().mapToInt(Map::size).sum();
    }

    private static String key(int viewNo, long ppSeqNo) {
        return viewNo + ":" + ppSeqNo;
    }
}
