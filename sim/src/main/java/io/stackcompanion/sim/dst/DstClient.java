package io.stackcompanion.sim.dst;

import io.stackcompanion.node.client.ClientHistory;
import io.stackcompanion.node.client.ReplyVotes;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reject;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.sim.world.SimClient;
import io.stackcompanion.sim.world.SimulatedPool;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated client: a sequential process, as the real {@code Client} behaves for one request at
 * a time. It sends each signed request to every node, resends to the nodes that have not answered
 * after the resend timeout (then 2, 4, 4... times it, {@link ReplyVotes#resendFactor}), is done at
 * f+1 matching replies ({@link ReplyVotes}) and gives up after the request timeout (the operation's
 * effect is then unknown). Every operation goes into the history; messages to and from the nodes
 * take a seeded client-link latency.
 */
final class DstClient {
    static final long RESEND_NANOS = 2_000_000_000L;

    /** What a client asks of the run: its next operation (null: stop), and where its results go. */
    interface Workload {
        Operation next(DstClient client, SplittableRandom random);

        void signed(DstClient client, Request request);

        void completed(DstClient client, Request request, ClientHistory.Entry entry);

        void gaveUp(DstClient client, Request request, ClientHistory.Entry entry);
    }

    private final String name;
    private final SimClient identity;
    private final SimulatedPool pool;
    private final SplittableRandom random;
    private final Workload workload;
    private final int quorum;
    private final long requestTimeoutNanos;
    /** The client's latest knowledge of each key, for the CAS it sends. */
    final Map<String, String> known = new HashMap<>();
    private long nextReqId = 1;
    private Request current;
    private Operation op;
    private long invoke;
    private ReplyVotes votes;
    private int sends;
    private boolean done;

    DstClient(String name, SimClient identity, SimulatedPool pool, SplittableRandom random, Workload workload,
              int quorum, long requestTimeoutNanos) {
        this.name = name;
        this.identity = identity;
        this.pool = pool;
        this.random = random;
        this.workload = workload;
        this.quorum = quorum;
        this.requestTimeoutNanos = requestTimeoutNanos;
    }

    String name() {
        return name;
    }

    /** The connection name the nodes see this client by. */
    String connection() {
        return name;
    }

    boolean done() {
        return done;
    }

    /** Starts the client's loop after a short think time. */
    void start() {
        pool.at(pool.now() + thinkNanos(), this::next);
    }

    /** Asks the workload for operations again (a client that was done may get more). */
    void resume() {
        if (done) {
            done = false;
            start();
        }
    }

    private long thinkNanos() {
        return random.nextLong(20_000_000L);
    }

    private long linkNanos() {
        return 500_000L + random.nextLong(2_000_000L);
    }

    private void next() {
        Operation o = workload.next(this, random);
        if (o == null) {
            done = true;
            return;
        }
        op = o;
        current = identity.sign(nextReqId++, o);
        workload.signed(this, current);
        invoke = pool.now();
        votes = new ReplyVotes(quorum);
        sends = 0;
        Request r = current;
        pool.at(invoke + requestTimeoutNanos, () -> giveUp(r));
        send(r);
    }

    /** A round to every node that has not answered, then the next resend. */
    private void send(Request r) {
        if (current != r) {
            return;
        }
        for (String node : pool.names()) {
            if (!votes.answered(node)) {
                pool.at(pool.now() + linkNanos(), () -> pool.clientSend(node, connection(), r));
            }
        }
        long factor = ReplyVotes.resendFactor(sends++);
        pool.at(pool.now() + RESEND_NANOS * factor, () -> send(r));
    }

    /** A message a node sent to this client; it arrives after the client link's latency. */
    void receive(String node, Message m) {
        pool.at(pool.now() + linkNanos(), () -> onMessage(node, m));
    }

    private void onMessage(String node, Message m) {
        Request r = current;
        if (r == null) {
            return;
        }
        if (m instanceof Reply reply && reply.reqId() == r.reqId()) {
            Reply agreed = votes.reply(node, reply);
            if (agreed != null) {
                ClientHistory.Entry e = new ClientHistory.Entry(name, op, invoke, agreed, pool.now());
                ClientHistory.learn(known, op, agreed);
                current = null;
                workload.completed(this, r, e);
                pool.at(pool.now() + thinkNanos(), this::next);
            }
        } else if (m instanceof Reject reject && reject.reqId() == r.reqId()) {
            if (votes.reject(node, reject.reason()) != null) {
                finishWithoutReply(r);
            }
        }
    }

    private void giveUp(Request r) {
        if (current == r) {
            finishWithoutReply(r);
        }
    }

    private void finishWithoutReply(Request r) {
        current = null;
        workload.gaveUp(this, r, new ClientHistory.Entry(name, op, invoke, null, pool.now()));
        pool.at(pool.now() + thinkNanos(), this::next);
    }

}
