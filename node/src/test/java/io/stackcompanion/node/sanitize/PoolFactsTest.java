package io.stackcompanion.node.sanitize;

import io.stackcompanion.node.core.Txn;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Result;
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

    private static byte[] txn(long seqNo, long ppSeqNo, long ppTime, Request r, Result result) {
        return Codec.toBytes(new Txn(seqNo, ppSeqNo, ppTime, r.identifier(), r.reqId(), r.operation(), Codec.digest(r), result));
    }

    /** The roots a node store announces for {@code txns}, in order. */
    private String[] roots(Path store, List<byte[]> txns) {
        try (NodeStore s = NodeStore.open(store)) {
            List<State.Write> writes = new ArrayList<>();
            for (byte[] t : txns) {
                Txn txn = PoolFacts.decodeTxn(t);
                if (txn.changesState()) {
                    writes.add(State.Write.put(txn.operation().key(), txn.operation().value()));
                }
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

    @Test
    void getAndCasResultsAreDerivedFromTheStateBeforeThemAlsoInABatchNeverOrdered() throws Exception {
        String client = "client-one-not-a-key";
        Request put = request(client, 1, "account-1", "balance 100");
        Request casApplies = new Request(client, 2, Operation.cas("account-1", "balance 100", "balance 50"), "c2ln");
        Request getFound = new Request(client, 3, Operation.get("account-1"), "c2ln");
        Request getAbsent = new Request(client, 4, Operation.get("account-9-absent"), "c2ln");
        Request casAbsent = new Request(client, 5, Operation.cas("account-9-absent", "balance 100", "balance 1"), "c2ln");
        Request casFails = new Request(client, 6, Operation.cas("account-1", "balance 0", "balance 1"), "c2ln");
        // What every node computes (written out here, not by the code under test).
        byte[] t1 = txn(1, 1, 1000, put);
        List<byte[]> ordered = List.of(t1, txn(2, 2, 2000, casApplies, Result.ofCas(true)),
                txn(3, 2, 2000, getFound, Result.ofGet("balance 50")), txn(4, 2, 2000, getAbsent, Result.ofGet(null)),
                txn(5, 2, 2000, casAbsent, Result.ofCas(false)));
        List<byte[]> dropped = List.of(t1, txn(2, 2, 2000, casFails, Result.ofCas(false)), txn(3, 2, 2000, getFound,
                Result.ofGet("balance 100")));
        String[] one = roots(dir.resolve("a"), List.of(t1));
        String[] orderedRoots = roots(dir.resolve("b"), ordered);
        String[] droppedRoots = roots(dir.resolve("c"), dropped);
        PrePrepare pp1 = new PrePrepare(0, 1, 1000, List.of(Codec.digest(put)), 1, one[0], one[1]);
        PrePrepare ppDropped = new PrePrepare(0, 2, 2000, List.of(Codec.digest(casFails), Codec.digest(getFound)), 3,
                droppedRoots[0], droppedRoots[1]);
        PrePrepare ppOrdered = new PrePrepare(1, 2, 2000, List.of(Codec.digest(casApplies), Codec.digest(getFound),
                Codec.digest(getAbsent), Codec.digest(casAbsent)), 5, orderedRoots[0], orderedRoots[1]);

        PoolFacts facts = new PoolFacts(new Pseudonyms(SanitizeKey.of(new byte[32])));
        for (var m : List.of(put, casApplies, getFound, getAbsent, casAbsent, casFails, pp1, ppDropped, ppOrdered)) {
            facts.learn(m);
        }
        facts.finish();
        assertThat(facts.ledgerSize()).isEqualTo(5);

        List<Txn> txns = sanitizedWithRoots(facts, ppOrdered, ordered, dir.resolve("d"));
        assertThat(txns.get(1).result()).isEqualTo(Result.ofCas(true));
        assertThat(txns.get(2).result().value()).isEqualTo(txns.get(1).operation().value()).doesNotContain("balance");
        assertThat(txns.get(3).result()).isEqualTo(Result.ofGet(null));
        assertThat(txns.get(4).result()).isEqualTo(Result.ofCas(false));
        assertThat(txns.get(4).operation().expected()).isEqualTo(txns.get(0).operation().value());
        List<Txn> droppedTxns = sanitizedWithRoots(facts, ppDropped, dropped, dir.resolve("e"));
        assertThat(droppedTxns.get(2).result().value()).isEqualTo(txns.get(0).operation().value());
    }

    /** The sanitized {@code txns}, after checking that {@code pp}'s sanitized roots are what a node store computes over them. */
    private List<Txn> sanitizedWithRoots(PoolFacts facts, PrePrepare pp, List<byte[]> txns, Path store) throws Exception {
        List<byte[]> sanitized = new ArrayList<>();
        for (byte[] t : txns) {
            sanitized.add(facts.sanitizeTxn(t));
        }
        PrePrepare out = facts.prePrepare(pp);
        String[] expected = roots(store, sanitized);
        assertThat(out.txnRoot()).isEqualTo(expected[0]);
        assertThat(out.stateRoot()).isEqualTo(expected[1]);
        return sanitized.stream().map(PoolFacts::decodeTxn).toList();
    }
}
