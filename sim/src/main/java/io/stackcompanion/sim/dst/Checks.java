package io.stackcompanion.sim.dst;

import io.stackcompanion.node.client.ClientHistory;
import io.stackcompanion.node.core.Txn;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.sim.check.Linearizability;
import io.stackcompanion.sim.history.HistoryReader;
import io.stackcompanion.sim.history.Operation;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The checkers of a seed, run at its end: agreement, validity, durability, liveness (collected while
 * it ran) and linearizability of the client history. Each says ok, or the first thing wrong.
 */
final class Checks {
    /** One checker's verdict: {@code failure} null when it holds. */
    record Check(String name, String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    static final String AGREEMENT = "agreement";
    static final String VALIDITY = "validity";
    static final String DURABILITY = "durability";
    static final String LIVENESS = "liveness";
    static final String LINEARIZABILITY = "linearizability";

    private Checks() {
    }

    static List<Check> all(List<ClientHistory.Entry> history, Map<String, Request> signed, Map<String, List<Txn>> ledgers,
                           List<String> livenessFailures, int f, SignatureVerifier verifier) {
        List<Check> out = new ArrayList<>();
        out.add(new Check(AGREEMENT, agreement(ledgers)));
        out.add(new Check(VALIDITY, validity(ledgers, signed, verifier)));
        out.add(new Check(DURABILITY, durability(history, ledgers)));
        out.add(new Check(LIVENESS, livenessFailures.isEmpty() ? null
                : livenessFailures.get(0) + (livenessFailures.size() > 1 ? " (and " + (livenessFailures.size() - 1) + " more)" : "")));
        out.add(linearizability(history));
        return out;
    }

    /** Honest ledgers are prefixes of one another: no two nodes hold different transactions at one seqNo. */
    static String agreement(Map<String, List<Txn>> ledgers) {
        List<String> nodes = List.copyOf(ledgers.keySet());
        for (int i = 0; i < nodes.size(); i++) {
            for (int j = i + 1; j < nodes.size(); j++) {
                List<Txn> a = ledgers.get(nodes.get(i));
                List<Txn> b = ledgers.get(nodes.get(j));
                for (int k = 0; k < Math.min(a.size(), b.size()); k++) {
                    if (!a.get(k).equals(b.get(k))) {
                        return nodes.get(i) + " and " + nodes.get(j) + " hold different transactions at seqNo " + (k + 1) + ": "
                                + txn(a.get(k)) + " and " + txn(b.get(k)) + differences(a.get(k), b.get(k));
                    }
                }
            }
        }
        return null;
    }

    /**
     * Every ledger transaction is a request a client signed, with a signature that verifies, the
     * operation and digest it was signed with, at its own seqNo, and there once. {@code verifier}:
     * the pool's (its memo answers as {@link Keys#verify} would, without verifying again).
     */
    static String validity(Map<String, List<Txn>> ledgers, Map<String, Request> signed, SignatureVerifier verifier) {
        Set<String> verified = new HashSet<>(); // each request's signature checked once, not once per ledger
        for (Map.Entry<String, List<Txn>> e : ledgers.entrySet()) {
            Set<String> seen = new HashSet<>();
            List<Txn> txns = e.getValue();
            for (int k = 0; k < txns.size(); k++) {
                Txn t = txns.get(k);
                String id = t.identifier() + "/" + t.reqId();
                String where = e.getKey() + "'s ledger at seqNo " + (k + 1) + " holds " + txn(t);
                if (t.seqNo() != k + 1) {
                    return where + " that says seqNo " + t.seqNo();
                }
                if (!seen.add(id)) {
                    return where + ", a request already ordered before it";
                }
                Request r = signed.get(id);
                if (r == null) {
                    return where + ", which no client sent";
                }
                if (!Objects.equals(r.operation(), t.operation()) || !Objects.equals(Codec.digest(r), t.digest())) {
                    return where + ", but the client signed " + r.operation() + " (digest " + Codec.digest(r) + ")";
                }
                if (!verified.contains(id)
                        && !verifier.verify(Keys.decodePublic(r.identifier()), Codec.signingBytes(r), Base64.getDecoder().decode(r.signature()))) {
                    return where + " whose signature does not verify";
                }
                verified.add(id);
            }
        }
        return null;
    }

    /** Every operation a client saw f+1 matching replies for is in every honest ledger, at the seqNo replied. */
    static String durability(List<ClientHistory.Entry> history, Map<String, List<Txn>> ledgers) {
        for (ClientHistory.Entry e : history) {
            if (e.reply() == null) {
                continue;
            }
            long seqNo = e.reply().seqNo();
            for (Map.Entry<String, List<Txn>> l : ledgers.entrySet()) {
                List<Txn> txns = l.getValue();
                Txn t = seqNo >= 1 && seqNo <= txns.size() ? txns.get((int) (seqNo - 1)) : null;
                if (t == null || !t.identifier().equals(e.reply().identifier()) || t.reqId() != e.reply().reqId()) {
                    return e.client() + "'s " + DstRun.describe(e.op()) + " (request " + e.reply().reqId() + ") was confirmed at seqNo "
                            + seqNo + " but " + l.getKey() + "'s ledger (size " + txns.size() + ") "
                            + (t == null ? "does not reach it" : "holds " + txn(t) + " there");
                }
            }
        }
        return null;
    }

    /** The client history, as its documented lines, through the same checker {@code dst.sh check} runs. */
    static Check linearizability(List<ClientHistory.Entry> history) {
        List<ClientHistory.Entry> sorted = new ArrayList<>(history);
        sorted.sort(java.util.Comparator.comparingLong(ClientHistory.Entry::invoke));
        List<Operation> ops = new ArrayList<>();
        Path name = Path.of("history.jsonl");
        for (int i = 0; i < sorted.size(); i++) {
            String line = new String(Codec.toBytes(ClientHistory.line(sorted.get(i), 0)), StandardCharsets.UTF_8);
            ops.add(HistoryReader.parse(name, i + 1, line));
        }
        Linearizability.Verdict v = new Linearizability().check(ops);
        return switch (v.outcome()) {
            case LINEARIZABLE -> new Check(LINEARIZABILITY, null);
            case NOT_LINEARIZABLE -> {
                var k = v.failures().get(0);
                yield new Check(LINEARIZABILITY, "key " + k.key() + ": no order of its " + k.operations()
                        + " operations explains " + k.blocked().describe() + " (history line " + k.blocked().line() + ")");
            }
            // Not a failure of the pool: the search gave up. Said in the summary, not failed.
            case UNKNOWN -> new Check(LINEARIZABILITY + " (unknown: search bound reached)", null);
        };
    }

    /** What differs between two transactions of one request: its batch, the batch's time, its result. */
    private static String differences(Txn a, Txn b) {
        List<String> d = new ArrayList<>();
        if (a.ppSeqNo() != b.ppSeqNo()) {
            d.add("batch " + a.ppSeqNo() + " vs " + b.ppSeqNo());
        }
        if (a.ppTime() != b.ppTime()) {
            d.add("batch time " + a.ppTime() + " vs " + b.ppTime());
        }
        if (!Objects.equals(a.result(), b.result())) {
            d.add("result " + a.result() + " vs " + b.result());
        }
        return d.isEmpty() ? "" : " (" + String.join(", ", d) + ")";
    }

    private static String txn(Txn t) {
        return "request " + t.reqId() + " of client …" + t.identifier().substring(Math.max(0, t.identifier().length() - 8))
                + " (" + DstRun.describe(t.operation()) + ")";
    }
}
