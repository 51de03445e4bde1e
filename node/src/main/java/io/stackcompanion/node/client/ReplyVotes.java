package io.stackcompanion.node.client;

import io.stackcompanion.node.message.Reply;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A client's count of the answers to one request, the rule every client of the pool follows: the
 * request is done when {@code quorum} (f+1) distinct nodes sent the same REPLY (same seqNo, txnHash
 * and result), failed when {@code quorum} nodes REJECTed it; each node's first answer counts. Not
 * thread-safe: {@link Client} guards it, the simulator's clients are single-threaded.
 */
public final class ReplyVotes {
    /** Resends wait the resend timeout times 1, 2, 4, then 4 again: a slow pool is not flooded with copies. */
    public static final int MAX_RESEND_BACKOFF = 4;

    private final int quorum;
    private final Map<String, Reply> replies = new LinkedHashMap<>();
    private final Map<String, String> rejects = new LinkedHashMap<>();

    public ReplyVotes(int quorum) {
        if (quorum < 1) {
            throw new IllegalArgumentException("a quorum of at least 1, not " + quorum);
        }
        this.quorum = quorum;
    }

    /** Records {@code node}'s reply; returns the reply once {@code quorum} distinct nodes match it, else null. */
    public Reply reply(String node, Reply r) {
        replies.putIfAbsent(node, r);
        Reply mine = replies.get(node);
        long matching = replies.values().stream()
                .filter(o -> o.seqNo() == mine.seqNo() && Objects.equals(o.txnHash(), mine.txnHash())
                        && Objects.equals(o.result(), mine.result()))
                .count();
        return matching >= quorum ? mine : null;
    }

    /** Records {@code node}'s reject; returns the most common reason once {@code quorum} nodes rejected, else null. */
    public String reject(String node, String reason) {
        rejects.putIfAbsent(node, reason == null ? "" : reason);
        if (rejects.size() < quorum) {
            return null;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        rejects.values().forEach(v -> counts.merge(v, 1, Integer::sum));
        return counts.entrySet().stream()
                .max(Map.Entry.comparingByValue()) // ties: the first reason heard wins
                .map(Map.Entry::getKey).orElse("");
    }

    /** Whether {@code node} answered already (it has the request: no need to send it again). */
    public boolean answered(String node) {
        return replies.containsKey(node) || rejects.containsKey(node);
    }

    /** The factor of the resend timeout to wait after the {@code sends}-th send (0-based): 1, 2, 4, 4, ... */
    public static long resendFactor(int sends) {
        return Math.min(MAX_RESEND_BACKOFF, 1L << Math.min(sends, 20));
    }
}
