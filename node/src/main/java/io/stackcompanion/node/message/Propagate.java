package io.stackcompanion.node.message;

import java.util.List;

/**
 * A node forwards requests it received from clients to every other node (node stack); a request
 * is finalised once f+1 nodes propagated it. Several requests travel in one message.
 */
public record Propagate(List<Request> requests) implements Message {
    public Propagate {
        requests = List.copyOf(requests);
    }
}
