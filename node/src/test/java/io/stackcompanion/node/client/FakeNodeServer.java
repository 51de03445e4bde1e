package io.stackcompanion.node.client;

import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.GetStatus;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.Reject;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.ReqAck;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Status;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test fixture: a real TCP server speaking the client stack's framing, standing in for a node while
 * the real one is built. It checks each request's signature with {@link Keys#verify}, answers REQACK
 * and then a REPLY whose seqNo a {@link Ledger} shared by the fake pool assigns, so honest fakes agree.
 * Its {@link Behaviour} makes it lie, stay silent, reject, or drop the first copy of each request.
 */
public final class FakeNodeServer implements AutoCloseable {

    /** How this fake node answers requests. */
    public enum Behaviour {
        /** REQACK, then the REPLY the shared ledger gives. */
        HONEST,
        /** REQACK, then a REPLY with a wrong seqNo and txnHash. */
        LIE,
        /** Reads requests, answers nothing. */
        SILENT,
        /** REJECTs every request. */
        REJECT,
        /** Ignores the first copy of each request it receives, answers resends honestly. */
        DROP_FIRST
    }

    /** The pool's agreed order: the first node to see a request gives it the next seqNo. */
    public static final class Ledger {
        private final Map<String, Long> seqNos = new HashMap<>();
        private final List<String> hashes = new ArrayList<>();

        synchronized long seqNoFor(Request r) {
            return seqNos.computeIfAbsent(r.identifier() + "/" + r.reqId(), k -> {
                hashes.add(Hashes.sha256Hex(Codec.signingBytes(r)));
                return (long) hashes.size();
            });
        }

        synchronized String txnHash(long seqNo) {
            return hashes.get((int) seqNo - 1);
        }

        /** The reqIds of {@code identifier}'s ordered requests, in order. */
        public synchronized List<Long> reqIds(String identifier) {
            return seqNos.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(identifier + "/"))
                    .sorted(Map.Entry.comparingByValue())
                    .map(e -> Long.parseLong(e.getKey().substring(identifier.length() + 1)))
                    .toList();
        }

        public synchronized long size() {
            return hashes.size();
        }

        public synchronized String root() {
            return Hashes.sha256Hex(String.join(",", hashes).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    public static final String PRIMARY = "Node1";

    private final String name;
    private final Ledger ledger;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> copiesSeen = new HashMap<>();
    private final AtomicInteger verified = new AtomicInteger();
    private final AtomicInteger badSignatures = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;
    private volatile Behaviour behaviour;
    private volatile List<String> peers = List.of();

    public FakeNodeServer(String name, Ledger ledger, Behaviour behaviour) throws IOException {
        this(name, ledger, behaviour, 0);
    }

    /** Listens on {@code port} of the loopback address (0: any free port), e.g. to restart a node in place. */
    public FakeNodeServer(String name, Ledger ledger, Behaviour behaviour, int port) throws IOException {
        this.name = name;
        this.ledger = ledger;
        this.behaviour = behaviour;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        acceptor = new Thread(this::acceptLoop, "fake-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String name() {
        return name;
    }

    public int port() {
        return server.getLocalPort();
    }

    public void behaviour(Behaviour b) {
        this.behaviour = b;
    }

    /** The node-stack peers this fake reports as connected in its STATUS. */
    public void peers(List<String> names) {
        this.peers = List.copyOf(names);
    }

    /** Requests whose signature verified. */
    public int verifiedRequests() {
        return verified.get();
    }

    public int badSignatures() {
        return badSignatures.get();
    }

    /** Copies of request (identifier, reqId) received, resends included. */
    public synchronized int copiesOf(String identifier, long reqId) {
        return copiesSeen.getOrDefault(identifier + "/" + reqId, 0);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                if (closed) { // accepted while closing: a closed node answers nobody
                    s.close();
                    return;
                }
                s.setTcpNoDelay(true); // as the real stack does; else Nagle stalls the REQACK+REPLY pairs
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "fake-" + name + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            OutputStream out = s.getOutputStream();
            while (true) {
                Message m;
                try {
                    m = Codec.decode(Frames.readPayload(in));
                } catch (MalformedMessageException e) {
                    continue;
                }
                for (Message answer : answer(m)) {
                    Frames.write(out, answer);
                }
            }
        } catch (IOException e) {
            // peer gone or server closed
        } finally {
            sockets.remove(s);
        }
    }

    private List<Message> answer(Message m) {
        if (m instanceof GetStatus) {
            long size = ledger.size();
            return List.of(new Status(name, 0, PRIMARY, size, size, ledger.root(), peers));
        }
        if (!(m instanceof Request r)) {
            return List.of();
        }
        int copy;
        synchronized (this) {
            copy = copiesSeen.merge(r.identifier() + "/" + r.reqId(), 1, Integer::sum);
        }
        if (!signatureValid(r)) {
            badSignatures.incrementAndGet();
            return List.of(new Reject(r.identifier(), r.reqId(), "bad signature"));
        }
        verified.incrementAndGet();
        return switch (behaviour) {
            case SILENT -> List.of();
            case REJECT -> List.of(new Reject(r.identifier(), r.reqId(), "key is read-only"));
            case DROP_FIRST -> copy == 1 ? List.of() : honest(r);
            case LIE -> List.of(new ReqAck(r.identifier(), r.reqId()),
                    new Reply(r.identifier(), r.reqId(), ledger.seqNoFor(r) + 1000, "00".repeat(32)));
            case HONEST -> honest(r);
        };
    }

    private List<Message> honest(Request r) {
        long seqNo = ledger.seqNoFor(r);
        return List.of(new ReqAck(r.identifier(), r.reqId()),
                new Reply(r.identifier(), r.reqId(), seqNo, ledger.txnHash(seqNo)));
    }

    private static boolean signatureValid(Request r) {
        try {
            return r.signature() != null && Keys.verify(Keys.decodePublic(r.identifier()),
                    Codec.signingBytes(r), Base64.getDecoder().decode(r.signature()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        try {
            acceptor.join(5000); // so no connection slips in after the sockets below are closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : sockets) {
            s.close();
        }
    }
}
