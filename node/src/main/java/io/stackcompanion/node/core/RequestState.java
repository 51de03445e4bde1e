package io.stackcompanion.node.core;

import io.stackcompanion.node.message.Request;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** A request the node knows of and has not ordered yet. */
final class RequestState {
    final Request request;
    final String digest;
    /** Nodes that propagated it, ourselves included once we did. */
    final TreeSet<String> propagators = new TreeSet<>();
    /** Client connections waiting for its reply, in arrival order. */
    final List<String> clients = new ArrayList<>();
    boolean finalised;
    /** Time it was finalised (core clock, nanoseconds): the batch wait counts from here. */
    long finalisedAt;
    /** When we last propagated it (core clock, nanoseconds). */
    long propagatedAt;

    RequestState(Request request, String digest) {
        this.request = request;
        this.digest = digest;
    }

    void addClient(String connection) {
        if (connection != null && !clients.contains(connection)) {
            clients.add(connection);
        }
    }
}
