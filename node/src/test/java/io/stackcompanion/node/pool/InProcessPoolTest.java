package io.stackcompanion.node.pool;

import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Four real nodes on real sockets and real RocksDB, driven by real clients. */
class InProcessPoolTest {
    @RegisterExtension
    final LocalPoolExtension pools = new LocalPoolExtension();

    @Test
    void ordersAThousandRequestsFromSeveralClientsWithIdenticalLedgers() throws Exception {
        LocalPool pool = pools.start(4, NodeConfig.defaults());
        List<Client> clients = List.of(pool.newClient(), pool.newClient(), pool.newClient());
        List<CompletableFuture<Reply>> futures = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            futures.add(clients.get(i % 3).submit(Operation.put("key-" + i, "value-" + i)));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

        assertThat(futures.stream().map(f -> f.join().seqNo()).distinct()).hasSize(1000);
        LocalPool.await(Duration.ofSeconds(10), "every node at ledger size 1000",
                () -> pool.names().stream().allMatch(n -> pool.status(n).map(Status::ledgerSize).orElse(0L) == 1000));
        List<String> roots = pool.names().stream().map(n -> pool.status(n).orElseThrow().ledgerRoot()).toList();
        assertThat(roots).containsOnly(roots.get(0));
        assertThat(pool.failures()).isEmpty();
    }

    @Test
    void getAndCasThroughTheJavaClientOverSocketsExactlyOneRacingCasApplies() throws Exception {
        LocalPool pool = pools.start(4, NodeConfig.defaults());
        List<Client> clients = List.of(pool.newClient(), pool.newClient(), pool.newClient());
        clients.get(0).submit(Operation.put("k", "start")).get(60, TimeUnit.SECONDS);
        List<CompletableFuture<Reply>> races = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            races.add(clients.get(i).submit(Operation.cas("k", "start", "from-" + i)));
        }
        CompletableFuture.allOf(races.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        List<Reply> casReplies = races.stream().map(CompletableFuture::join).toList();
        assertThat(casReplies.stream().filter(r -> r.result().applied())).hasSize(1);
        Reply winner = casReplies.stream().filter(r -> r.result().applied()).findFirst().orElseThrow();
        assertThat(winner.seqNo()).isEqualTo(casReplies.stream().mapToLong(Reply::seqNo).min().orElseThrow());

        Reply get = clients.get(1).submit(Operation.get("k")).get(60, TimeUnit.SECONDS);
        assertThat(get.result().value()).isEqualTo("from-" + casReplies.indexOf(winner));
        assertThat(clients.get(2).submit(Operation.get("absent")).get(60, TimeUnit.SECONDS).result().value()).isNull();
        // A CAS without an expected value: f+1 nodes reject it, and nothing is ordered.
        assertThat(clients.get(2).submit(new Operation(Operation.CAS, "k", "v", null)))
                .failsWithin(60, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withMessageContaining("CAS needs an expected value and a value");

        LocalPool.await(Duration.ofSeconds(10), "every node at ledger size 6",
                () -> pool.names().stream().allMatch(n -> pool.status(n).map(Status::ledgerSize).orElse(0L) == 6));
        List<String> roots = pool.names().stream().map(n -> pool.status(n).orElseThrow().ledgerRoot()).toList();
        assertThat(roots).containsOnly(roots.get(0));
        assertThat(pool.failures()).isEmpty();
    }

    @Test
    void aMalformedFrameClosesThatConnectionAndTheNodeKeepsOrdering() throws Exception {
        LocalPool pool = pools.start(4, NodeConfig.defaults());
        NodeInfo node2 = pool.genesis().node("Node2").orElseThrow();
        try (Socket s = new Socket("127.0.0.1", node2.clientPort())) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] garbage = "{\"op\":\"REQUEST\", this is not json".getBytes(StandardCharsets.UTF_8);
            out.writeInt(garbage.length);
            out.write(garbage);
            out.flush();
            // The node closes the connection: the read ends (EOF) instead of timing out.
            assertThat(new DataInputStream(s.getInputStream()).read()).isEqualTo(-1);
        }
        Client client = pool.newClient();
        Reply reply = client.submit(Operation.put("after", "garbage")).get(30, TimeUnit.SECONDS);
        assertThat(reply.seqNo()).isEqualTo(1);
        pool.awaitLedgerSize(1, Duration.ofSeconds(30)); // Node2 orders it too, though the client needed only f+1
    }

    @Test
    void aRequestWithABadSignatureGetsARejectAndIsNotOrdered() throws Exception {
        LocalPool pool = pools.start(4, NodeConfig.defaults());
        var keys = io.stackcompanion.node.crypto.Keys.generate();
        var other = io.stackcompanion.node.crypto.Keys.generate();
        String id = io.stackcompanion.node.crypto.Keys.encodePublic(keys.getPublic());
        var unsigned = new io.stackcompanion.node.message.Request(id, 1, Operation.put("k", "v"), "");
        byte[] sig = io.stackcompanion.node.crypto.Keys.sign(other.getPrivate(), Codec.signingBytes(unsigned));
        var forged = new io.stackcompanion.node.message.Request(id, 1, Operation.put("k", "v"),
                java.util.Base64.getEncoder().encodeToString(sig));
        NodeInfo node1 = pool.genesis().node("Node1").orElseThrow();
        try (Socket s = new Socket("127.0.0.1", node1.clientPort())) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] bytes = Codec.encode(forged);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            assertThat(Codec.decode(answer)).isEqualTo(new io.stackcompanion.node.message.Reject(id, 1, "bad signature"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(pool.status("Node1").orElseThrow().ledgerSize()).isZero();
    }
}
