package io.stackcompanion.node.stack;

import io.stackcompanion.node.stack.StackGuard.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a stranger can take from a stack, on real sockets: partial frames cost what arrived, not what
 * was announced; one budget bounds them all; connections are capped, and closed when idle or slow;
 * the warnings they cause are rate-limited; and closing never claims a peer stopped reading.
 */
class StackLimitsTest {
    private static final int MIB = 1024 * 1024;
    @RegisterExtension
    final LogCapture log = new LogCapture(ClientStack.class);

    @Test
    void anAnnouncedLengthCostsNothingUntilTheBytesArrive() throws IOException {
        try (TestPool pool = new TestPool(1, TestPool.testSettings().withMaxFrameBytes(4 * MIB)); Sockets sockets = new Sockets()) {
            RecordingSink sink = new RecordingSink();
            ClientStack stack = pool.start(new ClientStack("Node1", 0, pool.settings, sink));
            List<Socket> holders = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Socket s = sockets.open(stack.boundPort());
                send(s, header(4 * MIB), new byte[100]);
                holders.add(s);
            }
            Await.until("20 partial frames held", () -> stack.limitsReport().heldBytes() == 20L * FrameDecoder.FIRST_PARTIAL_BYTES);
            // 20 x 4 MiB announced, 20 x 4 KiB held.

            Socket big = holders.get(0);
            send(big, new byte[MIB]);
            Await.until("the grown frame holds at most twice what arrived",
                    () -> stack.limitsReport().heldBytes() == 19L * FrameDecoder.FIRST_PARTIAL_BYTES + 2 * MIB);
            send(big, new byte[3 * MIB - 100]);
            String name = "127.0.0.1:" + big.getLocalPort();
            Await.until("the 4 MiB frame arrives whole", () -> sink.receivedFrom(name).size() == 1);
            assertThat(sink.receivedFrom(name).get(0)).hasSize(4 * MIB);
            assertThat(stack.limitsReport().heldBytes()).isEqualTo(19L * FrameDecoder.FIRST_PARTIAL_BYTES);

            sockets.close();
            Await.until("every byte given back once they close", () -> stack.limitsReport().heldBytes() == 0);
            assertThat(stack.limitsReport().closed().values()).containsOnly(0L);
        }
    }

    @Test
    void thePartialFrameBudgetClosesTheLargestHolderAndSmallFramesStillGetThrough() throws IOException {
        StackSettings settings = TestPool.testSettings().withMaxFrameBytes(MIB)
                .withLimits(StackSettings.Limits.defaults().withPartialFrameBudget(300 * 1024));
        try (TestPool pool = new TestPool(1, settings); Sockets sockets = new Sockets()) {
            RecordingSink sink = new RecordingSink();
            ClientStack stack = pool.start(new ClientStack("Node1", 0, pool.settings, sink));
            Socket a = sockets.open(stack.boundPort());
            send(a, header(MIB), new byte[200 * 1024]);
            Await.until("A holds 256 KiB", () -> stack.limitsReport().heldBytes() == 256 * 1024);

            // B needs 128 KiB more than is left: A, the largest holder, is closed to make room.
            Socket b = sockets.open(stack.boundPort());
            send(b, header(MIB), new byte[100 * 1024]);
            NodeStackTest.awaitClosedByPeer(a);
            Await.until("B holds 128 KiB", () -> stack.limitsReport().heldBytes() == 128 * 1024);
            assertThat(stack.limitsReport().closed(Reason.OVER_BUDGET)).isEqualTo(1);

            // A small request split across reads still gets through while B holds most of the budget.
            Socket c = sockets.open(stack.boundPort());
            String cName = "127.0.0.1:" + c.getLocalPort();
            byte[] request = "{\"op\":\"REQUEST\",\"padding\":\"................\"}".getBytes(StandardCharsets.UTF_8);
            send(c, header(request.length), java.util.Arrays.copyOf(request, 10));
            Await.until("C's partial frame is held", () -> stack.limitsReport().heldBytes() == 128 * 1024 + request.length);
            send(c, java.util.Arrays.copyOfRange(request, 10, request.length));
            Await.until("C's request arrives", () -> sink.receivedFrom(cName).size() == 1);

            // B grows past what the whole budget allows: now it is the largest, and it is the one closed.
            send(b, new byte[200 * 1024]);
            NodeStackTest.awaitClosedByPeer(b);
            Await.until("nothing held", () -> stack.limitsReport().heldBytes() == 0);
            assertThat(stack.limitsReport().closed(Reason.OVER_BUDGET)).isEqualTo(2);
            assertThat(log.hasWarning("client stack of Node1", "closing the connection from", "partial-frame budget of 307200 bytes")).isTrue();
            assertThat(sink.isConnected(cName)).isTrue();
        }
    }

    @Test
    void connectionsAreCappedPerAddressAndInTotal() throws IOException {
        StackSettings perAddress = TestPool.testSettings().withLimits(StackSettings.Limits.defaults().withMaxConnections(1000, 3));
        try (TestPool pool = new TestPool(1, perAddress); Sockets sockets = new Sockets()) {
            RecordingSink sink = new RecordingSink();
            ClientStack stack = pool.start(new ClientStack("Node1", 0, pool.settings, sink));
            List<Socket> admitted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                admitted.add(sockets.open(stack.boundPort()));
            }
            Await.until("three connected", () -> stack.connectedPeers().size() == 3);
            Socket fourth = sockets.open(stack.boundPort());
            NodeStackTest.awaitClosedByPeer(fourth);
            assertThat(sink.linkEvents("127.0.0.1:" + fourth.getLocalPort())).as("the core never hears of it").isEmpty();
            assertThat(stack.limitsReport().closed(Reason.ADDRESS_CAP)).isEqualTo(1);
            assertThat(log.hasWarning("refusing the connection from 127.0.0.1:" + fourth.getLocalPort(),
                    "3 connections from that address are open already (CLIENT_MAX_CONNECTIONS_PER_ADDRESS)")).isTrue();

            admitted.get(0).close();
            Await.until("a slot is free again", () -> stack.limitsReport().open() == 2);
            Socket again = sockets.open(stack.boundPort());
            Await.until("a new connection is admitted", () -> sink.isConnected("127.0.0.1:" + again.getLocalPort()));
        }
        StackSettings total = TestPool.testSettings().withLimits(StackSettings.Limits.defaults().withMaxConnections(2, 100));
        try (TestPool pool = new TestPool(1, total); Sockets sockets = new Sockets()) {
            ClientStack stack = pool.start(new ClientStack("Node1", 0, pool.settings, new RecordingSink()));
            sockets.open(stack.boundPort());
            sockets.open(stack.boundPort());
            Await.until("two connected", () -> stack.connectedPeers().size() == 2);
            NodeStackTest.awaitClosedByPeer(sockets.open(stack.boundPort()));
            assertThat(stack.limitsReport().closed(Reason.CONNECTION_CAP)).isEqualTo(1);
            assertThat(stack.connectedPeers()).hasSize(2);
        }
    }

    @Test
    void idleConnectionsAreClosedAndBusyOnesAreNot() throws Exception {
        StackSettings settings = TestPool.testSettings().withLimits(StackSettings.Limits.defaults().withIdleTimeout(400));
        try (TestPool pool = new TestPool(1, settings); Sockets sockets = new Sockets()) {
            RecordingSink sink = new RecordingSink();
            ClientStack stack = pool.start(new ClientStack("Node1", 0, pool.settings, sink));
            Socket idle = sockets.open(stack.boundPort());
            Socket busy = sockets.open(stack.boundPort());
            String busyName = "127.0.0.1:" + busy.getLocalPort();
            long start = System.nanoTime();
            for (int i = 0; i < 12; i++) {
                send(busy, header(2), new byte[]{'h', 'i'});
                Thread.sleep(100);
            }
            NodeStackTest.awaitClosedByPeer(idle);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).as("closed after the idle timeout, not long after").isBetween(300L, 5_000L);
            assertThat(sink.isConnected(busyName)).as("1.2 s of traffic, every 100 ms").isTrue();
            assertThat(sink.receivedFrom(busyName)).hasSize(12);
            assertThat(stack.limitsReport().closed(Reason.IDLE)).isEqualTo(1);
            Await.until("the busy one goes idle too", () -> !sink.isConnected(busyName));
        }
    }

    @Test
    void aFrameTricklingInTooSlowlyClosesItsConnection() throws Exception {
        StackSettings settings = TestPool.testSettings().withLimits(StackSettings.Limits.defaults().withFrameTimeout(600));
        try (TestPool pool = new TestPool(1, settings); Sockets sockets = new Sockets()) {
            RecordingSink sink = new RecordingSink();
            ClientStack stack = pool.start(new ClientStack("Node1", 0, pool.settings, sink));
            Socket slow = sockets.open(stack.boundPort());
            Socket quick = sockets.open(stack.boundPort());
            String quickName = "127.0.0.1:" + quick.getLocalPort();
            byte[] frame = new byte[4 + 100];
            frame[3] = 100;
            long start = System.nanoTime();
            boolean closed = false;
            // One byte every 50 ms: never idle, but 104 bytes would take over 5 s.
            for (int i = 0; i < frame.length && !closed; i++) {
                try {
                    send(slow, new byte[]{frame[i]});
                    send(quick, header(1), new byte[]{(byte) i});
                } catch (SocketException e) {
                    closed = true;
                }
                Thread.sleep(50);
                closed |= stack.limitsReport().closed(Reason.SLOW_FRAME) == 1;
            }
            NodeStackTest.awaitClosedByPeer(slow);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).as("closed once the frame was 600 ms old").isBetween(500L, 4_000L);
            assertThat(stack.limitsReport().closed(Reason.SLOW_FRAME)).isEqualTo(1);
            assertThat(log.hasWarning("frame not complete 600 ms after its first byte")).isTrue();
            assertThat(sink.isConnected(quickName)).as("whole frames, however many, are not slow").isTrue();
            assertThat(stack.limitsReport().heldBytes()).isZero();
        }
    }

    @Test
    void aStrangersRepeatedBadFramesAreLoggedOncePerIntervalWithACount() throws IOException {
        StackSettings settings = TestPool.testSettings().withMaxFrameBytes(1024)
                .withLimits(StackSettings.Limits.defaults().withWarnInterval(60_000));
        try (TestPool pool = new TestPool(1, settings); Sockets sockets = new Sockets()) {
            ClientStack stack = pool.start(new ClientStack("Node1", 0, pool.settings, new RecordingSink()));
            for (int i = 0; i < 50; i++) {
                Socket s = sockets.open(stack.boundPort());
                send(s, header(-1));
                NodeStackTest.awaitClosedByPeer(s);
            }
            Await.until("all 50 counted", () -> stack.limitsReport().closed(Reason.BAD_FRAME) == 50);
            assertThat(log.warnings().stream().filter(w -> w.contains("bad frame from")).toList()).hasSize(1);
            assertThat(stack.limitsReport().warningsNotLogged()).isEqualTo(49);
            String summary = stack.guard.summaryIfChanged(stack.what());
            assertThat(summary).contains("closed since start: 50 bad frames", "49 warnings not logged");
        }
    }

    @Test
    void aLinkThatIsMerelyClosingIsNotReportedAsNotReading() throws IOException {
        try (TestPool pool = new TestPool(1); Sockets sockets = new Sockets()) {
            RecordingSink sink = new RecordingSink();
            ClientStack stack = pool.start(new ClientStack("Node1", 0, pool.settings, sink));
            for (int i = 0; i < 20; i++) {
                Socket s = sockets.open(stack.boundPort());
                String name = "127.0.0.1:" + s.getLocalPort();
                Await.until("connected", () -> sink.isConnected(name));
                stack.disconnect(name);
                // The core keeps replying while the close travels: between the channel closing and its Disconnected.
                while (sink.isConnected(name)) {
                    stack.send(List.of(name), new byte[16]);
                }
            }
            assertThat(log.warnings()).noneMatch(w -> w.contains("is not reading"));
        }
    }

    @Test
    void nodeLinksGetFullSizeFramesOnlyAfterTheHandshake() throws IOException {
        try (TestPool pool = new TestPool(2, TestPool.testSettings().withMaxFrameBytes(4 * MIB))) {
            RecordingSink s1 = new RecordingSink();
            RecordingSink s2 = new RecordingSink();
            NodeStack n1 = pool.start("Node1", s1);
            NodeStack n2 = pool.start("Node2", s2);
            Await.until("linked", () -> s1.isConnected("Node2") && s2.isConnected("Node1"));
            n1.send(List.of("Node2"), new byte[3 * MIB]);
            n2.send(List.of("Node1"), new byte[3 * MIB]);
            Await.until("3 MiB frames both ways", () -> s1.receivedFrom("Node2").size() == 1 && s2.receivedFrom("Node1").size() == 1);
            Await.until("nothing held once they arrived", () -> n1.limitsReport().heldBytes() == 0 && n2.limitsReport().heldBytes() == 0);
        }
    }

    private static byte[] header(int length) {
        return new byte[]{(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    private static void send(Socket s, byte[]... parts) throws IOException {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        for (byte[] p : parts) {
            out.write(p);
        }
        out.flush();
    }

    /** Client sockets on loopback, all closed at the end. */
    private static final class Sockets implements AutoCloseable {
        private final List<Socket> open = new ArrayList<>();

        Socket open(int port) throws IOException {
            Socket s = new Socket(TestPool.HOST, port);
            open.add(s);
            return s;
        }

        @Override
        public void close() throws IOException {
            for (Socket s : open) {
                s.close();
            }
            open.clear();
        }
    }
}
