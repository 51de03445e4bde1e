package io.stackcompanion.node.timeline;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.recorder.EventKey;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code recording.sh verify --pool DIR}'s cross-check: a pool's recordings against each other, by
 * {@link MessageMatcher}'s rule. Reports the matched messages, those sent but never recorded as
 * received (explained by a recorded disconnect or stop, or a gap) and those received that no
 * recording sent; each gap is named by its receiver (or sender) with the first missing message.
 */
public final class PoolCheck {
    private PoolCheck() {
    }

    /** Prints the report; returns whether the pool's recordings agree (no gap). */
    public static boolean report(PoolEvents pool, MessageMatcher.Result r, PrintStream out, PrintStream err, ObjectNode json) {
        List<MessageMatcher.Unmatched> gaps = r.gapsNotReceived();
        out.printf("pool     %s: %,d node-to-node messages matched (sender, receiver, payload SHA-256, order on the link)%n",
                String.join(", ", pool.lanes()), r.matched());
        Map<String, Long> reasons = new TreeMap<>();
        r.notReceived().stream().filter(u -> u.explanation() != null)
                .forEach(u -> reasons.merge(u.explanation().startsWith("sent while") ? "sent while the link was down"
                        : "lost with the link (the sender recorded its disconnect, stop or restart)", 1L, Long::sum));
        out.printf("  %,d sent but not received: %,d explained%s, %,d not explained%n", r.notReceived().size(), r.explainedNotReceived(),
                reasons.isEmpty() ? "" : " (" + String.join(", ", reasons.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList()) + ")",
                gaps.size());
        out.printf("  %,d received but never sent%n", r.notSent().size());
        if (r.unchecked() > 0) {
            out.printf("  note:  %,d messages to or from nodes without a recording here were not checked%n", r.unchecked());
        }
        json.put("matched", r.matched());
        json.put("sentNotReceived", r.notReceived().size());
        json.put("explained", r.explainedNotReceived());
        json.set("explanations", Codec.mapper().valueToTree(reasons));
        json.put("unexplained", gaps.size());
        json.put("receivedNotSent", r.notSent().size());
        json.put("unchecked", r.unchecked());
        ArrayNode problems = json.putArray("gaps");
        Map<String, MessageMatcher.Unmatched> firstPerReceiver = new LinkedHashMap<>();
        Map<String, Integer> countPerReceiver = new TreeMap<>();
        for (MessageMatcher.Unmatched u : gaps) {
            firstPerReceiver.putIfAbsent(u.otherNode(), u);
            countPerReceiver.merge(u.otherNode(), 1, Integer::sum);
        }
        for (var e : firstPerReceiver.entrySet()) {
            int ev = e.getValue().event();
            String line = e.getKey() + " never recorded receiving " + countPerReceiver.get(e.getKey()) + " message(s) sent to it on an open link;"
                    + " the first: " + describe(pool, ev) + " from " + pool.nodeOf(ev) + " (" + pool.nodeOf(ev) + " index " + pool.indexOf(ev) + ")";
            err.println("error: " + line);
            problems.addObject().put("node", e.getKey()).put("missing", countPerReceiver.get(e.getKey())).put("problem", "not received")
                    .put("first", pool.opName(ev)).put("sender", pool.nodeOf(ev)).put("senderIndex", pool.indexOf(ev))
                    .put("time", PoolEvents.instant(pool.timeNanos(ev)).toString()).put("message", line);
        }
        Map<String, MessageMatcher.Unmatched> firstPerSender = new LinkedHashMap<>();
        Map<String, Integer> countPerSender = new TreeMap<>();
        for (MessageMatcher.Unmatched u : r.notSent()) {
            firstPerSender.putIfAbsent(u.otherNode(), u);
            countPerSender.merge(u.otherNode(), 1, Integer::sum);
        }
        for (var e : firstPerSender.entrySet()) {
            int ev = e.getValue().event();
            String line = e.getKey() + "'s recording never sent " + countPerSender.get(e.getKey()) + " message(s) that others recorded receiving"
                    + " from it; the first: " + describe(pool, ev) + " received by " + pool.nodeOf(ev) + " (index " + pool.indexOf(ev) + ")";
            err.println("error: " + line);
            problems.addObject().put("node", e.getKey()).put("missing", countPerSender.get(e.getKey())).put("problem", "not sent")
                    .put("first", pool.opName(ev)).put("receiver", pool.nodeOf(ev)).put("receiverIndex", pool.indexOf(ev))
                    .put("time", PoolEvents.instant(pool.timeNanos(ev)).toString()).put("message", line);
        }
        boolean ok = gaps.isEmpty() && r.notSent().isEmpty();
        json.put("ok", ok);
        return ok;
    }

    private static String describe(PoolEvents pool, int ev) {
        return (pool.opName(ev).isEmpty() ? "a message" : pool.opName(ev)) + " at " + PoolEvents.instant(pool.timeNanos(ev));
    }
}
