package io.stackcompanion.sim.dst;

import io.stackcompanion.node.message.CatchupRep;
import io.stackcompanion.node.message.Checkpoint;
import io.stackcompanion.node.message.ConsistencyProof;
import io.stackcompanion.node.message.LedgerStatus;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.NewView;
import io.stackcompanion.node.message.Prepare;
import io.stackcompanion.node.message.ViewChange;
import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.sim.world.Network;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Up to f lying nodes (issue 18's test bench). Their cores are the real, honest ones; what they send
 * to other nodes is changed on the wire, message by message, by the lies each drew from the seed:
 * so every honest node's recording holds what a Byzantine peer really sent it, and replays to MATCH.
 * The lies are those the protocol bounds today (README "Known limits" says which are not: a VIEW_CHANGE
 * its own node signs claiming batches it never prepared, or a higher stable checkpoint).
 */
final class ByzantineNetwork implements Network {
    /** One kind of lie. */
    enum Lie {
        /** PREPARE and COMMIT for a digest no batch has. */
        WRONG_DIGEST,
        /** 3-phase messages claiming a later view. */
        OTHER_VIEW,
        /** An earlier message of its own sent again instead. */
        REPLAY,
        /** PREPAREs or COMMITs never sent (silent in a phase). */
        SILENT,
        /** Bytes that are no message at all. */
        GARBAGE,
        /** As primary, PRE-PREPAREs an hour off. */
        FAR_TIME,
        /** As primary, a PRE-PREPARE to some replicas different from the one to the others (equivocation). */
        EQUIVOCATE,
        /** CHECKPOINTs announcing another ledger root. */
        WRONG_CHECKPOINT,
        /** Catch-up answers with transactions swapped or a proof hash changed. */
        WRONG_CATCHUP,
        /** CONSISTENCY_PROOFs for a ledger that does not exist (another root, a larger size). */
        WRONG_PROOF,
        /** LEDGER_STATUSes claiming a longer ledger than this node has. */
        FALSE_STATUS,
        /**
         * As primary, a NEW_VIEW that does not follow from its VIEW_CHANGEs: on the wire, a later
         * checkpoint and no batches, its last batch left out, a VIEW_CHANGE left out, or one with a
         * broken signature; and by its core, which leaves the last batch out of every NEW_VIEW it makes
         * and acts on that (proposes other batches in its place).
         */
        FORGED_NEW_VIEW,
        /**
         * VIEW_CHANGEs in another node's name, changed after signing (a later checkpoint), or signed by
         * this node without some of the batches it prepared (incomplete).
         */
        FORGED_VIEW_CHANGE;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Network honest;
    private final SplittableRandom random;
    private final Set<String> liars;
    private final Set<Lie> lies;
    private final double rate;
    private final ArrayDeque<byte[]> sent = new ArrayDeque<>();
    private final Function<String, NodeSigner> keys;

    /**
     * @param honest how the wire carries a message (the lies are told before it)
     * @param liars  the lying nodes
     * @param keys   each node's signer: a liar signs its own lies
     */
    ByzantineNetwork(Network honest, SplittableRandom random, Set<String> liars, Function<String, NodeSigner> keys) {
        this.honest = honest;
        this.keys = keys;
        this.random = random;
        this.liars = Set.copyOf(liars);
        Set<Lie> drawn = EnumSet.noneOf(Lie.class);
        for (Lie l : Lie.values()) {
            if (random.nextBoolean()) {
                drawn.add(l);
            }
        }
        if (drawn.isEmpty()) {
            drawn.add(Lie.values()[random.nextInt(Lie.values().length)]);
        }
        this.lies = drawn;
        this.rate = 0.1 + random.nextDouble() * 0.6;
    }

    /** Whether the liars tell {@code lie} (some lies are told by their cores, not on the wire). */
    boolean tells(Lie lie) {
        return lies.contains(lie);
    }

    /** {@code wrong-digest, replay (42% of messages)} for the summary. */
    String describe() {
        return lies.stream().map(Lie::label).collect(Collectors.joining(", "))
                + String.format(Locale.ROOT, " (%.0f%% of messages)", rate * 100);
    }

    @Override
    public void carry(String from, String to, Message message, byte[] payload, Delivery delivery) {
        if (!liars.contains(from)) {
            honest.carry(from, to, message, payload, delivery);
            return;
        }
        if (sent.size() == 64) {
            sent.removeFirst();
        }
        sent.addLast(payload);
        if (random.nextDouble() >= rate) {
            honest.carry(from, to, message, payload, delivery);
            return;
        }
        List<Lie> apply = new ArrayList<>();
        for (Lie l : Lie.values()) {
            if (lies.contains(l) && applies(l, message)) {
                apply.add(l);
            }
        }
        if (apply.isEmpty()) {
            honest.carry(from, to, message, payload, delivery);
            return;
        }
        Lie lie = apply.get(random.nextInt(apply.size()));
        if (lie == Lie.SILENT) {
            return;
        }
        if (lie == Lie.GARBAGE) {
            byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            honest.carry(from, to, message, garbage, delivery);
            return;
        }
        if (lie == Lie.REPLAY) {
            byte[] old = List.copyOf(sent).get(random.nextInt(sent.size()));
            honest.carry(from, to, message, old, delivery);
            return;
        }
        Message told = tell(lie, message, from, to);
        honest.carry(from, to, told, Codec.encode(told), delivery);
    }

    private static boolean applies(Lie lie, Message m) {
        return switch (lie) {
            case WRONG_DIGEST, SILENT -> m instanceof Prepare || m instanceof Commit;
            case OTHER_VIEW -> m instanceof Prepare || m instanceof Commit || m instanceof PrePrepare;
            case REPLAY, GARBAGE -> true;
            case FAR_TIME, EQUIVOCATE -> m instanceof PrePrepare;
            case WRONG_CHECKPOINT -> m instanceof Checkpoint;
            case WRONG_CATCHUP -> m instanceof CatchupRep r && (r.txns().size() >= 2 || !r.hashes().isEmpty());
            case WRONG_PROOF -> m instanceof ConsistencyProof;
            case FALSE_STATUS -> m instanceof LedgerStatus;
            case FORGED_NEW_VIEW -> m instanceof NewView;
            case FORGED_VIEW_CHANGE -> m instanceof ViewChange;
        };
    }

    private Message tell(Lie lie, Message m, String from, String to) {
        return switch (lie) {
            case WRONG_DIGEST -> m instanceof Prepare p ? new Prepare(p.viewNo(), p.ppSeqNo(), hex())
                    : new Commit(((Commit) m).viewNo(), ((Commit) m).ppSeqNo(), hex());
            case OTHER_VIEW -> {
                int later = 1 + random.nextInt(2);
                if (m instanceof Prepare p) {
                    yield new Prepare(p.viewNo() + later, p.ppSeqNo(), p.digest());
                } else if (m instanceof Commit c) {
                    yield new Commit(c.viewNo() + later, c.ppSeqNo(), c.digest());
                }
                PrePrepare pp = (PrePrepare) m;
                yield new PrePrepare(pp.viewNo() + later, pp.ppSeqNo(), pp.ppTime(), pp.reqDigests(), pp.ledgerSize(),
                        pp.txnRoot(), pp.stateRoot());
            }
            case FAR_TIME -> {
                PrePrepare pp = (PrePrepare) m;
                long hour = 3_600_000L * (random.nextBoolean() ? 1 : -1);
                yield new PrePrepare(pp.viewNo(), pp.ppSeqNo(), pp.ppTime() + hour, pp.reqDigests(), pp.ledgerSize(),
                        pp.txnRoot(), pp.stateRoot());
            }
            case EQUIVOCATE -> {
                // Another batch at the same pp_seq_no: the same requests in another order (or another time).
                PrePrepare pp = (PrePrepare) m;
                List<String> reordered = new ArrayList<>(pp.reqDigests());
                java.util.Collections.reverse(reordered);
                yield reordered.equals(pp.reqDigests())
                        ? new PrePrepare(pp.viewNo(), pp.ppSeqNo(), pp.ppTime() + 1, pp.reqDigests(), pp.ledgerSize(), pp.txnRoot(), pp.stateRoot())
                        : new PrePrepare(pp.viewNo(), pp.ppSeqNo(), pp.ppTime(), reordered, pp.ledgerSize(), pp.txnRoot(), pp.stateRoot());
            }
            case WRONG_CHECKPOINT -> {
                Checkpoint c = (Checkpoint) m;
                yield new Checkpoint(c.seqNoEnd(), c.ledgerSize(), hex());
            }
            case WRONG_CATCHUP -> {
                CatchupRep r = (CatchupRep) m;
                if (r.txns().size() >= 2) {
                    List<String> txns = new ArrayList<>(r.txns());
                    java.util.Collections.swap(txns, 0, 1);
                    yield new CatchupRep(r.from(), r.targetSize(), txns, r.hashes());
                }
                List<String> hashes = new ArrayList<>(r.hashes());
                hashes.set(0, hex());
                yield new CatchupRep(r.from(), r.targetSize(), r.txns(), hashes);
            }
            case WRONG_PROOF -> {
                ConsistencyProof p = (ConsistencyProof) m;
                yield random.nextBoolean()
                        ? new ConsistencyProof(p.viewNo(), p.ppSeqNo(), p.ppTime(), p.oldSize(), p.newSize(), hex(), p.hashes())
                        : new ConsistencyProof(p.viewNo(), p.ppSeqNo() + 3, p.ppTime(), p.oldSize(), p.newSize() + 7, hex(), p.hashes());
            }
            case FALSE_STATUS -> {
                LedgerStatus ls = (LedgerStatus) m;
                yield new LedgerStatus(ls.size() + 5, hex(), ls.targetSize());
            }
            case FORGED_NEW_VIEW -> forgedNewView((NewView) m);
            case FORGED_VIEW_CHANGE -> forgedViewChange((ViewChange) m, from, to);
            case REPLAY, GARBAGE, SILENT -> throw new IllegalArgumentException(lie + " changes no message; carry() tells it");
        };
    }

    private NewView forgedNewView(NewView nv) {
        List<ViewChange> vcs = new ArrayList<>(nv.viewChanges());
        switch (random.nextInt(4)) {
            case 0 -> {
                return new NewView(nv.viewNo(), nv.checkpoint() + 100, List.of(), vcs);
            }
            case 1 -> {
                if (!nv.batches().isEmpty()) {
                    return new NewView(nv.viewNo(), nv.checkpoint(), nv.batches().subList(0, nv.batches().size() - 1), vcs);
                }
                return new NewView(nv.viewNo(), nv.checkpoint() + 1, nv.batches(), vcs);
            }
            case 2 -> {
                vcs.remove(random.nextInt(vcs.size()));
                return new NewView(nv.viewNo(), nv.checkpoint(), nv.batches(), vcs);
            }
            default -> {
                int i = random.nextInt(vcs.size());
                vcs.set(i, vcs.get(i).withSignature(Base64.getEncoder().encodeToString(new byte[64])));
                return new NewView(nv.viewNo(), nv.checkpoint(), nv.batches(), vcs);
            }
        }
    }

    private ViewChange forgedViewChange(ViewChange vc, String from, String to) {
        switch (random.nextInt(3)) {
            case 0 -> {
                // In the name of the node it is sent to (which knows it sent no such thing), or of another.
                return new ViewChange(vc.viewNo(), to, vc.stableCheckpoint(), vc.prepared(), vc.signature());
            }
            case 1 -> {
                return new ViewChange(vc.viewNo(), vc.node(), vc.stableCheckpoint() + 100, List.of(), vc.signature());
            }
            default -> {
                List<PrePrepare> prepared = vc.prepared().isEmpty() ? List.of() : vc.prepared().subList(0, random.nextInt(vc.prepared().size()));
                ViewChange unsigned = new ViewChange(vc.viewNo(), from, vc.stableCheckpoint(), prepared, null);
                return unsigned.withSignature(Base64.getEncoder().encodeToString(keys.apply(from).sign(Codec.signingBytes(unsigned))));
            }
        }
    }

    private String hex() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        StringBuilder s = new StringBuilder(64);
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return s.toString();
    }
}
