package io.stackcompanion.node.core;

import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Propagate;
import io.stackcompanion.node.message.Reject;
import io.stackcompanion.node.message.ReqAck;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * REQUEST and PROPAGATE: verifies client signatures, acknowledges, forwards every new request to the
 * other nodes once, and finalises a request when f+1 nodes (us included) propagated it.
 */
final class Propagator {
    private static final Logger log = LoggerFactory.getLogger(Propagator.class);
    static final int MAX_KEY_BYTES = 1024;
    static final int MAX_VALUE_BYTES = 64 * 1024;

    private final CoreContext ctx;
    private final Execution execution;
    private final Consumer<RequestState> onFinalised;
    /** By digest. Lookups only; nothing iterates it where order matters. */
    private final Map<String, RequestState> requests = new HashMap<>();
    /** (identifier, reqId) to digest, to catch a reused reqId with another operation. */
    private final Map<String, String> digestByName = new HashMap<>();

    Propagator(CoreContext ctx, Execution execution, Consumer<RequestState> onFinalised) {
        this.ctx = ctx;
        this.execution = execution;
        this.onFinalised = onFinalised;
    }

    void onClientRequest(String connection, Request request) {
        byte[] signed = Codec.signingBytes(request); // once: it is verified and it names the request
        Optional<String> invalid = validate(request, signed);
        if (invalid.isPresent()) {
            log.debug("rejecting request {}:{} from {}: {}", abbreviate(request.identifier()), request.reqId(),
                    connection, invalid.get());
            ctx.outbox.toClient(connection, new Reject(request.identifier(), request.reqId(), invalid.get()));
            return;
        }
        Optional<Reply> done = execution.replyFor(request.identifier(), request.reqId());
        if (done.isPresent()) {
            ctx.outbox.toClient(connection, done.get());
            return;
        }
        String digest = Hashes.sha256Hex(signed);
        String clash = clash(request, digest);
        if (clash != null) {
            ctx.outbox.toClient(connection, new Reject(request.identifier(), request.reqId(), clash));
            return;
        }
        RequestState state = requests.get(digest);
        boolean fresh = state == null;
        if (fresh) {
            state = track(request, digest);
        }
        state.addClient(connection);
        ctx.outbox.toClient(connection, new ReqAck(request.identifier(), request.reqId()));
        if (fresh) {
            propagateOwn(state);
        } else {
            // A client sends again when it got no replies in time: a node that (re)connected since we
            // propagated may lack our propagate to finalise the request; send it to those only.
            List<String> missed = new java.util.ArrayList<>();
            for (var e : ctx.connectedAt.entrySet()) {
                if (e.getValue() > state.propagatedAt && ctx.connected.contains(e.getKey())) {
                    missed.add(e.getKey());
                }
            }
            if (!missed.isEmpty()) {
                state.propagatedAt = ctx.now();
                ctx.outbox.toNodes(missed, new Propagate(List.of(state.request)));
            }
        }
    }

    void onPropagate(String fromNode, Propagate propagate) {
        for (Request request : propagate.requests()) {
            if (execution.replyFor(request.identifier(), request.reqId()).isPresent()) {
                continue;
            }
            byte[] signed = Codec.signingBytes(request);
            String digest = Hashes.sha256Hex(signed);
            RequestState state = requests.get(digest);
            if (state == null) {
                Optional<String> invalid = validate(request, signed);
                if (invalid.isPresent()) {
                    log.warn("{} propagated an invalid request {}:{} ({}); ignored", fromNode,
                            abbreviate(request.identifier()), request.reqId(), invalid.get());
                    continue;
                }
                if (clash(request, digest) != null) {
                    log.warn("{} propagated request {}:{} whose reqId is taken by another operation; ignored",
                            fromNode, abbreviate(request.identifier()), request.reqId());
                    continue;
                }
                state = track(request, digest);
                state.propagators.add(fromNode);
                propagateOwn(state);
            } else {
                state.propagators.add(fromNode);
                checkFinalised(state);
            }
        }
    }

    /** The request of {@code digest}, if known and not ordered yet. */
    RequestState get(String digest) {
        return requests.get(digest);
    }

    /** Forgets ordered requests; returns the client connections that wait for each one's reply. */
    List<String> ordered(String digest) {
        RequestState s = requests.remove(digest);
        if (s == null) {
            return List.of();
        }
        digestByName.remove(name(s.request));
        return s.clients;
    }

    /** The finalised, unordered request finalised first (ties by digest), if any. */
    Optional<RequestState> oldestFinalised() {
        RequestState best = null;
        for (RequestState r : requests.values()) { // a minimum: the HashMap's order does not matter
            if (r.finalised && (best == null || r.finalisedAt < best.finalisedAt
                    || (r.finalisedAt == best.finalisedAt && r.digest.compareTo(best.digest) < 0))) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    int pending() {
        return requests.size();
    }

    private RequestState track(Request request, String digest) {
        RequestState state = new RequestState(request, digest);
        requests.put(digest, state);
        digestByName.put(name(request), digest);
        return state;
    }

    private void propagateOwn(RequestState state) {
        state.propagators.add(ctx.name);
        state.propagatedAt = ctx.now();
        ctx.outbox.broadcast(new Propagate(List.of(state.request)));
        checkFinalised(state);
    }

    private void checkFinalised(RequestState state) {
        if (!state.finalised && state.propagators.size() >= ctx.quorums.propagate()) {
            state.finalised = true;
            state.finalisedAt = ctx.now();
            onFinalised.accept(state);
        }
    }

    private String clash(Request request, String digest) {
        String known = digestByName.get(name(request));
        if (known != null && !known.equals(digest)) {
            return "reqId " + request.reqId() + " was already used for another operation";
        }
        return null;
    }

    private static String name(Request r) {
        return r.identifier() + ":" + r.reqId();
    }

    /**
     * Why the request is invalid, or empty if it is well formed and its signature verifies over
     * {@code signed}, its {@link Codec#signingBytes}.
     */
    static Optional<String> validate(Request r, byte[] signed) {
        if (r.identifier() == null || r.operation() == null || r.signature() == null) {
            return Optional.of("identifier, operation and signature are required");
        }
        Operation op = r.operation();
        if (!Operation.PUT.equals(op.type())) {
            return Optional.of("unknown operation type " + op.type() + "; the only one is PUT");
        }
        if (op.key().isEmpty() || op.key().getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            return Optional.of("key must be 1.." + MAX_KEY_BYTES + " bytes");
        }
        if (op.value().getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            return Optional.of("value must be at most " + MAX_VALUE_BYTES + " bytes");
        }
        PublicKey key;
        try {
            key = Keys.decodePublic(r.identifier());
        } catch (IllegalArgumentException e) {
            return Optional.of("identifier is not an Ed25519 public key");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(r.signature());
        } catch (IllegalArgumentException e) {
            return Optional.of("signature is not base64");
        }
        if (!Keys.verify(key, signed, signature)) {
            return Optional.of("bad signature");
        }
        return Optional.empty();
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() <= 20 ? s : "..." + s.substring(s.length() - 12);
    }
}
