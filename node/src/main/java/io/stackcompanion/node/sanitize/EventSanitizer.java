package io.stackcompanion.node.sanitize;

import io.stackcompanion.node.message.CatchupRep;
import io.stackcompanion.node.message.CatchupReq;
import io.stackcompanion.node.message.Checkpoint;
import io.stackcompanion.node.core.CoreSnapshot;
import io.stackcompanion.node.crypto.SignatureVerdict;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.ConsistencyProof;
import io.stackcompanion.node.message.GetStatus;
import io.stackcompanion.node.message.InstanceChange;
import io.stackcompanion.node.message.MessageRequest;
import io.stackcompanion.node.message.LedgerStatus;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.NewView;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Prepare;
import io.stackcompanion.node.message.Propagate;
import io.stackcompanion.node.message.Reject;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.ReqAck;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.message.ViewChange;
import io.stackcompanion.node.message.BatchId;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.StoreDigest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites one recorded event of one node: client addresses, requests and everything derived from
 * customer data replaced (see {@link PoolFacts}); node names, kinds, times, order and every other
 * field kept. Refuses (a {@link SanitizeException} naming the event) a payload it cannot decode or
 * a derived value it cannot account for.
 */
final class EventSanitizer {
    private final PoolFacts facts;
    private final Pseudonyms p;
    private final Set<String> nodeNames;
    /** The sanitized stores' digests, by recorder-relative folder. */
    private final Map<String, StoreDigest> storeDigests;

    EventSanitizer(PoolFacts facts, Pseudonyms p, Set<String> nodeNames, Map<String, StoreDigest> storeDigests) {
        this.facts = facts;
        this.p = p;
        this.nodeNames = nodeNames;
        this.storeDigests = storeDigests;
    }

    /** Decodes a message payload, or refuses the event. */
    static Message decode(RecordedEvent e, String where) {
        try {
            return Codec.decode(e.payload());
        } catch (MalformedMessageException m) {
            throw new SanitizeException(where + ": " + e.kind() + " event at " + e.key() + " holds a payload that is not a message ("
                    + m.getMessage() + "); it could hold anything, so the recording is not sanitized (nothing written)");
        }
    }

    /**
     * A STATE event's consensus state: its ledger root and every batch digest re-derived (node
     * names, counts and positions are not the customer's), so {@code --check-state} still compares.
     */
    private CoreSnapshot state(RecordedEvent e, String where) throws PoolFacts.Unmapped {
        CoreSnapshot s;
        try {
            s = Codec.mapper().readValue(e.payload(), CoreSnapshot.class);
        } catch (java.io.IOException ex) {
            throw new SanitizeException(where + ": STATE event at " + e.key() + " holds a payload that is not a node's state ("
                    + ex.getMessage().lines().findFirst().orElse("") + "); it could hold anything, so the recording is not sanitized"
                    + " (nothing written)");
        }
        List<CoreSnapshot.BatchVotes> batches = new java.util.ArrayList<>();
        for (CoreSnapshot.BatchVotes b : s.batches()) {
            java.util.TreeMap<String, java.util.Map<String, List<String>>> other = new java.util.TreeMap<>();
            for (java.util.Map.Entry<String, java.util.Map<String, List<String>>> v : b.otherVotes().entrySet()) {
                other.put(facts.batchDigest(v.getKey()), v.getValue());
            }
            batches.add(new CoreSnapshot.BatchVotes(b.ppSeqNo(), b.viewNo(), b.digest() == null ? null : facts.batchDigest(b.digest()),
                    b.requests(), b.preparedBy(), b.committedBy(), b.commitSent(), other));
        }
        return new CoreSnapshot(s.name(), s.viewNo(), s.viewChanging(), s.primary(), s.lastOrdered(), s.lastApplied(),
                s.stableCheckpoint(), s.highWatermark(), s.catchingUp(), s.ledgerSize(), facts.ledgerRoot(s.ledgerRoot(), s.ledgerSize()),
                s.pendingRequests(), s.queuedRequests(), s.stashedPrePrepares(), batches, s.connected(), s.catchUps());
    }

