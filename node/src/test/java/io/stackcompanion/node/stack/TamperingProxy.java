package io.stackcompanion.node.stack;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A man in the middle on loopback, with real sockets: every connection to {@link #port} is forwarded
 * to the target port, the acceptor's bytes as they are, the dialer's frame by frame through
 * {@code tamper} (connection number from 0, frame number on that connection from 0; it returns the
 * frames to forward instead, none to drop it). Closed with the test.
 */
final class TamperingProxy implements AutoCloseable {
    final int port;
    private final ServerSocket server;
    private final int target;
    private final BiFunction<Integer, Integer, List<byte[]>> tamper;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> sockets = new ArrayList<>();
    private final byte[][] current = new byte[1][];

    /**
     * @param tamper given (connection, frame number) and the frame in {@link #frame()}, the frames to send on
     */
    TamperingProxy(int target, BiFunction<Integer, Integer, List<byte[]>> tamper) throws IOException {
        this.target = target;
        this.tamper = tamper;
        this.server = new ServerSocket(0, 50, InetAddress.getByName(TestPool.HOST));
        this.port = server.getLocalPort();
        Thread accept = new Thread(this::acceptLoop, "tampering-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    /** The dialer's frame being decided on (only inside {@code tamper}). */
    byte[] frame() {
        return current[0];
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket dialer = server.accept();
                Socket acceptor = new Socket(TestPool.HOST, target);
                synchronized (sockets) {
                    sockets.add(dialer);
                    sockets.add(acceptor);
                }
                int connection = connections.getAndIncrement();
                start(() -> copy(acceptor.getInputStream(), dialer.getOutputStream(), dialer, acceptor));
                start(() -> frames(connection, dialer.getInputStream(), acceptor.getOutputStream(), dialer, acceptor));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private interface Pump {
        void run() throws IOException;
    }

    private static void start(Pump pump) {
        Thread t = new Thread(() -> {
            try {
                pump.run();
            } catch (IOException e) {
                // a side closed
            }
        }, "tampering-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void copy(InputStream in, OutputStream out, Socket a, Socket b) throws IOException {
        try (a; b) {
            in.transferTo(out);
        }
    }

    private void frames(int connection, InputStream in, OutputStream out, Socket a, Socket b) throws IOException {
        try (a; b) {
            DataInputStream frames = new DataInputStream(in);
            DataOutputStream to = new DataOutputStream(out);
            for (int n = 0; ; n++) {
                byte[] frame = new byte[frames.readInt()];
                frames.readFully(frame);
                List<byte[]> send;
                synchronized (current) {
                    current[0] = frame;
                    send = tamper.apply(connection, n);
                }
                for (byte[] f : send) {
                    to.writeInt(f.length);
                    to.write(f);
                }
                to.flush();
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
