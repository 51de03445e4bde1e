package io.stackcompanion.node.message;

import java.util.List;

/**
 * Plenum's MESSAGE_REQUEST, for the one kind of message a replica may lack to order a batch: the
 * client requests a PRE-PREPARE names by digest. A node that holds some of them answers with a
 * PROPAGATE of those (its MESSAGE_RESPONSE: the requests are signed by their clients, so the asker
 * verifies them as any PROPAGATE, and the answer counts as that node's propagation).
 *
 * @param type    what is asked for; only {@link #PROPAGATE} today
 * @param digests the requests' digests (SHA-256 of their signing bytes, hex), at most {@link #MAX_DIGESTS}
 */
public record MessageRequest(String type, List<String> digests) implements Message {
    public static final String PROPAGATE = "PROPAGATE";
    /** More digests than this in one MESSAGE_REQUEST is malformed (a peer cannot make us answer without end). */
    public static final int MAX_DIGESTS = 10_000;

    public MessageRequest {
        if (!PROPAGATE.equals(type)) {
            throw new IllegalArgumentException("MESSAGE_REQUEST asks for PROPAGATE only, not " + type);
        }
        digests = List.copyOf(digests);
        if (digests.isEmpty() || digests.size() > MAX_DIGESTS) {
            throw new IllegalArgumentException("MESSAGE_REQUEST names 1.." + MAX_DIGESTS + " digests, not " + digests.size());
        }
    }
}
