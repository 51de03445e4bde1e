package io.stackcompanion.node.stack;

import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.CoreInput.Connected;
import io.stackcompanion.node.core.CoreInput.Disconnected;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.crypto.Keys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeStackTest {
    private static final List<String> NAMES = List.of("Node1", "Node2", "Node3", "Node4");

    @RegisterExtension
    final LogCapture log = new LogCapture(NodeStack.class);

    @Test
    void fourNodesFormAFullMeshAndEveryLinkKeepsOrderBothWays() {
        try (TestPool pool = new TestPool(4)) {
            Map<String, RecordingSink> sinks = new LinkedHashMap<>();
            Map<String, NodeStack> stacks = new LinkedHashMap<>();
            for (String name : NAMES) {
                sinks.put(name, new RecordingSink());
                stacks.put(name, pool.start(name, sinks.get(name)));
            }
            awaitFullMesh(sinks, NAMES);
            for (String name : NAMES) {
                assertThat(stacks.get(name).connectedPeers()).isEqualTo(others(name, NAMES));
            }

            int frames = 300;
            for (int i = 0; i < frames; i++) {
                for (String from : NAMES) {
                    for (String to : others(from, NAMES)) {
                        assertThat(stacks.get(from).send(List.of(to), payload(from, to, i))).isEqualTo(1);
                    }
                }
            }
            for (String to : NAMES) {
                for (String from : others(to, NAMES)) {
                    Await.until(to + " has all frames from " + from, () -> sinks.get(to).receivedFrom(from).size() >= frames);
                    List<String> got = sinks.get(to).receivedFrom(from).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
                    List<String> sent = new ArrayList<>();
                    for (int i = 0; i < frames; i++) {
                        sent.add(new String(payload(from, to, i), StandardCharsets.UTF_8));
                    }
                    assertThat(got).as("frames %s -> %s", from, to).containsExactlyElementsOf(sent);
                }
            }
            for (String name : NAMES) {
                assertThat(sinks.get(name).all()).noneMatch(i -> i instanceof Disconnected);
                // Every input carries the node stack's name.
                assertThat(sinks.get(name).all()).allMatch(i -> stackOf(i) == StackName.NODE);
            }
        }
    }

    @Test
    void sendSkipsPeersWithoutALinkAndOneSendReachesSeveralPeers() {
        try (TestPool pool = new TestPool(4)) {
            RecordingSink s1 = new RecordingSink();
            RecordingSink s3 = new RecordingSink();
            NodeStack n1 = pool.start("Node1", s1);
            pool.start("Node3", s3);
            Await.until("Node1 linked to Node3", () -> s1.isConnected("Node3"));

            byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
            assertThat(n1.send(List.of("Node2", "Node3", "Node4", "Nobody"), ping)).isEqualTo(1);
            Await.until("Node3 got ping", () -> s3.receivedFrom("Node1").size() == 1);
            assertThat(s3.receivedFrom("Node1").get(0)).isEqualTo(ping);
        }
    }

    @Test
    void peersWithUnknownNamesOrWrongKeysAreRefusedAndNeverReachTheCore() {
        // Every refusal comes from 127.0.0.1 here; each one is asserted, so none is rate-limited away.
        try (TestPool pool = new TestPool(4, TestPool.testSettings().withLimits(StackSettings.Limits.defaults().withWarnInterval(0)))) {
            Map<String, RecordingSink> honest = new LinkedHashMap<>();
            for (String name : List.of("Node1", "Node3", "Node4")) {
                honest.put(name, new RecordingSink());
                pool.start(name, honest.get(name));
            }

            // An impostor claiming Node2 with its own key, on Node2's port: Node1 dials it, it dials Node3 and Node4.
            KeyPair fake = Keys.generate();
            NodeInfo real2 = pool.node("Node2");
            PoolGenesis impostorView = pool.with(new NodeInfo("Node2", real2.host(), real2.nodePort(), real2.clientPort(),
                    Keys.encodePublic(fake.getPublic())));
            RecordingSink impostorSink = new RecordingSink();
            pool.start(new NodeStack("Node2", fake.getPrivate(), impostorView, pool.settings, impostorSink));

            // A stranger "Node9" that puts itself first in its own genesis, so it dials every honest node.
            KeyPair strangerKey = Keys.generate();
            List<NodeInfo> strangerNodes = new ArrayList<>();
            strangerNodes.add(new NodeInfo("Node9", TestPool.HOST, TestPool.freePort(), TestPool.freePort(),
                    Keys.encodePublic(strangerKey.getPublic())));
            strangerNodes.addAll(pool.genesis.nodes());
            RecordingSink strangerSink = new RecordingSink();
            pool.start(new NodeStack("Node9", strangerKey.getPrivate(), new PoolGenesis(strangerNodes), pool.settings, strangerSink));

            Await.until("Node3 refuses the fake Node2", () -> log.hasWarning("node stack of Node3", "Node2", "cannot prove it holds the genesis key of Node2"));
            Await.until("Node4 refuses the fake Node2", () -> log.hasWarning("node stack of Node4", "Node2", "cannot prove it holds the genesis key of Node2"));
            Await.until("Node1 refuses the fake Node2 it dialed", () -> log.hasWarning("node stack of Node1", "refused link to", "cannot prove it holds the genesis key of Node2"));
            for (String name : honest.keySet()) {
                Await.until(name + " refuses Node9", () -> log.hasWarning("node stack of " + name, "claims unknown node name 'Node9'", "127.0.0.1:"));
            }
            awaitFullMesh(honest, List.of("Node1", "Node3", "Node4"));

            for (RecordingSink sink : honest.values()) {
                assertThat(sink.linkEvents("Node2")).isEmpty();
                assertThat(sink.linkEvents("Node9")).isEmpty();
                assertThat(sink.all()).noneMatch(i -> i instanceof CoreInput.Received);
            }
            assertThat(impostorSink.sawAnyConnected()).isFalse();
            assertThat(strangerSink.sawAnyConnected()).isFalse();
        }
    }

    @Test
    void negativeOrOversizedLengthPrefixClosesThatConnectionOnly() throws IOException {
        try (TestPool pool = new TestPool(2, TestPool.testSettings().withMaxFrameBytes(64 * 1024)
                .withLimits(StackSettings.Limits.defaults().withWarnInterval(0)))) {
            RecordingSink s1 = new RecordingSink();
            RecordingSink s2 = new RecordingSink();
            NodeStack n1 = pool.start("Node1", s1);
            pool.start("Node2", s2);
            Await.until("linked", () -> s1.isConnected("Node2") && s2.isConnected("Node1"));

            int port = pool.node("Node2").nodePort();
            for (int length : new int[]{-1, 64 * 1024 + 1, Integer.MAX_VALUE}) {
                try (Socket raw = new Socket(TestPool.HOST, port)) {
                    DataOutputStream out = new DataOutputStream(raw.getOutputStream());
                    out.writeInt(length);
                    out.write(new byte[16]);
                    out.flush();
                    awaitClosedByPeer(raw);
                    int localPort = raw.getLocalPort();
                    // Not authenticated yet: only handshake-sized frames are accepted.
                    String why = length < 0 ? "negative length prefix -1"
                            : "length prefix " + length + " exceeds the limit of " + Handshake.MAX_FRAME + " bytes before the handshake completed";
                    Await.until("Node2 logs the bad frame from port " + localPort,
                            () -> log.hasWarning("node stack of Node2", "bad frame from", ":" + localPort, why));
                }
            }

            // Our own oversized payload is not sent (the peer would drop the link on it).
            assertThat(n1.send(List.of("Node2"), new byte[64 * 1024 + 1])).isZero();

            // The stack kept serving the honest link.
            n1.send(List.of("Node2"), "still here".getBytes(StandardCharsets.UTF_8));
            Await.until("Node2 still receives", () -> s2.receivedFrom("Node1").size() == 1);
            assertThat(s2.linkEvents("Node1")).containsExactly(new Connected(StackName.NODE, "Node1"));
        }
    }

    @Test
    void connectionThatNeverFinishesTheHandshakeIsClosed() throws IOException {
        try (TestPool pool = new TestPool(2, TestPool.testSettings().withHandshakeTimeout(300))) {
            RecordingSink s2 = new RecordingSink();
            pool.start("Node2", s2);
            try (Socket silent = new Socket(TestPool.HOST, pool.node("Node2").nodePort())) {
                awaitClosedByPeer(silent);
            }
            Await.until("timeout logged", () -> log.hasWarning("node stack of Node2", "no handshake within 300 ms"));
            assertThat(s2.all()).isEmpty();
        }
    }

    @Test
    void restartedNodeIsReconnectedAndBothSidesSeeDisconnectedThenConnected() {
        try (TestPool pool = new TestPool(4)) {
            Map<String, RecordingSink> sinks = new LinkedHashMap<>();
            Map<String, NodeStack> stacks = new LinkedHashMap<>();
            for (String name : NAMES) {
                sinks.put(name, new RecordingSink());
                stacks.put(name, pool.start(name, sinks.get(name)));
            }
            awaitFullMesh(sinks, NAMES);

            // Node2 is dialed by Node1 and dials Node3 and Node4: a restart exercises both directions.
            RecordingSink oldSink = sinks.get("Node2");
            stacks.get("Node2").close();
            for (String other : others("Node2", NAMES)) {
                Await.until(other + " sees Node2 go", () -> !sinks.get(other).isConnected("Node2"));
                assertThat(oldSink.linkEvents(other)).containsExactly(
                        new Connected(StackName.NODE, other), new Disconnected(StackName.NODE, other));
            }

            RecordingSink newSink = new RecordingSink();
            NodeStack restarted = pool.start("Node2", newSink);
            for (String other : others("Node2", NAMES)) {
                Await.until("restarted Node2 linked to " + other, () -> newSink.isConnected(other));
                Await.until(other + " sees Node2 again", () -> sinks.get(other).isConnected("Node2"));
                assertThat(sinks.get(other).linkEvents("Node2")).containsExactly(
                        new Connected(StackName.NODE, "Node2"), new Disconnected(StackName.NODE, "Node2"),
                        new Connected(StackName.NODE, "Node2"));
            }

            restarted.send(others("Node2", NAMES), "back".getBytes(StandardCharsets.UTF_8));
            stacks.get("Node4").send(List.of("Node2"), "welcome".getBytes(StandardCharsets.UTF_8));
            for (String other : others("Node2", NAMES)) {
                Await.until(other + " hears the restarted Node2", () -> sinks.get(other).receivedFrom("Node2").size() == 1);
            }
            Await.until("restarted Node2 hears Node4", () -> newSink.receivedFrom("Node4").size() == 1);
        }
    }

    @Test
    void aNewAuthenticatedLinkReplacesTheOldOneWithAConsistentSequence() {
        try (TestPool pool = new TestPool(2)) {
            RecordingSink s1 = new RecordingSink();
            RecordingSink s2 = new RecordingSink();
            NodeStack first = pool.start("Node1", s1);
            NodeStack n2 = pool.start("Node2", s2);
            Await.until("linked", () -> s2.isConnected("Node1"));

            // A second Node1 (same key, say the restarted process) links before Node2 noticed the first one go.
            NodeInfo n1 = pool.node("Node1");
            PoolGenesis moved = pool.with(new NodeInfo("Node1", n1.host(), TestPool.freePort(), TestPool.freePort(), n1.publicKey()));
            RecordingSink s1b = new RecordingSink();
            pool.start(new NodeStack("Node1", pool.keys.get("Node1").getPrivate(), moved, pool.settings, s1b));
            Await.until("Node2 switched to the new link", () -> s2.connectedCount("Node1") >= 2);
            first.close();

            Await.until("the new Node1 hears Node2", () -> {
                n2.send(List.of("Node1"), "hi".getBytes(StandardCharsets.UTF_8));
                return !s1b.receivedFrom("Node2").isEmpty() && s1b.isConnected("Node2");
            });
            assertWellFormed(s2.linkEvents("Node1"));
            assertWellFormed(s1.linkEvents("Node2"));
            assertWellFormed(s1b.linkEvents("Node2"));
            assertThat(s2.isConnected("Node1")).isTrue();
            assertThat(n2.connectedPeers()).containsExactly("Node1");
        }
    }

    @Test
    void disconnectClosesTheLinkAndTheDialerComesBack() {
        try (TestPool pool = new TestPool(2)) {
            RecordingSink s1 = new RecordingSink();
            RecordingSink s2 = new RecordingSink();
            pool.start("Node1", s1);
            NodeStack n2 = pool.start("Node2", s2);
            Await.until("linked", () -> s2.isConnected("Node1"));
            n2.disconnect("Node1");
            Await.until("Node2 relinked", () -> s2.connectedCount("Node1") == 2 && s2.isConnected("Node1"));
            assertThat(s2.linkEvents("Node1")).containsExactly(new Connected(StackName.NODE, "Node1"),
                    new Disconnected(StackName.NODE, "Node1"), new Connected(StackName.NODE, "Node1"));
            Await.until("Node1 relinked", () -> s1.connectedCount("Node2") == 2 && s1.isConnected("Node2"));
        }
    }

    @Test
    void portInUseIsAOneLineErrorNamingThePortTheStackAndTheGenesis() throws IOException {
        TestPool pool = new TestPool(1);
        int port = pool.node("Node1").nodePort();
        try (ServerSocket occupant = new ServerSocket(port, 1, InetAddress.getByName(TestPool.HOST))) {
            assertThat(occupant.getLocalPort()).isEqualTo(port);
            NodeStack stack = new NodeStack("Node1", pool.keys.get("Node1").getPrivate(), pool.genesis,
                    pool.settings.withGenesisSource("pool/pool_genesis.json"), new RecordingSink());
            assertThatThrownBy(stack::start)
                    .isInstanceOf(StackException.class)
                    .hasMessage("port " + port + " (node stack of Node1) is in use: stop the process using it or change the port in pool/pool_genesis.json");
            stack.close();
            stack.close();
            assertThat(threadsNamed("Node1-node-")).isEmpty();
        }
    }

    @Test
    void stackThreadsAreNamedAndCloseIsIdempotentAndWaits() throws IOException {
        TestPool pool = new TestPool(1);
        NodeStack stack = new NodeStack("Node1", pool.keys.get("Node1").getPrivate(), pool.genesis, pool.settings, new RecordingSink());
        stack.start();
        try (Socket s = new Socket(TestPool.HOST, pool.node("Node1").nodePort())) {
            // the worker thread starts with its first connection
            Await.until("io thread up", () -> s.isConnected() && threadsNamed("Node1-node-").contains("Node1-node-io"));
        }
        assertThat(threadsNamed("Node1-node-")).containsExactly("Node1-node-accept", "Node1-node-io");
        stack.close();
        stack.close();
        assertThat(threadsNamed("Node1-node-")).isEmpty();
    }

    @Test
    void misconfiguredNodeStackFailsWithOneLineErrors() {
        TestPool pool = new TestPool(2);
        assertThatThrownBy(() -> new NodeStack("Node7", pool.keys.get("Node1").getPrivate(), pool.genesis, pool.settings, new RecordingSink()))
                .isInstanceOf(StackException.class)
                .hasMessage("Node7 is not a node of the pool genesis (nodes: Node1, Node2): check the node name");
        assertThatThrownBy(() -> new NodeStack("Node1", pool.keys.get("Node2").getPrivate(), pool.genesis, pool.settings, new RecordingSink()))
                .isInstanceOf(StackException.class)
                .hasMessage("the secret key given to Node1 does not match its public key in the pool genesis: use that node's own key file");
    }

    // ---- helpers

    private static void awaitFullMesh(Map<String, RecordingSink> sinks, List<String> names) {
        for (String name : names) {
            for (String other : others(name, names)) {
                Await.until(name + " sees " + other, () -> sinks.get(name).isConnected(other));
            }
        }
    }

    private static List<String> others(String name, List<String> names) {
        return names.stream().filter(n -> !n.equals(name)).toList();
    }

    private static byte[] payload(String from, String to, int i) {
        return (from + "->" + to + " #" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static StackName stackOf(CoreInput input) {
        if (input instanceof Connected c) {
            return c.stack();
        } else if (input instanceof Disconnected d) {
            return d.stack();
        } else if (input instanceof CoreInput.Received r) {
            return r.stack();
        }
        return null;
    }

    /** Connected and Disconnected alternate, starting with Connected: what the core relies on. */
    static void assertWellFormed(List<CoreInput> linkEvents) {
        for (int i = 0; i < linkEvents.size(); i++) {
            Class<?> expected = i % 2 == 0 ? Connected.class : Disconnected.class;
            assertThat(linkEvents.get(i)).as("event %d of %s", i, linkEvents).isInstanceOf(expected);
        }
    }

    /** Reads until the other side closes; a reset counts as closed too. */
    static void awaitClosedByPeer(Socket socket) throws IOException {
        socket.setSoTimeout(20_000);
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // skip whatever the stack said before closing (e.g. a refusal)
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the stack did not close the connection within 20 s");
        } catch (SocketException e) {
            // connection reset: closed as well
        }
    }

    static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith(prefix)).sorted().toList();
    }
}
