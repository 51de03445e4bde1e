package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node's view of itself: its view and primary, the last batch it ordered, its ledger, and the
 * nodes it is connected to on the node stack (sorted). {@code rejected}, only when the
 * {@link GetStatus} asked for it (null and left out otherwise, so recorded STATUS replies keep their
 * bytes): the messages the node rejected since it started, sender -> reason -> count, both sorted;
 * the sender is a node's name or {@code clients} for every client connection.
 */
public record Status(String name, int viewNo, String primary, long lastOrderedPpSeqNo,
                     long ledgerSize, String ledgerRoot, List<String> connected,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Map<String, Long>> rejected)
        implements Message {
    public Status {
        connected = List.copyOf(connected);
        if (rejected != null) {
            TreeMap<String, Map<String, Long>> sorted = new TreeMap<>();
            rejected.forEach((sender, reasons) -> sorted.put(sender, Collections.unmodifiableSortedMap(new TreeMap<>(reasons))));
            rejected = Collections.unmodifiableSortedMap(sorted);
        }
    }

    /** A status without rejection counts, as every STATUS was before they existed. */
    public Status(String name, int viewNo, String primary, long lastOrderedPpSeqNo, long ledgerSize, String ledgerRoot,
                  List<String> connected) {
        this(name, viewNo, primary, lastOrderedPpSeqNo, ledgerSize, ledgerRoot, connected, null);
    }
}
