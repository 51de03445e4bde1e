package io.stackcompanion.node.sanitize;

import io.stackcompanion.node.core.Txn;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.store.NodeStore;
import io.stackcompanion.node.store.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The roots of a sanitized PRE-PREPARE are the roots a node store computes over the sanitized
 * transactions, also for a batch that was proposed and never ordered (a view change replaced it).
 */
class PoolFactsTest {
    @TempDir
    Path dir;

    private static Request request(String client, long reqId, String key, String value) {
        return new Request(client, reqId, Operation.put(key, value), "c2ln");
    }

    private static byte[] txn(long seqNo, long ppSeqNo, long ppTime, Request r) {
        return Codec.toBytes(new Txn(seqNo, ppSeqNo, ppTime, r.identifier(), r.reqId(), r.operation(), Codec.digest(r)));
    }

    /** The roots a node store announces for {@code txns}, in order. */
    private String[] roots(Path store, List<byte[]> txns) {
        try (NodeStore s = NodeStore.open(store)) {
            List<State.Write> writes = new ArrayList<>();
            for (byte[] t : txns) {
                Operation op = PoolFacts.decodeTxn(t).operation();
                writes.add(State.Write.put(op.key(), op.value()));
            }
            return new String[] {s.ledger().appendUncommitted(txns).rootHex(), s.state().applyUncommitted(writes).hex()};
        }
    }

    @Test
    void aBatchNeverOrderedIsMappedOnTheLedgerBeforeIt() throws Exception {
        Request r1 = request("client-one-not-a-key", 1, "account-1", "balance 100");
        Request dropped = request("client-one-not-a-key", 2, "account-1", "balance 0");
        Request ordered = request("client-two-not-a-key", 1, "account-2", "balance 7");
        byte[] t1 = txn(1, 1, 1000, r1);
        byte[] tDropped = txn(2, 2, 2000, dropped);
        byte[] tOrdered = txn(2, 2, 2000, ordered);
        String[] one = roots(dir.resolve("a"), List.of(t1));
        String[] droppedRoots = roots(dir.resolve("b"), List.of(t1, tDropped));
        String[] orderedRoots = roots(dir.resolve("c"), List.of(t1, tOrdered));
        PrePrepare pp1 = new PrePrepare(0, 1, 1000, List.of(Codec.digest(r1)), 1, one[0], one[1]);
        PrePrepare ppDropped = new PrePrepare(0, 2, 2000, List.of(Codec.digest(dropped)), 2, droppedRoots[0], droppedRoots[1]);
        PrePrepare ppOrdered = new PrePrepare(1, 2, 2000, List.of(Codec.digest(ordered)), 2, orderedRoots[0], orderedRoots[1]);

        Pseudonyms p = new Pseudonyms(SanitizeKey.of(new byte[32]));
        PoolFacts facts = new PoolFacts(p);
        for (var m : List.of(r1, dropped, ordered, pp1, ppDropped, ppOrdered)) {
            facts.learn(m);
        }
        facts.finish();
        assertThat(facts.ledgerSize()).isEqualTo(2);

        PrePrepare sanitizedDropped = facts.prePrepare(ppDropped);
        String[] expected = roots(dir.resolve("d"), List.of(facts.sanitizeTxn(t1), facts.sanitizeTxn(tDropped)));
        assertThat(sanitizedDropped.txnRoot()).isEqualTo(expected[0]);
        assertThat(sanitizedDropped.stateRoot()).isEqualTo(expected[1]);
        PrePrepare sanitizedOrdered = facts.prePrepare(ppOrdered);
        String[] expectedOrdered = roots(dir.resolve("e"), List.of(facts.sanitizeTxn(t1), facts.sanitizeTxn(tOrdered)));
        assertThat(sanitizedOrdered.txnRoot()).isEqualTo(expectedOrdered[0]).isEqualTo(facts.ledgerRoot(orderedRoots[0], 2));
        assertThat(sanitizedOrdered.stateRoot()).isEqualTo(expectedOrdered[1]);
        assertThat(new String(facts.sanitizeTxn(tOrdered), StandardCharsets.UTF_8)).doesNotContain("account-2", "balance 7", "client-two");
        assertThat(sanitizedOrdered.reqDigests()).doesNotContain(Codec.digest(ordered));
        assertThat(Hashes.hex(new byte[32])).isEqualTo(facts.stateRoot(Hashes.hex(new byte[32]), 0));
    }
}
