package io.stackcompanion.node.timeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.config.ConfigException;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Prepare;
import io.stackcompanion.node.message.Propagate;
import io.stackcompanion.node.message.Reject;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.ReqAck;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.recording.CombinedRecorder;
import io.stackcompanion.node.recording.MergedEvent;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.node.recording.RecorderFolders;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.JsonLinesExporter;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.RecordingException;
import io.stackcompanion.recorder.RecordingReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every event of a pool's recordings, read once into compact columns (one row per event, lanes in
 * the pool genesis order, each lane in its node's merged order): what the timeline draws and what
 * {@link MessageMatcher} matches. Payloads are interned by their SHA-256, so a message and its
 * copies on the other nodes share one id (and, for the timeline, one decoded text).
 *
 * <p>Each event also carries tags that let a reader follow a client request: the request's digest
 * (its name in batches) on its REQUEST, PROPAGATEs, REQACK, REPLY or REJECT and on the PRE-PREPAREs
 * that batch it, and the batch ({@code viewNo:ppSeqNo}) on PRE-PREPARE, PREPARE and COMMIT.
 */
public final class PoolEvents {
    private final List<String> lanes;
    private final List<String> genesisOrder;
    final Ints lane = new Ints();
    final Longs index = new Longs();
    final Ints stack = new Ints();
    final Longs time = new Longs();
    final Longs seq = new Longs();
    final Ints kind = new Ints();
    final Ints peers = new Ints();
    final Ints bytes = new Ints();
    final Ints payload = new Ints();
    final Ints op = new Ints();
    /** The view a message names (NEW_VIEW, VIEW_CHANGE, PRE-PREPARE, PREPARE, COMMIT, a STOPPED's status), or -1. */
    final Ints view = new Ints();
    final int[] laneStart;
    final int[] laneEnd;
    final Interner<List<String>> peerLists = new Interner<>();
    final Interner<String> ops = new Interner<>();
    final Interner<String> tagNames = new Interner<>();
    /** The decoded payload texts by payload id, when kept (for the timeline); null otherwise. */
    final List<String> payloadTexts;
    private final Map<ByteBuffer, Integer> payloadIds = new HashMap<>();
    /** Tags per event, CSR: event i's tags are tags[tagOff[i]..tagOff[i+1]). */
    final Ints tagOff = new Ints();
    final Ints tags = new Ints();
    /** Per request tag, the batch tags of the PRE-PREPAREs that carry it. */
    final Map<Integer, List<Integer>> requestBatches = new TreeMap<>();
    final Map<Integer, String> tagLabels = new HashMap<>();

    private PoolEvents(List<String> lanes, List<String> genesisOrder, boolean keepTexts) {
        this.lanes = lanes;
        this.genesisOrder = genesisOrder;
        this.laneStart = new int[lanes.size()];
        this.laneEnd = new int[lanes.size()];
        this.payloadTexts = keepTexts ? new ArrayList<>() : null;
        ops.id("");
    }

    /**
     * Reads every node recording under {@code dir} (a pool's base dir or an unpacked archive).
     *
     * @param keepTexts whether to keep each distinct payload decoded as {@code export} prints it
     * @throws RecordingException when there is no node recording, or one lacks a stack
     */
    public static PoolEvents read(Path dir, boolean keepTexts) throws IOException {
        List<Path> recorders = RecorderFolders.find(dir);
        Map<String, Path> byNode = new TreeMap<>();
        List<String> genesis = List.of();
        for (Path recorder : recorders) {
            Path nodeStack = recorder.resolve(NodeRecording.NODE_STACK);
            Path clientStack = recorder.resolve(NodeRecording.CLIENT_STACK);
            if (!Files.isDirectory(nodeStack) || !Files.isDirectory(clientStack)) {
                throw new RecordingException(recorder + " lacks its " + (Files.isDirectory(nodeStack) ? "client" : "node")
                        + " stack's recording; 'recording.sh verify " + recorder + "' says more");
            }
            try (RecordingReader r = RecordingReader.open(nodeStack)) {
                Path previous = byNode.put(r.metadata().nodeName(), recorder);
                if (previous != null) {
                    throw new RecordingException("two recordings of " + r.metadata().nodeName() + " under " + dir + ": " + previous
                            + " and " + recorder + "; point at one pool");
                }
            }
            Path genesisFile = recorder.resolve(PoolGenesis.FILE_NAME);
            if (genesis.isEmpty() && Files.isRegularFile(genesisFile)) {
                try {
                    genesis = PoolGenesis.read(genesisFile).names();
                } catch (ConfigException e) {
                    genesis = List.of(); // the lanes then go in name order; verify names the damage
                }
            }
        }
        if (byNode.isEmpty()) {
            throw new RecordingException("no recording under " + dir + "; a recording node keeps them in data/<node>/recorder/"
                    + " (run the node with STACK_COMPANION=1)");
        }
        List<String> order = new ArrayList<>();
        genesis.stream().filter(byNode::containsKey).forEach(order::add);
        byNode.keySet().stream().filter(n -> !order.contains(n)).forEach(order::add);
        PoolEvents pool = new PoolEvents(List.copyOf(order), genesis, keepTexts);
        for (int l = 0; l < order.size(); l++) {
            pool.readLane(l, byNode.get(order.get(l)));
        }
        pool.tagOff.add(pool.tags.size());
        pool.resolveRequestKeys();
        return pool;
    }