    RecordedEvent rewrite(RecordedEvent e, String stack, String where) {
        List<String> peers = e.peers();
        byte[] payload = e.payload();
        try {
            switch (e.kind()) {
                case INCOMING, OUTGOING -> {
                    peers = peers(peers, stack);
                    // In the format it was recorded in (binary or JSON), as the node sent it.
                    payload = Codec.encodeLike(e.payload(), message(decode(e, where)));
                }
                case CONNECTED, DISCONNECTED -> {
                    peers = peers(peers, stack);
                    requireEmpty(e, where);
                }
                case STOPPED -> payload = Codec.encode(message(decode(e, where)));
                case STARTED, INITIAL_STATE -> payload = Codec.toBytes(startInfo(e, where));
                case TIMER_FIRED -> {
                    // The name of one of the core's timers.
                    String timer = new String(payload, StandardCharsets.UTF_8);
                    if (!timer.matches("[a-z_-]{1,40}")) {
                        throw new SanitizeException(where + ": TIMER_FIRED event at " + e.key() + " names no timer of the core; "
                                + "the recording is not sanitized (nothing written)");
                    }
                }
                case UNCLEAN_STOP -> requireEmpty(e, where);
                case VERIFIED -> {
                    // Whether a signature verified, and a digest of key, data and signature: no customer data. After
                    // sanitizing it no longer names the (re-signed) request, so a replay verifies that one itself.
                    peers = peers(peers, stack);
                    try {
                        SignatureVerdict.listFromBytes(payload);
                    } catch (IllegalArgumentException x) {
                        throw new SanitizeException(where + ": VERIFIED event at " + e.key() + " is malformed (" + x.getMessage()
                                + "); the recording is not sanitized (nothing written)");
                    }
                }
                case STATE -> payload = Codec.toBytes(state(e, where));
                default -> throw new SanitizeException(where + ": event at " + e.key() + " is of kind " + e.kind()
                        + ", which this version cannot sanitize (nothing written)");
            }
        } catch (PoolFacts.Unmapped u) {
            throw new SanitizeException(where + ": " + e.kind() + " event at " + e.key() + describe(e, where) + ": " + u.getMessage()
                    + "; it cannot be sanitized consistently (nothing written)");
        }
        if (facts.leaks.find(peers, payload) != null) {
            // Not named here: the message would print the very value that must not travel.
            throw new IllegalStateException(where + ": " + e.kind() + " event at " + e.key() + " would still hold a customer value"
                    + " after sanitizing; nothing written");
        }
        return new RecordedEvent(e.timeNanos(), e.seq(), e.kind(), peers, payload);
    }

    private static String describe(RecordedEvent e, String where) {
        if (e.kind() == io.stackcompanion.recorder.EventKind.INCOMING || e.kind() == io.stackcompanion.recorder.EventKind.OUTGOING) {
            return " (" + decode(e, where).getClass().getSimpleName() + ")";
        }
        return "";
    }

    private static void requireEmpty(RecordedEvent e, String where) {
        if (e.payload().length != 0) {
            throw new SanitizeException(where + ": " + e.kind() + " event at " + e.key() + " carries " + e.payload().length
                    + " bytes where none are recorded; the recording is not sanitized (nothing written)");
        }
    }

    private List<String> peers(List<String> peers, String stack) {
        List<String> out = new ArrayList<>(peers.size());
        for (String peer : peers) {
            boolean node = stack.equals(NodeRecording.NODE_STACK) && nodeNames.contains(peer);
            out.add(node ? peer : p.address(peer));
        }
        return out;
    }

    private NodeRecording.StartInfo startInfo(RecordedEvent e, String where) throws PoolFacts.Unmapped {
        NodeRecording.StartInfo s;
        try {
            s = Codec.mapper().readValue(e.payload(), NodeRecording.StartInfo.class);
        } catch (IOException ex) {
            throw new SanitizeException(where + ": " + e.kind() + " event at " + e.key() + " does not hold what a node records at "
                    + "its start (" + ex.getMessage().lines().findFirst().orElse("") + "); nothing written");
        }
        StoreDigest digest = s.stateDigest();
        if (digest != null) {
            String folder = s.restartState() != null ? s.restartState() : NodeRecording.INITIAL_STATE;
            digest = storeDigests.get(folder);
            if (digest == null) {
                throw new SanitizeException(where + ": " + e.kind() + " event at " + e.key() + " names the checkpoint " + folder
                        + ", which is not in the recording; nothing written");
            }
        }
        return new NodeRecording.StartInfo(s.ledgerSize(), facts.ledgerRoot(s.ledgerRoot(), s.ledgerSize()), s.randomSeed(),
                s.config(), s.restartState(), digest);
    }

