package io.stackcompanion.node.core;

import io.stackcompanion.node.core.RequestBook.RequestState;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MessageRequest;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * REQUEST and PROPAGATE: verifies client signatures, acknowledges, forwards every new request to the
 * other nodes once, and finalises a request when f+1 nodes (us included) propagated it. The requests
 * themselves, and their status, are kept by the {@link RequestBook}.
 */
public final class Propagator {
    private static final Logger log = LoggerFactory.getLogger(Propagator.class);
    static final int MAX_KEY_BYTES = 1024;
    static final int MAX_VALUE_BYTES = 64 * 1024;

    private final CoreContext ctx;
    private final Execution execution;
    private final RequestBook book;
    private final Consumer<RequestState> onFinalised;
    private final SignatureVerifier verifier;
    /** A request a batch names, asked for, turns out to be ordered here already (its digest). */
    private final Consumer<String> orderedAlready;

    static final String MESSAGE_REQUEST_TIMER = "message-request";
    /** How long a request a batch names may be missing before the peers are asked for it (then doubling). */
    static final long MESSAGE_REQUEST_DELAY_MS = 250;
    static final int MESSAGE_REQUEST_TRIES = 4;

    /** When to ask (again) for a request a batch names and this node lacks, and how often it asked. */
    private record Wanted(long askAt, int tries) {
    }

    /** The requests batches name that this node lacks, by digest (sorted: the order asked in is deterministic). */
    private final TreeMap<String, Wanted> wanted = new TreeMap<>();

    Propagator(CoreContext ctx, Execution execution, RequestBook book, Consumer<RequestState> onFinalised,
               SignatureVerifier verifier, Consumer<String> orderedAlready) {
        this.ctx = ctx;
        this.orderedAlready = orderedAlready;
        this.verifier = verifier;
        this.execution = execution;
        this.book = book;
        this.onFinalised = onFinalised;
    }

    void onClientRequest(String connection, Request request) {
        // The very request (signature included) is in the book: it was validated on the way in, and
        // validate is a pure function of the request, so it is valid now too; a second Ed25519
        // verification (its PROPAGATE came before the client's own copy) would only cost time, and
        // so would hashing it again.
        RequestState same = book.heldAsIs(request);
        byte[] signed = same == null ? Codec.signingBytes(request) : null; // once: it is verified and it names the request
        String digest = same != null ? same.digest : Hashes.sha256Hex(signed);
        RequestState held = same != null ? same : book.get(digest);
        Optional<String> invalid = held != null && held.request.equals(request) ? Optional.empty() : validate(request, signed, verifier);
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
        String clash = book.clash(request, digest);
        if (clash != null) {
            ctx.outbox.toClient(connection, new Reject(request.identifier(), request.reqId(), clash));
            return;
        }
        RequestState state = held; // nothing above changes the book
        boolean fresh = state == null;
        if (fresh) {
            state = book.receive(request, digest);
        }
        state.addClient(connection);
        ctx.outbox.toClient(connection, new ReqAck(request.identifier(), request.reqId()));
        if (fresh) {
            propagateOwn(state);
        } else {
            // A client sends again when it got no replies in time: a node that (re)connected since we
            // propagated may lack our propagate to finalise the request; send it to those only.
            List<String> missed = new ArrayList<>();
            for (var e : ctx.connectedAt.entrySet()) {
                if (e.getValue() > state.propagatedAt() && ctx.connected.contains(e.getKey())) {
                    missed.add(e.getKey());
                }
            }
            if (!missed.isEmpty()) {
                state.propagated(ctx.now());
                ctx.outbox.toNodes(missed, new Propagate(List.of(state.request)));
            }
        }
    }

    void onPropagate(String fromNode, Propagate propagate) {
        for (Request request : propagate.requests()) {
            if (execution.isOrdered(request.identifier(), request.reqId())) {
                if (!wanted.isEmpty()) {
                    String digest = Hashes.sha256Hex(Codec.signingBytes(request));
                    if (wanted.remove(digest) != null) {
                        orderedAlready.accept(digest); // a batch names a request this ledger holds already
                    }
                }
                continue;
            }
            RequestState state = book.heldAsIs(request); // most copies: the same request, hashed once already
            byte[] signed = null;
            String digest = null;
            if (state == null) {
                signed = Codec.signingBytes(request);
                digest = Hashes.sha256Hex(signed);
                state = book.get(digest);
            }
            if (state == null) {
                Optional<String> invalid = validate(request, signed, verifier);
                if (invalid.isPresent()) {
                    ctx.rejections.reject(fromNode, "invalid-request", "{} propagated an invalid request {}:{} ({}); ignored",
                            fromNode, abbreviate(request.identifier()), request.reqId(), invalid.get());
                    continue;
                }
                if (book.clash(request, digest) != null) {
                    ctx.rejections.reject(fromNode, "request-clash",
                            "{} propagated request {}:{} whose reqId is taken by another operation; ignored",
                            fromNode, abbreviate(request.identifier()), request.reqId());
                    continue;
                }
                state = book.receive(request, digest);
                state.addPropagator(fromNode);
                propagateOwn(state);
            } else {
                state.addPropagator(fromNode);
                checkFinalised(state);
            }
        }
    }

    // ---------------------------------------------------------------- MESSAGE_REQUEST (Plenum)

