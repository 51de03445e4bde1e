package io.stackcompanion.node.client;

import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.GetStatus;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reject;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Status;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool client: signs requests with its own Ed25519 key and sends each to every node's client
 * port; a request is done when f+1 distinct nodes sent the same REPLY (same seqNo and txnHash), or
 * failed when f+1 distinct nodes REJECTed it. Without a reply quorum within the resend timeout the
 * same signed request goes again to every node that has not answered it (then after 2, 4, 4, ...
 * times the timeout); nodes dedupe by (identifier, reqId), so a request caught in a view change is
 * still ordered exactly once.
 *
 * <p>Threads: one reader per connected node and one timer thread. Futures complete on those threads,
 * so callbacks attached to them must not block. {@link #submit} blocks while
 * {@link Options#maxInFlight()} requests are pending: that is the client's backpressure.
 */
public final class Client implements AutoCloseable {

    /**
     * Tuning.
     *
     * @param resendTimeout  how long to wait for a reply quorum before sending the request again
     * @param requestTimeout how long to keep trying before failing the future with a {@link TimeoutException}
     * @param maxInFlight    requests pending at once; {@link #submit} blocks beyond it
     * @param connectTimeout for each TCP connect to a node
     * @param statusTimeout  for {@link #status(String)}: connect plus answer
     */
    public record Options(Duration resendTimeout, Duration requestTimeout, int maxInFlight,
                          Duration connectTimeout, Duration statusTimeout) {
        public Options {
            Objects.requireNonNull(resendTimeout, "resendTimeout");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(statusTimeout, "statusTimeout");
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1, not " + maxInFlight);
            }
            if (resendTimeout.isNegative() || resendTimeout.isZero()) {
                throw new IllegalArgumentException("resendTimeout must be positive");
            }
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(5), Duration.ofSeconds(60), 256,
                    Duration.ofSeconds(1), Duration.ofSeconds(2));
        }

        public Options withResendTimeout(Duration d) {
            return new Options(d, requestTimeout, maxInFlight, connectTimeout, statusTimeout);
        }

        public Options withRequestTimeout(Duration d) {
            return new Options(resendTimeout, d, maxInFlight, connectTimeout, statusTimeout);
        }

        public Options withMaxInFlight(int n) {
            return new Options(resendTimeout, requestTimeout, n, connectTimeout, statusTimeout);
        }

        public Options withConnectTimeout(Duration d) {
            return new Options(resendTimeout, requestTimeout, maxInFlight, d, statusTimeout);
        }

        public Options withStatusTimeout(Duration d) {
            return new Options(resendTimeout, requestTimeout, maxInFlight, connectTimeout, d);
        }
    }

    private final PoolGenesis genesis;
    private final KeyPair keys;
    private final String identifier;
    private final int quorum;
    private final Options options;
    private final List<NodeLink> links;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Semaphore inFlight;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicLong nextReqId;
    private volatile boolean closed;

    public Client(PoolGenesis genesis, KeyPair keys, Options options) {
        this.genesis = Objects.requireNonNull(genesis, "genesis");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.options = Objects.requireNonNull(options, "options");
        this.identifier = Keys.encodePublic(keys.getPublic());
        this.quorum = genesis.quorums().reply();
        this.inFlight = new Semaphore(options.maxInFlight());
        // Microseconds since the epoch: a restarted client with the same key starts above the ids it
        // used before, unless it sustained more than a million requests a second.
        this.nextReqId = new AtomicLong(System.currentTimeMillis() * 1000);
        String tag = identifier.substring(Math.max(0, identifier.length() - 8));
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "client-" + tag + "-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        // Short enough that every resend tries a node that was down again.
        Duration reconnectBackoff = Collections.min(List.of(Duration.ofSeconds(1), options.resendTimeout().dividedBy(2)));
        List<NodeLink> ls = new ArrayList<>();
        for (NodeInfo n : genesis.nodes()) {
            ls.add(new NodeLink(n, "client-" + tag + "-" + n.name(), options.connectTimeout(),
                    reconnectBackoff, this::onMessage));
        }
        this.links = List.copyOf(ls);
    }

    /** A client with a fresh key pair and default options. */
    public static Client create(PoolGenesis genesis) {
        return new Client(genesis, Keys.generate(), Options.defaults());
    }

    /** This client's name on the pool: its public key, base64 X.509. */
    public String identifier() {
        return identifier;
    }

    public PoolGenesis genesis() {
        return genesis;
    }

    /**
     * Connects to every node now rather than on the first request, so that the first requests do not
     * pay for the connects (what a load generator that measures latencies wants).
     *
     * @return the nodes now connected, in genesis order; an unreachable one is tried again on send
     */
    public List<String> connect() {
        for (NodeLink link : links) {
            link.connectNow();
        }
        return connectedNodes();
    }

    /**
     * Signs {@code op} as request {@code reqId} of this client (the signature of {@link #submit},
     * without sending): lets a load generator warm up signing before it measures.
     */
    public Request sign(long reqId, Operation op) {
        Request unsigned = new Request(identifier, reqId, op, null);
        String signature = Base64.getEncoder().encodeToString(Keys.sign(keys, Codec.signingBytes(unsigned)));
        return new Request(identifier, reqId, op, signature);
    }

    /** Names of the nodes this client currently holds an open connection to, in genesis order. */
    public List<String> connectedNodes() {
        return links.stream().filter(NodeLink::isConnected).map(NodeLink::name).toList();
    }

    /**
     * Signs {@code op} (a PUT, GET or CAS) as a new request and sends it to every node. Blocks while
     * the in-flight cap is reached. The future completes with the reply f+1 nodes agree on (seqNo,
     * txnHash and a GET's or CAS's {@link Reply#result()}), or exceptionally with a
     * {@link RequestRejectedException} (f+1 rejects), a {@link TimeoutException} (no quorum within the
     * request timeout) or an {@link IllegalStateException} (client closed).
     */
    public CompletableFuture<Reply> submit(Operation op) {
        Objects.requireNonNull(op, "op");
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("client is closed"));
        }
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
        long reqId = nextReqId.getAndIncrement();
        Request request = sign(reqId, op);
        Pending p = new Pending(request, Frames.frame(request), quorum);
        pending.put(reqId, p);
        if (closed) { // close() may have swept the map before we put into it
            finish(p, null, new IllegalStateException("client is closed"));
            return p.future;
        }
        p.giveUp = schedule(() -> finish(p, null, new TimeoutException(
                "request " + reqId + " got no reply quorum (" + quorum + " matching replies) within "
                        + options.requestTimeout().toMillis() + " ms")), options.requestTimeout());
        sendToAll(p);
        return p.future;
    }

    /**
     * Sends the request to every node that has not answered it yet (a node that replied or rejected
     * already has it), then schedules the next resend. The wait doubles after each resend, up to
     * {@value ReplyVotes#MAX_RESEND_BACKOFF} times the resend timeout, so a pool slowed by a backlog or a view
     * change is not flooded with copies.
     */
    private void sendToAll(Pending p) {
        if (p.future.isDone()) {
            return;
        }
        // Once begun, a round reaches every node even if the quorum completes meanwhile: which nodes
        // get the request must not depend on how fast the first ones answer.
        for (NodeLink link : links) {
            if (!p.answered(link.name())) {
                link.send(p.frame);
            }
        }
        if (!p.future.isDone() && !closed) {
            long factor = ReplyVotes.resendFactor(p.sends++);
            p.resend = schedule(() -> sendToAll(p), options.resendTimeout().multipliedBy(factor));
        }
    }

    /** Null once the client is closed (the timer refuses work then, and nothing is left to do). */
    private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private void onMessage(String node, Message m) {
        if (m instanceof Reply r) {
            Pending p = identifier.equals(r.identifier()) ? pending.get(r.reqId()) : null;
            if (p != null) {
                Reply agreed = p.reply(node, r);
                if (agreed != null) {
                    finish(p, agreed, null);
                }
            }
        } else if (m instanceof Reject r) {
            Pending p = identifier.equals(r.identifier()) ? pending.get(r.reqId()) : null;
            if (p != null) {
                String reason = p.reject(node, r.reason());
                if (reason != null) {
                    finish(p, null, new RequestRejectedException(r.reqId(), reason));
                }
            }
        }
        // REQACK and anything else: nothing to do, the reply quorum is what counts.
    }

    /** Completes exactly once; frees the in-flight slot before callbacks run so they may submit. */
    private void finish(Pending p, Reply reply, Throwable error) {
        if (!p.claim()) {
            return;
        }
        pending.remove(p.request.reqId(), p);
        p.cancelTimers();
        inFlight.release();
        if (error == null) {
            p.future.complete(reply);
        } else {
            p.future.completeExceptionally(error);
        }
    }

    /**
     * Asks one node for its status over a short-lived connection of its own.
     *
     * @throws IllegalArgumentException if the pool has no node of that name
     * @throws NodeUnavailableException if the node does not answer within the status timeout
     */
    public Status status(String node) throws NodeUnavailableException {
        NodeInfo info = genesis.node(node).orElseThrow(() -> new IllegalArgumentException(
                "no node named '" + node + "' in the pool; nodes are " + String.join(", ", genesis.names())));
        return status(info, options.statusTimeout());
    }

    /** Asks one node for its status, no client key needed. */
    public static Status status(NodeInfo node, Duration timeout) throws NodeUnavailableException {
        return status(node, timeout, false);
    }

    /**
     * Asks one node for its status, no client key needed; with {@code withRejected}, also the messages
     * it rejected, by sender and reason (what {@code pool.sh status} asks; a node of an earlier
     * version answers without them).
     */
    public static Status status(NodeInfo node, Duration timeout, boolean withRejected) throws NodeUnavailableException {
        String where = node.name() + " at " + node.host() + ":" + node.clientPort();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(node.host(), node.clientPort()), (int) Math.max(1, timeout.toMillis()));
            Frames.write(s.getOutputStream(), withRejected ? new GetStatus(true) : new GetStatus());
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            while (true) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    throw new SocketTimeoutException("no STATUS within " + timeout.toMillis() + " ms");
                }
                s.setSoTimeout((int) leftMs);
                try {
                    if (Codec.decode(Frames.readPayload(in)) instanceof Status st) {
                        return st;
                    }
                } catch (MalformedMessageException e) {
                    // not for us or garbled; keep waiting for the STATUS until the deadline
                }
            }
        } catch (IOException e) {
            throw new NodeUnavailableException(node.name(), where + " is not answering: " + e.getMessage(), e);
        }
    }

    /** Fails every pending request, closes the connections and stops the threads. */
    @Override
    public void close() {
        closed = true;
        for (NodeLink link : links) {
            link.close();
        }
        for (Pending p : List.copyOf(pending.values())) {
            finish(p, null, new IllegalStateException("client is closed"));
        }
        timer.shutdownNow();
    }

    /** A request awaiting its quorum, with the votes so far. */
    private static final class Pending {
        final Request request;
        final byte[] frame;
        final CompletableFuture<Reply> future = new CompletableFuture<>();
        private final ReplyVotes votes;
        private boolean done;
        int sends; // touched by the submit thread, then only by the timer thread
        volatile ScheduledFuture<?> resend;
        volatile ScheduledFuture<?> giveUp;

        Pending(Request request, byte[] frame, int quorum) {
            this.request = request;
            this.frame = frame;
            this.votes = new ReplyVotes(quorum);
        }

        synchronized Reply reply(String node, Reply r) {
            return votes.reply(node, r);
        }

        synchronized String reject(String node, String reason) {
            return votes.reject(node, reason);
        }

        synchronized boolean answered(String node) {
            return votes.answered(node);
        }

        synchronized boolean claim() {
            if (done) {
                return false;
            }
            done = true;
            return true;
        }

        void cancelTimers() {
            ScheduledFuture<?> r = resend;
            if (r != null) {
                r.cancel(false);
            }
            ScheduledFuture<?> g = giveUp;
            if (g != null) {
                g.cancel(false);
            }
        }
    }
}