    /** The recorded nodes, one lane each, in the pool genesis order. */
    public List<String> lanes() {
        return lanes;
    }

    /** The pool genesis's node order (round-robin primaries), empty when no genesis was readable. */
    public List<String> genesisOrder() {
        return genesisOrder;
    }

    /** How many events all lanes hold. */
    public int size() {
        return lane.size();
    }

    /** The lane of {@code node}, or -1 when it has no recording here. */
    public int laneOf(String node) {
        return lanes.indexOf(node);
    }

    public String kindName(int event) {
        return EventKind.values()[kind.get(event)].name();
    }

    public EventKind kindOf(int event) {
        return EventKind.values()[kind.get(event)];
    }

    public String opName(int event) {
        return ops.value(op.get(event));
    }

    public List<String> peersOf(int event) {
        return peerLists.value(peers.get(event));
    }

    public boolean isNodeStack(int event) {
        return stack.get(event) == StackName.NODE.ordinal();
    }

    public long timeNanos(int event) {
        return time.get(event);
    }

    public long seqOf(int event) {
        return seq.get(event);
    }

    public long indexOf(int event) {
        return index.get(event);
    }

    /** A recording time (nanoseconds since the epoch) as an instant, as export prints it. */
    public static java.time.Instant instant(long timeNanos) {
        return new io.stackcompanion.recorder.EventKey(timeNanos, 0).instant();
    }

    public String nodeOf(int event) {
        return lanes.get(lane.get(event));
    }

    private void readLane(int l, Path recorder) {
        laneStart[l] = size();
        // request keys of REPLY/REQACK/REJECT, resolved to the request's digest once every lane is read
        try (RecordingReader node = RecordingReader.open(recorder.resolve(NodeRecording.NODE_STACK));
             RecordingReader client = RecordingReader.open(recorder.resolve(NodeRecording.CLIENT_STACK));
             CombinedRecorder merged = new CombinedRecorder(node, client)) {
            while (merged.hasNext()) {
                add(l, merged.next());
            }
        }
        laneEnd[l] = size();
    }

    private final Map<String, String> digestOfRequestKey = new HashMap<>();
    private final Map<Integer, String> pendingRequestKeys = new HashMap<>();

    private void add(int l, MergedEvent m) {
        RecordedEvent e = m.event();
        int row = size();
        lane.add(l);
        index.add(m.index());
        stack.add(m.stack().ordinal());
        time.add(e.timeNanos());
        seq.add(e.seq());
        kind.add(e.kind().ordinal());
        peers.add(peerLists.id(e.peers()));
        bytes.add(e.payload().length);
        payload.add(payloadId(e.payload()));
        tagOff.add(tags.size());
        String opName = "";
        int viewNo = -1;
        if (e.kind() == EventKind.INCOMING || e.kind() == EventKind.OUTGOING || e.kind() == EventKind.STOPPED) {
            Message msg = null;
            try {
                msg = Codec.decode(e.payload());
            } catch (MalformedMessageException ex) {
                // drawn as it is; a malformed message has no type and no tags
            }
            if (msg != null) {
                opName = opNames.computeIfAbsent(msg.getClass(), c -> opOf(e.payload()));
                tag(row, msg);
                viewNo = viewOf(msg);
            }
        }
        op.add(ops.id(opName));
        view.add(viewNo);
    }

    private final Map<Class<?>, String> opNames = new HashMap<>();

    private static String opOf(byte[] payload) {
        try {
            var node = Codec.tree(payload).path("op");
            return node.isTextual() ? node.asText() : "";
        } catch (RuntimeException ex) {
            return "";
        }
    }

    private void tag(int row, Message msg) {
        if (msg instanceof Request r) {
            tagRequest(r);
        } else if (msg instanceof Propagate p) {
            p.requests().forEach(this::tagRequest);
        } else if (msg instanceof PrePrepare pp) {
            int batch = batchTag(pp.viewNo(), pp.ppSeqNo());
            tags.add(batch);
            for (String d : pp.reqDigests()) {
                int req = requestTag(d);
                tags.add(req);
                List<Integer> bs = requestBatches.computeIfAbsent(req, k -> new ArrayList<>());
                if (!bs.contains(batch)) {
                    bs.add(batch);
                }
            }
        } else if (msg instanceof Prepare p) {
            tags.add(batchTag(p.viewNo(), p.ppSeqNo()));
        } else if (msg instanceof Commit c) {
            tags.add(batchTag(c.viewNo(), c.ppSeqNo()));
        } else if (msg instanceof Reply r) {
            tagRequestKey(r.identifier(), r.reqId());
        } else if (msg instanceof ReqAck r) {
            tagRequestKey(r.identifier(), r.reqId());
        } else if (msg instanceof Reject r) {
            tagRequestKey(r.identifier(), r.reqId());
        }
    }

