package io.stackcompanion.node.stack;

import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A man in the middle between two nodes, after their handshake (he cannot pass it: he lacks their
 * keys), alters or injects a frame on the wire: the receiving node refuses it, says so, closes the
 * link, and the frame never reaches its core; the nodes link again and go on.
 */
class NodeLinkTamperingTest {
    @RegisterExtension
    final LogCapture log = new LogCapture(NodeStack.class);

    /** HELLO and RESPONSE are the dialer's first two frames; its third is the first payload. */
    private static final int FIRST_PAYLOAD = 2;

    /**
     * Node1 sends "COMMIT 0:1" through the proxy, which does {@code onFirstPayload} to it; of it, only
     * {@code delivered} may reach Node2's core, then only what Node1 sends on its next link.
     */
    private void tamperedLinkIsClosed(String what, BiFunction<TamperingProxy[], Integer, List<byte[]>> onFirstPayload,
                                      List<String> delivered) throws Exception {
        try (TestPool pool = new TestPool(2, TestPool.testSettings().withLimits(StackSettings.Limits.defaults().withWarnInterval(0)))) {
            RecordingSink s2 = new RecordingSink();
            pool.start("Node2", s2);
            TamperingProxy[] proxy = new TamperingProxy[1];
            proxy[0] = new TamperingProxy(pool.node("Node2").nodePort(), (connection, frame) ->
                    connection == 0 && frame == FIRST_PAYLOAD ? onFirstPayload.apply(proxy, frame) : List.of(proxy[0].frame()));
            try (TamperingProxy p = proxy[0]) {
                // Node1 reaches Node2 through the man in the middle.
                NodeInfo n2 = pool.node("Node2");
                PoolGenesis throughProxy = pool.with(new NodeInfo("Node2", n2.host(), p.port, n2.clientPort(), n2.publicKey()));
                RecordingSink s1 = new RecordingSink();
                NodeStack n1 = pool.start(new NodeStack("Node1", pool.keys.get("Node1").getPrivate(), throughProxy, pool.settings, s1));
                Await.until("linked through the proxy", () -> s2.isConnected("Node1") && s1.isConnected("Node2"));

                n1.send(List.of("Node2"), bytes("COMMIT 0:1"));
                Await.until(what + ": Node2 refuses it", () -> log.hasWarning("node stack of Node2", "closing the link with Node1",
                        "fails authentication"));
                Await.until("Node1 links again and is heard", () -> {
                    n1.send(List.of("Node2"), bytes("COMMIT 0:2"));
                    return s2.connectedCount("Node1") >= 2 && s2.receivedFrom("Node1").stream()
                            .anyMatch(m -> new String(m, StandardCharsets.UTF_8).equals("COMMIT 0:2"));
                });
                List<String> received = s2.receivedFrom("Node1").stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
                assertThat(received.subList(0, delivered.size())).as("what reached Node2's core").isEqualTo(delivered);
                assertThat(received.subList(delivered.size(), received.size())).as("then, on the next link").isNotEmpty()
                        .containsOnly("COMMIT 0:2");
                assertThat(s2.disconnectedCount("Node1")).as("the tampered link was closed").isGreaterThanOrEqualTo(1);
            }
        }
    }

    @Test
    void anAlteredFrameIsRefusedAndTheLinkClosed() throws Exception {
        tamperedLinkIsClosed("a digit changed", (proxy, frame) -> {
            byte[] altered = proxy[0].frame().clone();
            altered[altered.length - FrameMac.TAG_BYTES - 1] = '9'; // "COMMIT 0:1" becomes "COMMIT 0:9"
            return List.of(altered);
        }, List.of());
    }

    @Test
    void anInjectedFrameIsRefusedAndTheLinkClosed() throws Exception {
        tamperedLinkIsClosed("a frame injected", (proxy, frame) -> List.of(bytes("COMMIT 0:7 with a made-up tag"), proxy[0].frame()),
                List.of());
    }

    @Test
    void aReplayedFrameIsRefusedAndTheLinkClosed() throws Exception {
        tamperedLinkIsClosed("the frame sent twice", (proxy, frame) -> List.of(proxy[0].frame(), proxy[0].frame()), List.of("COMMIT 0:1"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
