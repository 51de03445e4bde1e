package io.stackcompanion.node.client;

import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.stackcompanion.node.client.FakeNodeServer.Behaviour.DROP_FIRST;
import static io.stackcompanion.node.client.FakeNodeServer.Behaviour.LIE;
import static io.stackcompanion.node.client.FakeNodeServer.Behaviour.REJECT;
import static io.stackcompanion.node.client.FakeNodeServer.Behaviour.SILENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientTest {
    private static final long WAIT_S = 10; // generous: only bounds a broken test, never asserts speed

    private FakePool pool;
    private Client client;

    @BeforeEach
    void startPool() throws Exception {
        pool = FakePool.start(4);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        pool.close();
    }

    private Client client(Client.Options options) {
        client = new Client(pool.genesis(), Keys.generate(), options);
        return client;
    }

    private static Client.Options fastResend() {
        return Client.Options.defaults().withResendTimeout(Duration.ofMillis(200));
    }

    @Test
    void submitCompletesWithTheReplyTheHonestNodesAgreeOn() throws Exception {
        Client c = client(Client.Options.defaults());
        Reply first = c.submit(Operation.put("a", "1")).get(WAIT_S, TimeUnit.SECONDS);
        Reply second = c.submit(Operation.put("b", "2")).get(WAIT_S, TimeUnit.SECONDS);

        assertThat(first.identifier()).isEqualTo(c.identifier());
        assertThat(first.seqNo()).isEqualTo(1);
        assertThat(second.seqNo()).isEqualTo(2);
        assertThat(second.reqId()).isGreaterThan(first.reqId());
        assertThat(second.txnHash()).isEqualTo(pool.ledger().txnHash(2));
    }

    @Test
    void everyNodeReceivesAValidlySignedRequest() throws Exception {
        // no resend within the test's wait, so "one copy each" does not hinge on how fast the pool is
        Client c = client(Client.Options.defaults().withResendTimeout(Duration.ofSeconds(10 * WAIT_S)));
        Reply r = c.submit(Operation.put("k", "v")).get(WAIT_S, TimeUnit.SECONDS);

        // the reply quorum needs only f+1 nodes; the other copies may still be on their way
        awaitTrue(() -> pool.nodes().stream().allMatch(n -> n.verifiedRequests() + n.badSignatures() == 1));
        for (FakeNodeServer n : pool.nodes()) {
            assertThat(n.copiesOf(c.identifier(), r.reqId())).as(n.name()).isEqualTo(1);
            assertThat(n.verifiedRequests()).as(n.name()).isEqualTo(1);
            assertThat(n.badSignatures()).as(n.name()).isZero();
        }
    }

    @Test
    void oneLyingNodeDoesNotFoolTheClient() throws Exception {
        pool.node(1).behaviour(LIE);
        pool.node(2).behaviour(SILENT);
        Client c = client(Client.Options.defaults());

        Reply r = c.submit(Operation.put("k", "v")).get(WAIT_S, TimeUnit.SECONDS);

        assertThat(r.seqNo()).isEqualTo(1);
        assertThat(r.txnHash()).isEqualTo(pool.ledger().txnHash(1));
    }

    @Test
    void aLieAndASingleHonestReplyAreNotAQuorum() throws Exception {
        pool.node(1).behaviour(LIE);
        pool.node(2).behaviour(SILENT);
        pool.node(3).behaviour(SILENT);
        Client c = client(Client.Options.defaults().withRequestTimeout(Duration.ofMillis(500)));

        CompletableFuture<Reply> f = c.submit(Operation.put("k", "v"));

        assertThatThrownBy(() -> f.get(WAIT_S, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TimeoutException.class);
    }

    @Test
    void aRequestCompletesWithOneNodeDown() throws Exception {
        pool.node(3).close();
        Client c = client(fastResend());

        List<CompletableFuture<Reply>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fs.add(c.submit(Operation.put("k" + i, "v")));
        }
        for (CompletableFuture<Reply> f : fs) {
            assertThat(f.get(WAIT_S, TimeUnit.SECONDS).seqNo()).isPositive();
        }
        assertThat(c.connectedNodes()).doesNotContain("Node3");
    }

    @Test
    void resendsTheSameRequestWhenTheNodesDroppedTheFirstCopy() throws Exception {
        pool.nodes().forEach(n -> n.behaviour(DROP_FIRST));
        Client c = client(fastResend());

        Reply r = c.submit(Operation.put("k", "v")).get(WAIT_S, TimeUnit.SECONDS);

        assertThat(r.seqNo()).isEqualTo(1);
        assertThat(pool.ledger().size()).as("ordered once").isEqualTo(1);
        // Node1 gets every resend, but two other nodes may form the quorum before it reads its copy
        awaitTrue(() -> pool.node(1).copiesOf(c.identifier(), r.reqId()) >= 2);
        assertThat(pool.node(1).badSignatures()).isZero();
    }

    @Test
    void resendsOnlyToNodesThatHaveNotAnswered() throws Exception {
        pool.node(2).behaviour(SILENT);
        pool.node(3).behaviour(SILENT);
        pool.node(4).behaviour(SILENT);
        // long enough that Node1's reply is surely in before the first resend
        Client c = client(Client.Options.defaults().withResendTimeout(Duration.ofMillis(500)));
        CompletableFuture<Reply> f = c.submit(Operation.put("k", "v"));
        awaitTrue(() -> pool.ledger().size() == 1); // Node1 replied
        long reqId = firstReqId(c);

        awaitTrue(() -> pool.node(2).copiesOf(c.identifier(), reqId) >= 2); // a resend went out
        pool.node(2).behaviour(FakeNodeServer.Behaviour.HONEST);

        assertThat(f.get(WAIT_S, TimeUnit.SECONDS).seqNo()).isEqualTo(1);
        assertThat(pool.node(1).copiesOf(c.identifier(), reqId)).isEqualTo(1);
    }

    /** The reqId of the one request the pool has seen from {@code c}. */
    private long firstReqId(Client c) {
        return pool.ledger().reqIds(c.identifier()).get(0);
    }

    @Test
    void reconnectsToNodesThatWereRestarted() throws Exception {
        Client c = client(fastResend());
        c.submit(Operation.put("a", "1")).get(WAIT_S, TimeUnit.SECONDS);
        awaitTrue(() -> c.connectedNodes().size() == 4);

        pool.close(); // every node goes away and drops its connections
        awaitTrue(() -> c.connectedNodes().isEmpty());
        CompletableFuture<Reply> whileDown = c.submit(Operation.put("b", "2"));
        assertThat(whileDown).isNotDone();
        for (int i = 1; i <= 4; i++) {
            pool.restart(i);
        }

        // the resend finds the nodes back on their ports
        assertThat(whileDown.get(WAIT_S, TimeUnit.SECONDS).seqNo()).isEqualTo(2);
        assertThat(c.submit(Operation.put("c", "3")).get(WAIT_S, TimeUnit.SECONDS).seqNo()).isEqualTo(3);
    }

    @Test
    void rejectQuorumFailsTheFutureWithTheReason() throws Exception {
        pool.node(1).behaviour(REJECT);
        pool.node(2).behaviour(REJECT);
        pool.node(3).behaviour(SILENT);
        pool.node(4).behaviour(SILENT);
        Client c = client(Client.Options.defaults());

        CompletableFuture<Reply> f = c.submit(Operation.put("k", "v"));

        assertThatThrownBy(() -> f.get(WAIT_S, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RequestRejectedException.class)
                .hasMessageContaining("key is read-only");
    }

    @Test
    void inFlightCapBlocksSubmitUntilASlotFrees() throws Exception {
        pool.nodes().forEach(n -> n.behaviour(SILENT));
        Client c = client(fastResend().withMaxInFlight(1));
        CompletableFuture<Reply> first = c.submit(Operation.put("a", "1"));
        CompletableFuture<CompletableFuture<Reply>> second = new CompletableFuture<>();
        Thread submitter = new Thread(() -> second.complete(c.submit(Operation.put("b", "2"))));
        submitter.start();

        // the second submit waits for the only slot while the first request is pending
        awaitTrue(() -> submitter.getState() == Thread.State.WAITING);
        assertThat(second).isNotDone();

        // the nodes come back to life, the resend gets the first request ordered, the slot frees
        pool.nodes().forEach(n -> n.behaviour(FakeNodeServer.Behaviour.HONEST));
        assertThat(first.get(WAIT_S, TimeUnit.SECONDS).seqNo()).isEqualTo(1);
        assertThat(second.get(WAIT_S, TimeUnit.SECONDS).get(WAIT_S, TimeUnit.SECONDS).seqNo()).isEqualTo(2);
    }

    @Test
    void closeFailsPendingRequests() throws Exception {
        pool.nodes().forEach(n -> n.behaviour(SILENT));
        Client c = client(Client.Options.defaults());
        CompletableFuture<Reply> f = c.submit(Operation.put("k", "v"));

        c.close();

        assertThatThrownBy(() -> f.get(WAIT_S, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(c.submit(Operation.put("k", "v"))).isCompletedExceptionally();
    }

    @Test
    void statusOfOneNodeAndAClearErrorWhenItIsDown() throws Exception {
        Client c = client(Client.Options.defaults());
        c.submit(Operation.put("k", "v")).get(WAIT_S, TimeUnit.SECONDS);

        Status st = c.status("Node2");
        assertThat(st.name()).isEqualTo("Node2");
        assertThat(st.ledgerSize()).isEqualTo(1);
        assertThat(st.connected()).containsExactly("Node1", "Node3", "Node4");

        pool.node(2).close();
        assertThatThrownBy(() -> c.status("Node2")).isInstanceOf(NodeUnavailableException.class)
                .hasMessageContaining("Node2 at 127.0.0.1:");
        assertThatThrownBy(() -> c.status("Node9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Node1, Node2, Node3, Node4");
    }

    /** Polls {@code condition} until it holds or a generous deadline passes. */
    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT_S + " s");
            }
            Thread.sleep(10);
        }
    }
}