    /**
     * A batch names requests this node never received, or not from f+1 nodes (it was away, or their
     * PROPAGATEs were lost): unless they arrive within {@link #MESSAGE_REQUEST_DELAY_MS} (the usual
     * race of a PRE-PREPARE with its requests), the peers are asked for them with a MESSAGE_REQUEST,
     * again after each further (doubled) delay, at most {@link #MESSAGE_REQUEST_TRIES} times per request.
     */
    void missing(List<String> digests) {
        for (String d : digests) {
            if (!has(d) && !wanted.containsKey(d) && wanted.size() < MessageRequest.MAX_DIGESTS) {
                wanted.put(d, new Wanted(ctx.now() + MESSAGE_REQUEST_DELAY_MS * 1_000_000, 0));
            }
        }
        if (!wanted.isEmpty()) {
            ctx.timers.scheduleIfAbsent(MESSAGE_REQUEST_TIMER, ctx.now() + MESSAGE_REQUEST_DELAY_MS * 1_000_000);
        }
    }

    void onMessageRequestTimer() {
        List<String> ask = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (var it = wanted.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Wanted w = e.getValue();
            if (has(e.getKey()) || (w.tries() >= MESSAGE_REQUEST_TRIES && ctx.now() >= w.askAt())) {
                it.remove();
            } else if (ctx.now() >= w.askAt()) {
                ask.add(e.getKey());
                e.setValue(new Wanted(ctx.now() + (MESSAGE_REQUEST_DELAY_MS << (w.tries() + 1)) * 1_000_000, w.tries() + 1));
                next = Math.min(next, e.getValue().askAt());
            } else {
                next = Math.min(next, w.askAt());
            }
        }
        if (!ask.isEmpty() && !ctx.connected.isEmpty()) {
            log.info("asking {} for {} request(s) a batch names and this node lacks", ctx.connected, ask.size());
            ctx.outbox.toNodes(List.copyOf(ctx.connected), new MessageRequest(MessageRequest.PROPAGATE, ask));
        }
        if (next != Long.MAX_VALUE) {
            ctx.timers.schedule(MESSAGE_REQUEST_TIMER, next);
        }
    }

    /** The request is here and finalised (f+1 nodes propagated it), or ordered lately. */
    private boolean has(String digest) {
        RequestState state = book.get(digest);
        return state != null ? state.isFinalised() : book.known(digest) != null;
    }

    /**
     * A peer lacks requests: it gets a PROPAGATE of those this node holds, waiting or ordered lately
     * (nothing if none).
     */
    void onMessageRequest(String fromNode, MessageRequest request) {
        List<Request> have = new ArrayList<>();
        for (String d : request.digests()) {
            Request r = book.known(d);
            if (r != null) {
                have.add(r);
            }
        }
        if (!have.isEmpty()) {
            ctx.outbox.toNode(fromNode, new Propagate(have));
        }
    }

    private void propagateOwn(RequestState state) {
        state.addPropagator(ctx.name);
        state.propagated(ctx.now());
        ctx.outbox.broadcast(new Propagate(List.of(state.request)));
        checkFinalised(state);
    }

    private void checkFinalised(RequestState state) {
        if (!state.isFinalised() && state.propagatorCount() >= ctx.quorums.propagate()) {
            book.finalise(state, ctx.now());
            onFinalised.accept(state);
        }
    }

    /**
     * Why the request is malformed (a missing field, an operation of the wrong shape, a key or value out
     * of bounds), or empty: what the core checks before it verifies a signature, so that the stacks'
     * signature precheck verifies only what the core would.
     */
    public static Optional<String> shapeProblem(Request r) {
        if (r.identifier() == null || r.operation() == null || r.signature() == null) {
            return Optional.of("identifier, operation and signature are required");
        }
        Operation op = r.operation();
        Optional<String> kind = switch (op.type()) {
            case Operation.PUT -> op.value() == null ? Optional.of("PUT needs a value")
                    : op.expected() != null ? Optional.of("PUT takes no expected value") : Optional.empty();
            case Operation.GET -> op.value() != null || op.expected() != null
                    ? Optional.of("GET takes no value and no expected value") : Optional.empty();
            case Operation.CAS -> op.value() == null || op.expected() == null
                    ? Optional.of("CAS needs an expected value and a value") : Optional.empty();
            default -> Optional.of("unknown operation type " + op.type() + "; the types are PUT, GET and CAS");
        };
        if (kind.isPresent()) {
            return kind;
        }
        if (op.key().isEmpty() || op.key().getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            return Optional.of("key must be 1.." + MAX_KEY_BYTES + " bytes");
        }
        for (String v : new String[] {op.value(), op.expected()}) {
            if (v != null && v.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
                return Optional.of("value must be at most " + MAX_VALUE_BYTES + " bytes");
            }
        }
        return Optional.empty();
    }

    /**
     * Why the request is invalid, or empty if it is well formed and its signature verifies over
     * {@code signed}, its {@link Codec#signingBytes}, as {@code verifier} checks it.
     */
    static Optional<String> validate(Request r, byte[] signed, SignatureVerifier verifier) {
        Optional<String> shape = shapeProblem(r);
        if (shape.isPresent()) {
            return shape;
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
        if (!verifier.verify(key, signed, signature)) {
            return Optional.of("bad signature");
        }
        return Optional.empty();
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() <= 20 ? s : "..." + s.substring(s.length() - 12);
    }
}
