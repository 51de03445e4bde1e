package io.stackcompanion.node.core;

import io.stackcompanion.node.message.Request;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The requests' book: the one owner of a request's life in the core. A request is <em>received</em>
 * (tracked by digest, from a client or a peer's PROPAGATE), <em>finalised</em> (f+1 nodes propagated
 * it; it waits in the queue for a batch), <em>in a batch</em> (applied; what the batch holds is kept by
 * {@link Execution}), and <em>ordered</em> (forgotten here; the clients waiting for it get the reply).
 * A discarded batch's requests wait again, ahead of the others. Every status change is a method of
 * this class; {@link RequestState}'s status fields are private to it. {@code Propagator} decides when a
 * request is finalised, {@code PrimaryBatcher} cuts from the queue, {@code Ordering} and
 * {@code Catchup} say when it is in a batch or ordered.
 */
final class RequestBook {

    /** A request the node knows of and has not ordered yet. */
    static final class RequestState {
        final Request request;
        final String digest;
        /** Nodes that propagated it, ourselves included once we did. */
        private final TreeSet<String> propagators = new TreeSet<>();
        /** Client connections waiting for its reply, in arrival order. */
        private final List<String> clients = new ArrayList<>();
        /** When we last propagated it (core clock, nanoseconds). */
        private long propagatedAt;
        private boolean finalised;
        /** Time it was finalised (core clock, nanoseconds): the batch wait counts from here. */
        private long finalisedAt;
        /** In a batch applied and not yet ordered. */
        private boolean inBatch;

        private RequestState(Request request, String digest) {
            this.request = request;
            this.digest = digest;
        }

        void addPropagator(String node) {
            propagators.add(node);
        }

        int propagatorCount() {
            return propagators.size();
        }

        void addClient(String connection) {
            if (connection != null && !clients.contains(connection)) {
                clients.add(connection);
            }
        }

        long propagatedAt() {
            return propagatedAt;
        }

        void propagated(long now) {
            propagatedAt = now;
        }

        boolean isFinalised() {
            return finalised;
        }

        long finalisedAt() {
            return finalisedAt;
        }
    }

    /** By digest. Lookups only, and a minimum; nothing iterates it where order matters. */
    private final Map<String, RequestState> byDigest = new HashMap<>();
    /** (identifier, reqId) to digest, to catch a reused reqId with another operation. */
    private final Map<String, String> digestByName = new HashMap<>();
    /** Finalised requests in no batch, in finalisation order, requeued ones first (a LinkedHashMap: ordered). */
    private final LinkedHashMap<String, RequestState> queue = new LinkedHashMap<>();

    /** How many ordered requests are kept to answer a peer's MESSAGE_REQUEST (the oldest go first)... */
    static final int RECENTLY_ORDERED = 10_000;
    /** ...and how many bytes of keys and values they may hold (a request's value may be 64 KiB). */
    static final long RECENTLY_ORDERED_BYTES = 16L << 20;
    /** Requests ordered lately, by digest, oldest first: a peer that lacks a batch's requests may ask for them. */
    private final LinkedHashMap<String, Request> recentlyOrdered = new LinkedHashMap<>();
    private long recentlyOrderedBytes;

    /** Received: a new request, not finalised. */
    RequestState receive(Request request, String digest) {
        RequestState state = new RequestState(request, digest);
        byDigest.put(digest, state);
        digestByName.put(name(request), digest);
        return state;
    }

    /** The request of {@code digest}, if known and not ordered yet. */
    RequestState get(String digest) {
        return byDigest.get(digest);
    }

    /**
     * The state of this very request (signature included), if the book holds it and it is not ordered: its digest
     * is the held one's (a pure function of the request), so a copy from another node need not be hashed again.
     */
    RequestState heldAsIs(Request request) {
        String digest = digestByName.get(name(request));
        RequestState state = digest == null ? null : byDigest.get(digest);
        return state != null && state.request.equals(request) ? state : null;
    }

    /** Why {@code request} may not be taken under {@code digest} (its reqId names another operation), or null. */
    String clash(Request request, String digest) {
        String known = digestByName.get(name(request));
        if (known != null && !known.equals(digest)) {
            return "reqId " + request.reqId() + " was already used for another operation";
        }
        return null;
    }

    /** Finalised at {@code now}: it waits for a batch, unless it is in one already (a NEW_VIEW's). */
    void finalise(RequestState r, long now) {
        r.finalised = true;
        r.finalisedAt = now;
        if (!r.inBatch) {
            queue.put(r.digest, r);
        }
    }

    /** The requests of an accepted batch: they wait no more. */
    void inBatch(List<RequestState> requests) {
        for (RequestState r : requests) {
            queue.remove(r.digest);
            r.inBatch = true;
        }
    }

    /** True if request {@code digest} is in a batch applied and not yet ordered. */
    boolean isInBatch(String digest) {
        RequestState r = byDigest.get(digest);
        return r != null && r.inBatch;
    }

    /** The batches holding {@code requests} (oldest first, in batch order) are discarded: they wait again, first. */
    void backToQueue(List<RequestState> requests) {
        LinkedHashMap<String, RequestState> requeued = new LinkedHashMap<>();
        for (RequestState r : requests) {
            r.inBatch = false;
            if (byDigest.get(r.digest) == r) {
                requeued.put(r.digest, r);
            }
        }
        requeued.putAll(queue);
        queue.clear();
        queue.putAll(requeued);
    }

    /** Ordered (in a batch here, or appended by catch-up): forgotten; returns the clients waiting for its reply. */
    List<String> ordered(String digest) {
        RequestState r = byDigest.remove(digest);
        queue.remove(digest);
        if (r == null) {
            return List.of();
        }
        digestByName.remove(name(r.request));
        if (recentlyOrdered.put(digest, r.request) == null) {
            recentlyOrderedBytes += bytes(r.request);
        }
        while (recentlyOrdered.size() > RECENTLY_ORDERED || recentlyOrderedBytes > RECENTLY_ORDERED_BYTES) {
            var oldest = recentlyOrdered.entrySet().iterator();
            recentlyOrderedBytes -= bytes(oldest.next().getValue());
            oldest.remove();
        }
        return r.clients;
    }

    /** The request of {@code digest} if this node knows it, ordered lately or not yet ordered; else null. */
    Request known(String digest) {
        RequestState r = byDigest.get(digest);
        return r != null ? r.request : recentlyOrdered.get(digest);
    }

    /** The finalised requests in no batch, oldest first (read only). */
    Collection<RequestState> queue() {
        return Collections.unmodifiableCollection(queue.values());
    }

    /** The request of {@code digest} if it waits in the queue, else null. */
    RequestState queued(String digest) {
        return queue.get(digest);
    }

    int queuedCount() {
        return queue.size();
    }

    /** The finalised, unordered request finalised first (ties by digest), if any. */
    Optional<RequestState> oldestFinalised() {
        RequestState best = null;
        for (RequestState r : byDigest.values()) { // a minimum: the HashMap's order does not matter
            if (r.finalised && (best == null || r.finalisedAt < best.finalisedAt
                    || (r.finalisedAt == best.finalisedAt && r.digest.compareTo(best.digest) < 0))) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Requests known and not ordered. */
    int size() {
        return byDigest.size();
    }

    /** About what a request holds in memory: its key and values (the rest is small and fixed). */
    private static long bytes(Request r) {
        var op = r.operation();
        return 256 + 2L * (op.key().length() + (op.value() == null ? 0 : op.value().length())
                + (op.expected() == null ? 0 : op.expected().length()));
    }

    private static String name(Request r) {
        return r.identifier() + ":" + r.reqId();
    }
}
