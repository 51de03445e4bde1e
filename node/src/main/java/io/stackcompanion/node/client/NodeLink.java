package io.stackcompanion.node.client;

import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * One client's connection to one node's client port: a blocking socket plus one reader thread.
 * It connects lazily on send and, after a failure, again on a later send, so a node that goes away
 * and comes back is picked up without the client ever throwing because of it.
 */
final class NodeLink {
    private final NodeInfo node;
    private final String threadName;
    private final Duration connectTimeout;
    private final long retryAfterNanos;
    private final BiConsumer<String, Message> inbox;

    private volatile Socket socket; // volatile so close() can break a write blocked under the lock
    private OutputStream out;
    private long lastFailureNanos;
    private boolean failedBefore;
    private volatile boolean closed;

    NodeLink(NodeInfo node, String threadName, Duration connectTimeout, Duration retryAfter,
             BiConsumer<String, Message> inbox) {
        this.node = node;
        this.threadName = threadName;
        this.connectTimeout = connectTimeout;
        this.retryAfterNanos = retryAfter.toNanos();
        this.inbox = inbox;
    }

    String name() {
        return node.name();
    }

    boolean isConnected() {
        return socket != null;
    }

    /**
     * Sends one frame, connecting first if needed. Returns false (never throws) when the node is
     * unreachable; the caller's resend will try again.
     */
    synchronized boolean send(byte[] frame) {
        if (closed) {
            return false;
        }
        if (socket == null && !connect()) {
            return false;
        }
        try {
            out.write(frame);
            out.flush();
            return true;
        } catch (IOException e) {
            dropSocket(socket);
            return false;
        }
    }

    /** Connects now unless connected (or the node refused moments ago); true when connected. */
    synchronized boolean connectNow() {
        return !closed && (socket != null || connect());
    }

    private boolean connect() {
        // A node that just refused is not asked again at once: keeps a busy sender from
        // paying a connect attempt per request while a node is down.
        if (failedBefore && System.nanoTime() - lastFailureNanos < retryAfterNanos) {
            return false;
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(node.host(), node.clientPort()), (int) connectTimeout.toMillis());
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            if (closed) {
                closeQuietly(s);
                return false;
            }
            socket = s;
            out = s.getOutputStream();
            failedBefore = false;
            Thread reader = new Thread(() -> readLoop(s, in), threadName);
            reader.setDaemon(true);
            reader.start();
            return true;
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            failedBefore = true;
            lastFailureNanos = System.nanoTime();
            return false;
        }
    }

    private void readLoop(Socket s, DataInputStream in) {
        try {
            while (true) {
                byte[] payload = Frames.readPayload(in);
                Message m;
                try {
                    m = Codec.decode(payload);
                } catch (MalformedMessageException e) {
                    continue; // the framing is intact, only this message is bad: skip it
                }
                inbox.accept(node.name(), m);
            }
        } catch (IOException | RuntimeException e) {
            dropSocket(s);
        }
    }

    /** Forgets {@code s} if it is still the current socket (a newer one may have replaced it). */
    private synchronized void dropSocket(Socket s) {
        closeQuietly(s);
        if (socket == s) {
            socket = null;
            out = null;
            failedBefore = true;
            lastFailureNanos = System.nanoTime() - retryAfterNanos; // a lost link may reconnect at once
        }
    }

    /** Not synchronized: it must work even while a send is blocked writing to a stuck node. */
    void close() {
        closed = true;
        Socket s = socket;
        if (s != null) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing; nothing to do
        }
    }
}
