package io.stackcompanion.node.timeline;

import io.stackcompanion.recorder.EventKind;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Matches the node-to-node messages of a pool's recordings: which INCOMING at B is which OUTGOING
 * at A. The rule (README, "Messages matched across nodes"):
 *
 * <ul>
 *   <li>A message is a (sender, receiver, payload) triple: an OUTGOING on A's node stack yields one
 *   per recipient, an INCOMING on B's node stack one from its sender. Payloads are compared by
 *   SHA-256 of the recorded bytes (the bytes that crossed the wire on both sides).</li>
 *   <li>On each link A to B, the k-th message A sent with a given payload is the k-th B received with
 *   that payload (a link is one TCP connection at a time: it keeps order and does not duplicate).</li>
 *   <li>A message sent but never received is <em>explained</em> when A had no open link to B when
 *   it sent it (never connected since its start, or disconnected), or when A recorded the link's
 *   loss (B's DISCONNECTED, its own STOPPED or restart) after the send and before any later message
 *   on the link arrived; otherwise it is a gap. A message received that A's recording never sent is
 *   always a gap. Messages to or from a node with no recording here are not checked.</li>
 * </ul>
 */
public final class MessageMatcher {
    /** A message that has no counterpart: the event, the other node, and why that is expected (null: a gap). */
    public record Unmatched(int event, String otherNode, String explanation) {
    }

    /**
     * @param sends        the OUTGOING event of each matched message
     * @param receipts     the INCOMING event of each matched message (same position)
     * @param notReceived  sent, never recorded as received, in the sender's order per link
     * @param notSent      received, never recorded as sent
     * @param unchecked    messages to or from nodes without a recording here
     */
    public record Result(int[] sends, int[] receipts, List<Unmatched> notReceived, List<Unmatched> notSent, long unchecked) {
        public int matched() {
            return sends.length;
        }

        public List<Unmatched> gapsNotReceived() {
            return notReceived.stream().filter(u -> u.explanation() == null).toList();
        }

        public long explainedNotReceived() {
            return notReceived.stream().filter(u -> u.explanation() != null).count();
        }
    }

    private MessageMatcher() {
    }

    private record Send(int event, boolean connected) {
    }

    public static Result match(PoolEvents pool) {
        int lanes = pool.lanes().size();
        // per link (sender lane * lanes + receiver lane): sends in the sender's order, receipts in the receiver's
        Map<Integer, List<Send>> sends = new HashMap<>();
        Map<Integer, List<Integer>> receipts = new HashMap<>();
        // per link: positions (in the sender's lane) where the sender recorded the link's loss
        Map<Integer, List<Integer>> losses = new HashMap<>();
        long unchecked = 0;
        for (int l = 0; l < lanes; l++) {
            boolean[] connected = new boolean[lanes];
            for (int i = pool.laneStart[l]; i < pool.laneEnd[l]; i++) {
                EventKind kind = pool.kindOf(i);
                if (kind == EventKind.STARTED || kind == EventKind.STOPPED || kind == EventKind.UNCLEAN_STOP) {
                    for (int b = 0; b < lanes; b++) {
                        if (connected[b]) {
                            losses.computeIfAbsent(l * lanes + b, k -> new ArrayList<>()).add(i);
                        }
                        connected[b] = false;
                    }
                    continue;
                }
                if (!pool.isNodeStack(i)) {
                    continue;
                }
                List<String> peers = pool.peersOf(i);
                switch (kind) {
                    case CONNECTED, DISCONNECTED -> {
                        for (String p : peers) {
                            int b = pool.laneOf(p);
                            if (b >= 0) {
                                if (kind == EventKind.DISCONNECTED && connected[b]) {
                                    losses.computeIfAbsent(l * lanes + b, k -> new ArrayList<>()).add(i);
                                }
                                connected[b] = kind == EventKind.CONNECTED;
                            }
                        }
                    }
                    case OUTGOING -> {
                        for (String p : peers) {
                            int b = pool.laneOf(p);
                            if (b < 0) {
                                unchecked++;
                            } else {
                                sends.computeIfAbsent(l * lanes + b, k -> new ArrayList<>()).add(new Send(i, connected[b]));
                            }
                        }
                    }
                    case INCOMING -> {
                        int a = peers.isEmpty() ? -1 : pool.laneOf(peers.get(0));
                        if (a < 0) {
                            unchecked++;
                        } else {
                            receipts.computeIfAbsent(a * lanes + l, k -> new ArrayList<>()).add(i);
                        }
                    }
                    default -> {
                    }
                }
            }
        }
        List<int[]> pairs = new ArrayList<>();
        List<Unmatched> notReceived = new ArrayList<>();
        List<Unmatched> notSent = new ArrayList<>();
        for (int link = 0; link < lanes * lanes; link++) {
            List<Send> s = sends.getOrDefault(link, List.of());
            List<Integer> r = receipts.getOrDefault(link, List.of());
            if (s.isEmpty() && r.isEmpty()) {
                continue;
            }
            String sender = pool.lanes().get(link / lanes);
            String receiver = pool.lanes().get(link % lanes);
            Map<Integer, ArrayDeque<Integer>> byPayload = new HashMap<>();
            for (int e : r) {
                byPayload.computeIfAbsent(pool.payload.get(e), k -> new ArrayDeque<>()).add(e);
            }
            int[] matchedTo = new int[s.size()];
            java.util.Arrays.fill(matchedTo, -1);
            // Sends on an open link first; a send while the link was down takes a receipt only if one is left.
            for (boolean open : new boolean[] {true, false}) {
                for (int k = 0; k < s.size(); k++) {
                    if (s.get(k).connected() != open) {
                        continue;
                    }
                    ArrayDeque<Integer> q = byPayload.get(pool.payload.get(s.get(k).event()));
                    matchedTo[k] = q == null || q.isEmpty() ? -1 : q.poll();
                    if (matchedTo[k] >= 0) {
                        pairs.add(new int[] {s.get(k).event(), matchedTo[k]});
                    }
                }
            }
            List<Integer> lost = losses.getOrDefault(link, List.of());
            for (int k = 0; k < s.size(); k++) {
                if (matchedTo[k] >= 0) {
                    continue;
                }
                Send send = s.get(k);
                notReceived.add(new Unmatched(send.event(), receiver, explain(pool, send, k, s, matchedTo, lost, receiver)));
            }
            for (ArrayDeque<Integer> q : byPayload.values()) {
                for (int e : q) {
                    notSent.add(new Unmatched(e, sender, null));
                }
            }
        }
        pairs.sort((x, y) -> Integer.compare(x[0], y[0]) != 0 ? Integer.compare(x[0], y[0]) : Integer.compare(x[1], y[1]));
        notReceived.sort((x, y) -> Integer.compare(x.event(), y.event()));
        notSent.sort((x, y) -> Integer.compare(x.event(), y.event()));
        int[] from = new int[pairs.size()];
        int[] to = new int[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            from[i] = pairs.get(i)[0];
            to[i] = pairs.get(i)[1];
        }
        return new Result(from, to, notReceived, notSent, unchecked);
    }

    private static String explain(PoolEvents pool, Send send, int k, List<Send> s, int[] matchedTo, List<Integer> lost, String receiver) {
        if (!send.connected()) {
            return "sent while " + pool.nodeOf(send.event()) + " had no link to " + receiver;
        }
        int loss = lost.stream().filter(p -> p > send.event()).findFirst().orElse(-1);
        if (loss < 0) {
            return null;
        }
        for (int j = k + 1; j < s.size() && s.get(j).event() < loss; j++) {
            if (matchedTo[j] >= 0) {
                return null; // a later message on the same open link arrived: this one should have too
            }
        }
        return "lost with the link: " + pool.nodeOf(loss) + " recorded " + pool.kindName(loss)
                + (pool.kindOf(loss) == EventKind.DISCONNECTED ? " of " + receiver : "") + " after sending it";
    }
}
