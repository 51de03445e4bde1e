package io.stackcompanion.sim.world;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reject;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Result;
import io.stackcompanion.node.message.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET and CAS on a simulated pool of four real cores: ordered like a PUT, their results computed by
 * every node at the operation's place in the order, so every node replies the same.
 */
class SimulatedGetCasTest {
    @TempDir
    Path dir;

    @Test
    void aGetReturnsTheLastWriteOrderedBeforeItOnEveryNode() {
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 11, NodeConfig.defaults())) {
            pool.startAll();
            SimClient client = new SimClient(1);
            Request absent = client.sign(1, Operation.get("k"));
            toAll(pool, absent);
            pool.runFor(500);
            toAll(pool, client.sign(2, Operation.put("k", "v1")));
            pool.runFor(500);
            // A PUT and a GET sent back to back: either may be ordered first; the GET sees what was.
            Request put2 = client.sign(3, Operation.put("k", "v2"));
            toAll(pool, put2);
            Request get = client.sign(4, Operation.get("k"));
            toAll(pool, get);
            pool.runFor(1_000);

            assertThat(repliesTo(pool, absent)).hasSize(4).allSatisfy(r -> assertThat(r.result()).isEqualTo(new Result(null, null)));
            boolean putFirst = repliesTo(pool, put2).get(0).seqNo() < repliesTo(pool, get).get(0).seqNo();
            assertThat(repliesTo(pool, get)).hasSize(4)
                    .allSatisfy(r -> assertThat(r.result()).isEqualTo(Result.ofGet(putFirst ? "v2" : "v1")));
            Request getAfter = client.sign(5, Operation.get("k"));
            toAll(pool, getAfter);
            pool.runFor(500);
            assertThat(repliesTo(pool, getAfter)).hasSize(4).allSatisfy(r -> assertThat(r.result()).isEqualTo(Result.ofGet("v2")));
            assertThat(repliesTo(pool, client.sign(2, Operation.put("k", "v1"))))
                    .hasSize(4).allSatisfy(r -> assertThat(r.result()).isNull());
            identicalLedgers(pool, 5);

            // Asked again, an ordered GET gets the same reply, result included (from its ledger transaction).
            Reply first = repliesTo(pool, get).get(0);
            toAll(pool, get);
            pool.runFor(200);
            assertThat(repliesTo(pool, get)).hasSize(8).containsOnly(first);
        }
    }

    @Test
    void twoClientsRacingACasWithTheSameExpectedValueApplyExactlyOnce() {
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 12, NodeConfig.defaults())) {
            pool.startAll();
            SimClient a = new SimClient(1);
            SimClient b = new SimClient(2);
            toAll(pool, a.sign(1, Operation.put("k", "start")));
            pool.runFor(500);
            Request casA = a.sign(2, Operation.cas("k", "start", "from-a"));
            Request casB = b.sign(1, Operation.cas("k", "start", "from-b"));
            toAll(pool, casA);
            toAll(pool, casB);
            pool.runFor(1_000);
            Request get = a.sign(3, Operation.get("k"));
            toAll(pool, get);
            pool.runFor(500);

            List<Reply> repliesA = repliesTo(pool, casA);
            List<Reply> repliesB = repliesTo(pool, casB);
            assertThat(repliesA).hasSize(4).containsOnly(repliesA.get(0));
            assertThat(repliesB).hasSize(4).containsOnly(repliesB.get(0));
            boolean appliedA = repliesA.get(0).result().applied();
            boolean appliedB = repliesB.get(0).result().applied();
            assertThat(appliedA ^ appliedB).as("exactly one CAS applied").isTrue();
            // The one ordered first applied, and the value is its.
            assertThat(appliedA).isEqualTo(repliesA.get(0).seqNo() < repliesB.get(0).seqNo());
            assertThat(repliesTo(pool, get)).hasSize(4)
                    .allSatisfy(r -> assertThat(r.result()).isEqualTo(Result.ofGet(appliedA ? "from-a" : "from-b")));
            identicalLedgers(pool, 4);
            for (String node : pool.names()) {
                assertThat(pool.store(node).state().get("k")).isEqualTo(appliedA ? "from-a" : "from-b");
            }
        }
    }

    @Test
    void malformedGetAndCasAreRejectedAndNothingIsOrdered() {
        try (SimulatedPool pool = new SimulatedPool(dir, 4, 13, NodeConfig.defaults())) {
            pool.startAll();
            SimClient client = new SimClient(1);
            toAll(pool, client.sign(1, new Operation(Operation.CAS, "k", "v", null)));
            toAll(pool, client.sign(2, new Operation(Operation.GET, "k", "v", null)));
            pool.runFor(1_000);
            assertThat(pool.clientInbox()).hasSize(8).allMatch(m -> m.message() instanceof Reject);
            assertThat(pool.clientInbox().stream().map(m -> ((Reject) m.message()).reason()).distinct())
                    .containsExactlyInAnyOrder("CAS needs an expected value and a value",
                            "GET takes no value and no expected value");
            identicalLedgers(pool, 0);
        }
    }

    @Test
    void aPutEncodesAsBeforeGetAndCasExisted() {
        assertThat(new String(Codec.encode(new Reply("id", 1, 2, "ab")), StandardCharsets.UTF_8))
                .isEqualTo("{\"op\":\"REPLY\",\"identifier\":\"id\",\"reqId\":1,\"seqNo\":2,\"txnHash\":\"ab\"}");
        assertThat(new String(Codec.toBytes(Operation.put("k", "v")), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"PUT\",\"key\":\"k\",\"value\":\"v\"}");
        assertThat(new String(Codec.toBytes(Operation.cas("k", "a", "b")), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"CAS\",\"key\":\"k\",\"value\":\"b\",\"expected\":\"a\"}");
    }

    private static void toAll(SimulatedPool pool, Request r) {
        pool.names().forEach(n -> pool.clientSend(n, "c-" + r.identifier().hashCode(), r));
    }

    private static List<Reply> repliesTo(SimulatedPool pool, Request r) {
        return pool.clientInbox().stream().map(SimulatedPool.ClientMessage::message)
                .filter(m -> m instanceof Reply rep && rep.identifier().equals(r.identifier()) && rep.reqId() == r.reqId())
                .map(m -> (Reply) m).toList();
    }

    private static void identicalLedgers(SimulatedPool pool, long size) {
        List<Status> statuses = pool.names().stream().map(n -> pool.core(n).status()).toList();
        assertThat(statuses).extracting(Status::ledgerSize).containsOnly(size);
        assertThat(statuses).extracting(Status::ledgerRoot).containsOnly(statuses.get(0).ledgerRoot());
    }
}