    private static int viewOf(Message msg) {
        if (msg instanceof io.stackcompanion.node.message.NewView m) {
            return m.viewNo();
        } else if (msg instanceof io.stackcompanion.node.message.ViewChange m) {
            return m.viewNo();
        } else if (msg instanceof PrePrepare m) {
            return m.viewNo();
        } else if (msg instanceof Prepare m) {
            return m.viewNo();
        } else if (msg instanceof Commit m) {
            return m.viewNo();
        } else if (msg instanceof io.stackcompanion.node.message.Status m) {
            return m.viewNo();
        }
        return -1;
    }

    private void tagRequest(Request r) {
        String digest = Codec.digest(r);
        digestOfRequestKey.putIfAbsent(r.identifier() + ":" + r.reqId(), digest);
        int tag = requestTag(digest);
        tagLabels.putIfAbsent(tag, "request " + digest.substring(0, 12) + " (reqId " + r.reqId() + ", "
                + (r.operation() == null ? "?" : r.operation().type() + " " + r.operation().key()) + ")");
        tags.add(tag);
    }

    private void tagRequestKey(String identifier, long reqId) {
        String key = identifier + ":" + reqId;
        String digest = digestOfRequestKey.get(key);
        if (digest != null) {
            tags.add(requestTag(digest));
        } else {
            int placeholder = tagNames.id("?" + key);
            pendingRequestKeys.put(placeholder, key);
            tags.add(placeholder);
        }
    }

    /** Replies whose request this node never saw as REQUEST or PROPAGATE take the digest another node saw. */
    private void resolveRequestKeys() {
        if (pendingRequestKeys.isEmpty()) {
            return;
        }
        for (int i = 0; i < tags.size(); i++) {
            String key = pendingRequestKeys.get(tags.get(i));
            if (key != null && digestOfRequestKey.containsKey(key)) {
                tags.set(i, requestTag(digestOfRequestKey.get(key)));
            }
        }
    }

    private int requestTag(String digest) {
        return tagNames.id("r:" + digest);
    }

    private int batchTag(int viewNo, long ppSeqNo) {
        int tag = tagNames.id("b:" + viewNo + ":" + ppSeqNo);
        tagLabels.putIfAbsent(tag, "batch " + viewNo + ":" + ppSeqNo);
        return tag;
    }

    /** The tags of event {@code i}. */
    int[] tagsOf(int i) {
        return Arrays.copyOfRange(tags.array(), tagOff.get(i), tagOff.get(i + 1));
    }

    private int payloadId(byte[] p) {
        ByteBuffer d = sha256(p);
        Integer id = payloadIds.get(d);
        if (id == null) {
            id = payloadIds.size();
            payloadIds.put(d, id);
            if (payloadTexts != null) {
                payloadTexts.add(decoded(p));
            }
        }
        return id;
    }

    /** A payload as {@code recording.sh export} prints it. */
    private static String decoded(byte[] p) {
        try {
            JsonNode readable;
            try {
                readable = Codec.readable(p); // a binary message as its JSON, as export shows it
            } catch (IllegalArgumentException e) {
                readable = JsonLinesExporter.DEFAULT_PAYLOAD_DECODER.apply(p); // malformed: base64, as export shows it
            }
            return Codec.mapper().writeValueAsString(readable);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a payload as JSON", e);
        }
    }

    /** A SHA-256 of payload bytes (compared by content), the matching key's content part. */
    private static ByteBuffer sha256(byte[] bytes) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Values to small ids, in order of first appearance. */
    static final class Interner<T> {
        private final Map<T, Integer> ids = new LinkedHashMap<>();
        private final List<T> values = new ArrayList<>();

        int id(T value) {
            Integer id = ids.get(value);
            if (id == null) {
                id = values.size();
                ids.put(value, id);
                values.add(value);
            }
            return id;
        }

        T value(int id) {
            return values.get(id);
        }

        List<T> values() {
            return values;
        }
    }

    /** A growable int column. */
    static final class Ints {
        private int[] a = new int[1024];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int get(int i) {
            return a[i];
        }

        void set(int i, int v) {
            a[i] = v;
        }

        int size() {
            return n;
        }

        int[] array() {
            return a;
        }
    }

    /** A growable long column. */
    static final class Longs {
        private long[] a = new long[1024];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        long get(int i) {
            return a[i];
        }

        int size() {
            return n;
        }
    }
}
