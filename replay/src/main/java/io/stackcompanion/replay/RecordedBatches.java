package io.stackcompanion.replay;

import io.stackcompanion.node.core.PrePrepareSchedule;
import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.NewView;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.ViewChange;
import io.stackcompanion.recorder.EventCursor;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.RecordingReader;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PRE-PREPAREs the recorded node sent, read before the replay starts, one schedule per run of the
 * node (between a start and the next stop), so a replayed primary cuts exactly those batches; and the
 * signatures of the VIEW_CHANGEs it sent, so the replayed node, which has no secret key, signs what the
 * recorded one signed with the same signature (Ed25519 is deterministic).
 */
final class RecordedBatches {
    private final List<Map<String, PrePrepareSchedule.ForcedBatch>> runs;
    /** Hex SHA-256 of the signed bytes to the signature. */
    private final Map<String, byte[]> signatures;
    private final boolean unsignedViewChanges;
    private final boolean viewChangesWithoutEvidence;

    private RecordedBatches(List<Map<String, PrePrepareSchedule.ForcedBatch>> runs, Map<String, byte[]> signatures,
                            boolean unsignedViewChanges, boolean viewChangesWithoutEvidence) {
        this.runs = runs;
        this.signatures = signatures;
        this.unsignedViewChanges = unsignedViewChanges;
        this.viewChangesWithoutEvidence = viewChangesWithoutEvidence;
    }

    /**
     * The recording was made before VIEW_CHANGEs carried checkpoints and pre-prepared batches: the
     * recorded node sent one without them (alone or in a NEW_VIEW), or, if it sent none, received one.
     * The replayed node must then make its VIEW_CHANGEs and compute NEW_VIEWs as the recorded one did.
     * (What the node sent decides when it sent any: a Byzantine peer's VIEW_CHANGE without them, which
     * the recorded node refused, does not make the replay take the rule of before.)
     */
    boolean viewChangesWithoutEvidence() {
        return viewChangesWithoutEvidence;
    }

    /**
     * The recording was made before VIEW_CHANGEs were signed and NEW_VIEWs carried them (it holds an
     * unsigned one, sent or received): the replayed node must make and take view changes that way.
     */
    boolean unsignedViewChanges() {
        return unsignedViewChanges;
    }

    /** Scans the node-stack recording once. */
    static RecordedBatches read(RecordingReader nodeStack) {
        List<Map<String, PrePrepareSchedule.ForcedBatch>> runs = new ArrayList<>();
        Map<String, PrePrepareSchedule.ForcedBatch> current = null;
        Map<String, byte[]> signatures = new HashMap<>();
        boolean unsigned = false;
        boolean receivedWithoutEvidence = false;
        boolean sentViewChange = false;
        boolean sentWithoutEvidence = false;
        try (EventCursor c = nodeStack.iterator()) {
            while (c.hasNext()) {
                RecordedEvent e = c.next();
                if (e.kind() == EventKind.STARTED) {
                    current = new HashMap<>();
                    runs.add(current);
                } else if (e.kind() == EventKind.INCOMING && !(unsigned && receivedWithoutEvidence) && isViewChange(e.payload())) {
                    try {
                        Message m = Codec.decode(e.payload());
                        unsigned |= isUnsigned(m);
                        receivedWithoutEvidence |= isWithoutEvidence(m);
                    } catch (MalformedMessageException ex) {
                        // the replay reports it when it gets there
                    }
                } else if (e.kind() == EventKind.OUTGOING && current != null) {
                    Message m;
                    try {
                        m = Codec.decode(e.payload());
                    } catch (MalformedMessageException ex) {
                        continue; // the replay reports it when it gets there
                    }
                    if (m instanceof PrePrepare pp) {
                        current.putIfAbsent(key(pp.viewNo(), pp.ppSeqNo()),
                                new PrePrepareSchedule.ForcedBatch(pp.reqDigests(), pp.ppTime(), e.timeNanos()));
                    } else if (m instanceof ViewChange vc) {
                        keepSignature(signatures, vc);
                    } else if (m instanceof NewView nv) {
                        nv.viewChanges().forEach(vc -> keepSignature(signatures, vc));
                    }
                    unsigned |= isUnsigned(m);
                    if (m instanceof ViewChange || m instanceof NewView) {
                        sentViewChange = true;
                        sentWithoutEvidence |= isWithoutEvidence(m);
                    }
                }
            }
        }
        return new RecordedBatches(runs, signatures, unsigned, sentViewChange ? sentWithoutEvidence : receivedWithoutEvidence);
    }

    private static final byte[] VIEW_CHANGE = "{\"op\":\"VIEW_CHANGE\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final byte[] NEW_VIEW = "{\"op\":\"NEW_VIEW\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** Cheaply, without decoding: a VIEW_CHANGE or NEW_VIEW (the kind is the first field). */
    private static boolean isViewChange(byte[] payload) {
        return startsWith(payload, VIEW_CHANGE) || startsWith(payload, NEW_VIEW);
    }

    private static boolean startsWith(byte[] payload, byte[] prefix) {
        return payload.length >= prefix.length && java.util.Arrays.equals(payload, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static boolean isUnsigned(Message m) {
        return (m instanceof ViewChange vc && vc.signature() == null) || (m instanceof NewView nv && nv.viewChanges().isEmpty());
    }

    private static boolean isWithoutEvidence(Message m) {
        return (m instanceof ViewChange vc && !vc.hasEvidence())
                || (m instanceof NewView nv && nv.viewChanges().stream().anyMatch(vc -> !vc.hasEvidence()));
    }

    private static void keepSignature(Map<String, byte[]> signatures, ViewChange vc) {
        if (vc.signature() == null) {
            return; // recorded before VIEW_CHANGEs were signed
        }
        try {
            signatures.putIfAbsent(Hashes.sha256Hex(Codec.signingBytes(vc)), Base64.getDecoder().decode(vc.signature()));
        } catch (IllegalArgumentException e) {
            // not base64: nothing the replayed node could have made
        }
    }

    /**
     * Signs as the recorded node did: the recorded signature of the same bytes, or, for bytes it never
     * signed (the replayed node sends what the recorded one did not: the replay diverges there anyway),
     * a signature of zeros that verifies for no one.
     */
    NodeSigner signer() {
        return data -> {
            byte[] recorded = signatures.get(Hashes.sha256Hex(data));
            return recorded != null ? recorded.clone() : new byte[64];
        };
    }

    /** The schedule of run {@code run} (0-based: the how-manyth STARTED). */
    PrePrepareSchedule forRun(int run) {
        Map<String, PrePrepareSchedule.ForcedBatch> batches = run < runs.size() ? runs.get(run) : Map.of();
        return new PrePrepareSchedule() {
            @Override
            public boolean isForced() {
                return true;
            }

            @Override
            public Optional<ForcedBatch> forced(int viewNo, long ppSeqNo) {
                return Optional.ofNullable(batches.get(key(viewNo, ppSeqNo)));
            }
        };
    }

    int count() {
        return runs.stream().mapToInt(Map::size).sum();
    }

    private static String key(int viewNo, long ppSeqNo) {
        return viewNo + ":" + ppSeqNo;
    }
}