    Message message(Message m) throws PoolFacts.Unmapped {
        if (m instanceof Request r) {
            return p.request(r);
        } else if (m instanceof ReqAck a) {
            return new ReqAck(p.identifier(a.identifier()), a.reqId());
        } else if (m instanceof Reject r) {
            return new Reject(p.identifier(r.identifier()), r.reqId(), rejectReason(r.reason()));
        } else if (m instanceof Reply r) {
            return facts.reply(r);
        } else if (m instanceof Propagate pr) {
            return new Propagate(pr.requests().stream().map(p::request).toList());
        } else if (m instanceof PrePrepare pp) {
            return facts.prePrepare(pp);
        } else if (m instanceof Prepare pr) {
            return new Prepare(pr.viewNo(), pr.ppSeqNo(), facts.batchDigest(pr.digest()));
        } else if (m instanceof Commit c) {
            return new Commit(c.viewNo(), c.ppSeqNo(), facts.batchDigest(c.digest()));
        } else if (m instanceof Status s) {
            return new Status(s.name(), s.viewNo(), s.primary(), s.lastOrderedPpSeqNo(), s.ledgerSize(),
                    facts.ledgerRoot(s.ledgerRoot(), s.ledgerSize()), s.connected(), s.rejected()); // node names and "clients"
        } else if (m instanceof Checkpoint c) {
            return new Checkpoint(c.seqNoEnd(), c.ledgerSize(), facts.ledgerRoot(c.ledgerRoot(), c.ledgerSize()));
        } else if (m instanceof ViewChange vc) {
            return viewChange(vc);
        } else if (m instanceof NewView nv) {
            List<ViewChange> vcs = new ArrayList<>(nv.viewChanges().size());
            for (ViewChange vc : nv.viewChanges()) {
                vcs.add(viewChange(vc));
            }
            return new NewView(nv.viewNo(), nv.checkpoint(), prePrepares(nv.batches()), vcs);
        } else if (m instanceof LedgerStatus ls) {
            return new LedgerStatus(ls.size(), facts.ledgerRoot(ls.root(), ls.size()), ls.targetSize());
        } else if (m instanceof ConsistencyProof cp) {
            return new ConsistencyProof(cp.viewNo(), cp.ppSeqNo(), cp.ppTime(), cp.oldSize(), cp.newSize(),
                    facts.ledgerRoot(cp.newRoot(), cp.newSize()), facts.consistencyProof(cp.oldSize(), cp.newSize(), cp.hashes()));
        } else if (m instanceof CatchupRep r) {
            return catchupRep(r);
        } else if (m instanceof MessageRequest mr) {
            List<String> digests = new ArrayList<>(mr.digests().size());
            for (String d : mr.digests()) {
                digests.add(facts.digest(d));
            }
            return new MessageRequest(mr.type(), digests);
        } else if (m instanceof GetStatus || m instanceof InstanceChange || m instanceof CatchupReq) {
            return m; // no customer data, nothing derived from it
        }
        throw new PoolFacts.Unmapped("a message of type " + m.getClass().getSimpleName() + " this version cannot sanitize");
    }

    private ViewChange viewChange(ViewChange vc) throws PoolFacts.Unmapped {
        List<BatchId> preprepared = null;
        if (vc.preprepared() != null) {
            preprepared = new ArrayList<>(vc.preprepared().size());
            for (BatchId id : vc.preprepared()) {
                preprepared.add(new BatchId(id.viewNo(), id.ppSeqNo(), facts.preprepareDigest(id.digest())));
            }
        }
        // Checkpoints are pp_seq_nos: nothing to hide.
        return p.viewChange(vc, new ViewChange(vc.viewNo(), vc.node(), vc.stableCheckpoint(), prePrepares(vc.prepared()),
                vc.checkpoints(), preprepared, null));
    }

    private List<PrePrepare> prePrepares(List<PrePrepare> pps) throws PoolFacts.Unmapped {
        List<PrePrepare> out = new ArrayList<>(pps.size());
        for (PrePrepare pp : pps) {
            out.add(facts.prePrepare(pp));
        }
        return out;
    }

    private CatchupRep catchupRep(CatchupRep r) throws PoolFacts.Unmapped {
        List<String> txns = new ArrayList<>(r.txns().size());
        for (String txn : r.txns()) {
            txns.add(new String(facts.sanitizeTxn(txn.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
        }
        long to = r.from() + r.txns().size() - 1;
        return new CatchupRep(r.from(), r.targetSize(), txns, facts.consistencyProof(to, r.targetSize(), r.hashes()));
    }

    /** The core's reasons name no customer data, except an unknown operation type. */
    private String rejectReason(String reason) {
        String prefix = "unknown operation type ";
        if (reason != null && reason.startsWith(prefix)) {
            int end = reason.indexOf(';');
            String type = end < 0 ? reason.substring(prefix.length()) : reason.substring(prefix.length(), end);
            return prefix + p.text(Pseudonyms.TYPE, type) + (end < 0 ? "" : reason.substring(end));
        }
        return reason;
    }
}
