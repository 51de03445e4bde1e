package io.stackcompanion.sim.byzantine;

import io.stackcompanion.node.message.CatchupRep;
import io.stackcompanion.node.message.Checkpoint;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.ConsistencyProof;
import io.stackcompanion.node.message.LedgerStatus;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.NewView;
import io.stackcompanion.node.message.Prepare;
import io.stackcompanion.node.message.ViewChange;
import io.stackcompanion.node.message.BatchId;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.crypto.NodeSigner;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a lying node does to the messages its honest core sends to another node (issue 18's test
 * bench): one message to one peer at a time, it tells one of its lies or lets the message through.
 * The one lie implementation of the simulator's Byzantine nodes ({@code dst.sh --faults byzantine})
 * and of the test-only main that runs a real node process that lies. Not thread-safe: one sending
 * thread (a core's).
 */
public final class Liar {
    /** One kind of lie. */
    public enum Lie {
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
         * broken signature. (In the simulator the liar's core also leaves the last batch out of every
         * NEW_VIEW it makes and acts on that: {@code SimulatedPool.plantLyingNewViews}.)
         */
        FORGED_NEW_VIEW,
        /**
         * VIEW_CHANGEs in another node's name, changed after signing (a later checkpoint), or signed by
         * the liar without some of the batches it prepared (incomplete).
         */
        FORGED_VIEW_CHANGE,
        /**
         * Its own VIEW_CHANGE, signed by the liar, claiming what it does not hold: a batch it never
         * prepared (a made-up PRE-PREPARE of the view before the one it changes to, after its last
         * prepared batch or in its place, shown as pre-prepared too), or a later stable checkpoint.
         */
        FALSE_VIEW_CHANGE;

        /** {@code wrong-digest}: how summaries and command lines name it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The lie a {@link #label()} names. */
        public static Lie ofLabel(String label) {
            for (Lie l : values()) {
                if (l.label().equals(label)) {
                    return l;
                }
            }
            throw new IllegalArgumentException("no lie '" + label + "'; the lies are "
                    + java.util.Arrays.stream(values()).map(Lie::label).collect(Collectors.joining(", ")));
        }
    }

    /** What goes on the wire instead: {@code payload} (the bytes), {@code message} what it claims to be. */
    public record Told(Message message, byte[] payload) {
    }

    private final SplittableRandom random;
    private final Set<Lie> lies;
    private final double rate;
    private final ArrayDeque<byte[]> sent = new ArrayDeque<>();
    private final Map<Lie, Long> told = new EnumMap<>(Lie.class);
    private Function<String, NodeSigner> signers = node -> null;

    /**
     * @param random where every choice comes from (a seeded source: the same seed, the same lies)
     * @param lies   the lies this liar tells, where they apply
     * @param rate   the share of messages (0 to 1) it lies about, of those a lie applies to
     */
    public Liar(SplittableRandom random, Set<Lie> lies, double rate) {
        if (lies.isEmpty() || rate < 0 || rate > 1) {
            throw new IllegalArgumentException("a liar needs at least one lie and a rate from 0 to 1");
        }
        this.random = random;
        this.lies = Collections.unmodifiableSet(EnumSet.copyOf(lies));
        this.rate = rate;
    }

    /** A liar whose lies (each with probability 1/2, at least one) and rate (10-70%) are drawn from {@code random}. */
    public static Liar drawn(SplittableRandom random) {
        Set<Lie> drawn = EnumSet.noneOf(Lie.class);
        for (Lie l : Lie.values()) {
            if (random.nextBoolean()) {
                drawn.add(l);
            }
        }
        if (drawn.isEmpty()) {
            drawn.add(Lie.values()[random.nextInt(Lie.values().length)]);
        }
        double rate = 0.1 + random.nextDouble() * 0.6;
        return new Liar(random, drawn, rate);
    }

    /** {@code wrong-digest, replay (42% of messages)} for a summary. */
    public String describe() {
        return lies.stream().map(Lie::label).collect(Collectors.joining(", "))
                + String.format(Locale.ROOT, " (%.0f%% of messages)", rate * 100);
    }

    /**
     * How a liar signs its own lies (the incomplete VIEW_CHANGE), by node; without it such a lie is told
     * unsigned again (and is rejected like a forged one).
     */
    public Liar signingWith(Function<String, NodeSigner> signers) {
        this.signers = signers;
        return this;
    }

    /** Whether this liar tells {@code lie}. */
    public boolean tells(Lie lie) {
        return lies.contains(lie);
    }

    /** How many of each lie were told so far, by lie (only those told). */
    public Map<Lie, Long> told() {
        return Collections.unmodifiableMap(new EnumMap<>(told));
    }

    /**
     * What goes to one peer when the honest core sends {@code message} (encoded as {@code payload}):
     * the same message, a lie, or nothing (null: silence).
     */
    public Told tell(Message message, byte[] payload, String from, String to) {
        if (sent.size() == 64) {
            sent.removeFirst();
        }
        sent.addLast(payload);
        Told honest = new Told(message, payload);
        if (random.nextDouble() >= rate) {
            return honest;
        }
        List<Lie> apply = new ArrayList<>();
        for (Lie l : Lie.values()) {
            if (lies.contains(l) && applies(l, message)) {
                apply.add(l);
            }
        }
        if (apply.isEmpty()) {
            return honest;
        }
        Lie lie = apply.get(random.nextInt(apply.size()));
        told.merge(lie, 1L, Long::sum);
        if (lie == Lie.SILENT) {
            return null;
        }
        if (lie == Lie.GARBAGE) {
            byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            return new Told(message, garbage);
        }
        if (lie == Lie.REPLAY) {
            byte[] old = List.copyOf(sent).get(random.nextInt(sent.size()));
            return new Told(message, old);
        }
        Message lied = lie(lie, message, from, to);
        return new Told(lied, Codec.encodeForNodeStack(lied));
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
            case FALSE_VIEW_CHANGE -> m instanceof ViewChange vc && vc.hasEvidence();
        };
    }

    private Message lie(Lie lie, Message m, String from, String to) {
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
                Collections.reverse(reordered);
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
                    Collections.swap(txns, 0, 1);
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
            case FALSE_VIEW_CHANGE -> falseViewChange((ViewChange) m, from);
            case REPLAY, GARBAGE, SILENT -> throw new IllegalArgumentException(lie + " changes no message; tell() tells it");
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
                if (!vcs.isEmpty()) {
                    vcs.remove(random.nextInt(vcs.size()));
                }
                return new NewView(nv.viewNo(), nv.checkpoint(), nv.batches(), vcs);
            }
            default -> {
                if (!vcs.isEmpty()) {
                    int i = random.nextInt(vcs.size());
                    vcs.set(i, vcs.get(i).withSignature(Base64.getEncoder().encodeToString(new byte[64])));
                }
                return new NewView(nv.viewNo(), nv.checkpoint(), nv.batches(), vcs);
            }
        }
    }

    private ViewChange forgedViewChange(ViewChange vc, String from, String to) {
        switch (random.nextInt(3)) {
            case 0 -> {
                // In the name of the node it is sent to, which knows it sent no such thing.
                return new ViewChange(vc.viewNo(), to, vc.stableCheckpoint(), vc.prepared(), vc.checkpoints(), vc.preprepared(),
                        vc.signature());
            }
            case 1 -> {
                return new ViewChange(vc.viewNo(), vc.node(), vc.stableCheckpoint() + 100, List.of(),
                        vc.checkpoints() == null ? null : List.of(vc.stableCheckpoint() + 100), vc.preprepared() == null ? null : List.of(),
                        vc.signature());
            }
            default -> {
                List<PrePrepare> prepared = vc.prepared().isEmpty() ? List.of() : vc.prepared().subList(0, random.nextInt(vc.prepared().size()));
                ViewChange incomplete = new ViewChange(vc.viewNo(), from, vc.stableCheckpoint(), prepared, vc.checkpoints(),
                        vc.preprepared(), null);
                return signed(incomplete, vc, from);
            }
        }
    }

    /** {@code lie} signed by {@code from}, or, with no signer, with {@code honest}'s signature (which does not verify). */
    private ViewChange signed(ViewChange lie, ViewChange honest, String from) {
        NodeSigner signer = signers.apply(from);
        return signer == null ? lie.withSignature(honest.signature())
                : lie.withSignature(Base64.getEncoder().encodeToString(signer.sign(Codec.signingBytes(lie))));
    }

    private ViewChange falseViewChange(ViewChange vc, String from) {
        if (random.nextBoolean()) {
            // A batch it never prepared: made up, of the view before the one it changes to, with a digest
            // like any other (the hash of its encoding); after its last prepared batch, or in its place.
            List<PrePrepare> prepared = new ArrayList<>(vc.prepared());
            PrePrepare last = prepared.isEmpty() ? null : prepared.get(prepared.size() - 1);
            long at = last == null ? vc.stableCheckpoint() + 1 : random.nextBoolean() ? last.ppSeqNo() : last.ppSeqNo() + 1;
            PrePrepare madeUp = new PrePrepare(Math.max(0, vc.viewNo() - 1), at, last == null ? 1_000_000 : last.ppTime() + 1,
                    List.of(hex()), last == null ? at : last.ledgerSize() + 1, hex(), hex());
            prepared.removeIf(pp -> pp.ppSeqNo() == at);
            prepared.add(madeUp);
            List<BatchId> preprepared = new ArrayList<>(vc.preprepared());
            preprepared.add(new BatchId(madeUp.viewNo(), at, Hashes.sha256Hex(Codec.encode(madeUp))));
            return signed(new ViewChange(vc.viewNo(), from, vc.stableCheckpoint(), prepared, vc.checkpoints(), preprepared, null), vc, from);
        }
        // A later stable checkpoint, held, with nothing prepared above it.
        long highest = vc.checkpoints().stream().mapToLong(Long::longValue).max().orElse(vc.stableCheckpoint());
        long later = highest + 100;
        return signed(new ViewChange(vc.viewNo(), from, later, List.of(), List.of(later), List.of(), null), vc, from);
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
