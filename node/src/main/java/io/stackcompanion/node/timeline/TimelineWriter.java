package io.stackcompanion.node.timeline;

import com.fasterxml.jackson.core.JsonGenerator;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.recorder.EventKind;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a pool's timeline as one self-contained HTML page: the page's own script and style
 * ({@code timeline.html} beside this class) and the data, gzip-compressed and base64-encoded, that
 * the page inflates with the browser's own {@code DecompressionStream}. Nothing is fetched when the
 * page opens (its Content-Security-Policy forbids it).
 *
 * <p>The data is columnar, one array per field, deltas where values climb (time, index, sequence),
 * so it compresses well; each distinct payload's decoded JSON is kept once, in a second blob that is
 * only inflated when an event is first opened.
 */
public final class TimelineWriter {
    private static final String TEMPLATE = "timeline.html";
    private static final String DATA_MARK = "\"@DATA@\"";
    private static final String PAYLOADS_MARK = "\"@PAYLOADS@\"";

    /** What to draw: the lanes chosen (empty: all) and the time window (inclusive, nanoseconds since the epoch). */
    public record Selection(List<String> nodes, long fromNanos, long toNanos) {
        public static Selection all() {
            return new Selection(List.of(), Long.MIN_VALUE, Long.MAX_VALUE);
        }
    }

    /**
     * A replay to show beside its recording: the replayed node's lane under the recorded one. The
     * replay compares every message the replayed node sends with the recorded one, in order, so up to
     * the first divergence its messages are the recorded node's OUTGOING events; from there the
     * verdict says what differs.
     *
     * @param node       the replayed node
     * @param upTo       the replayed lane holds the recorded messages before this event index
     *                   (the first divergence, or the --until-event stop; the recording's length on a match)
     * @param verdict    the replay's verdict as JSON ({@code replay.sh --json}'s last line)
     */
    public record Replay(String node, long upTo, com.fasterxml.jackson.databind.JsonNode verdict) {
    }

    /** What was written: events and arrows drawn, file size. */
    public record Written(Path file, int lanes, int events, int arrows, long bytes) {
    }

    private TimelineWriter() {
    }

    /** Writes the page to {@code out} (through a temporary file beside it: {@code out} is whole or absent). */
    public static Written write(PoolEvents pool, MessageMatcher.Result matched, Selection sel, String title, Path out) throws IOException {
        return write(pool, matched, sel, null, title, out);
    }

    /** Writes a replay's page: the recorded node's lane, the replayed node's under it, and the verdict. */
    public static Written write(PoolEvents pool, MessageMatcher.Result matched, Selection sel, Replay replay, String title, Path out)
            throws IOException {
        if (replay != null) {
            sel = new Selection(List.of(replay.node()), sel.fromNanos(), sel.toNanos());
        }
        List<Integer> laneIds = new ArrayList<>();
        for (int l = 0; l < pool.lanes().size(); l++) {
            if (sel.nodes().isEmpty() || sel.nodes().contains(pool.lanes().get(l))) {
                laneIds.add(l);
            }
        }
        int[] newLane = new int[pool.lanes().size()];
        java.util.Arrays.fill(newLane, -1);
        for (int i = 0; i < laneIds.size(); i++) {
            newLane[laneIds.get(i)] = i;
        }
        // rows shown, and the old row -> new row map for arrows
        int[] row = new int[pool.size()];
        java.util.Arrays.fill(row, -1);
        List<Integer> shown = new ArrayList<>();
        for (int l : laneIds) {
            for (int i = pool.laneStart[l]; i < pool.laneEnd[l]; i++) {
                long t = pool.timeNanos(i);
                if (t >= sel.fromNanos() && t <= sel.toNanos()) {
                    row[i] = shown.size();
                    shown.add(i);
                }
            }
        }
        List<Integer> shownLane = new ArrayList<>();
        for (int i : shown) {
            shownLane.add(newLane[pool.lane.get(i)]);
        }
        List<String> laneNames = new ArrayList<>(laneIds.stream().map(l -> pool.lanes().get(l)).toList());
        List<String> laneNodes = new ArrayList<>(laneNames);
        if (replay != null && !laneIds.isEmpty()) {
            int l = laneIds.get(0);
            laneNames.set(0, replay.node() + " (recorded)");
            laneNames.add(replay.node() + " (replayed)");
            laneNodes.add(replay.node());
            for (int i = pool.laneStart[l]; i < pool.laneEnd[l]; i++) {
                long t = pool.timeNanos(i);
                if (pool.kindOf(i) == EventKind.OUTGOING && pool.indexOf(i) < replay.upTo() && t >= sel.fromNanos() && t <= sel.toNanos()) {
                    shown.add(i);
                    shownLane.add(1);
                }
            }
        }
        long t0 = shown.isEmpty() ? 0 : shown.stream().mapToLong(pool::timeNanos).min().getAsLong();
        if (sel.fromNanos() != Long.MIN_VALUE) {
            t0 = sel.fromNanos();
        }
        // payloads re-numbered to those shown, so a window carries only its own texts
        Map<Integer, Integer> payloadIds = new HashMap<>();
        List<String> texts = new ArrayList<>();
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        Map<String, double[]> doubles = new LinkedHashMap<>();
        Map<String, int[]> ints = new LinkedHashMap<>();
        int arrows = 0;
        try (JsonGenerator g = Codec.mapper().getFactory().createGenerator(header)) {
            g.writeStartObject();
            g.writeStringField("title", title);
            g.writeStringField("t0", Long.toString(t0));
            g.writeStringField("from", sel.fromNanos() == Long.MIN_VALUE ? null : PoolEvents.instant(sel.fromNanos()).toString());
            g.writeStringField("to", sel.toNanos() == Long.MAX_VALUE ? null : PoolEvents.instant(sel.toNanos()).toString());
            stringArray(g, "lanes", laneNames);
            stringArray(g, "laneNodes", laneNodes);
            if (replay != null) {
                g.writeFieldName("replay");
                g.writeTree(replay.verdict());
            }
            stringArray(g, "genesis", pool.genesisOrder());
            stringArray(g, "kinds", java.util.Arrays.stream(EventKind.values()).map(Enum::name).toList());
            stringArray(g, "ops", pool.ops.values());
            g.writeArrayFieldStart("peerLists");
            for (List<String> p : pool.peerLists.values()) {
                g.writeStartArray();
                for (String s : p) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("tagLabels");
            for (int t = 0; t < pool.tagNames.values().size(); t++) {
                String name = pool.tagNames.value(t);
                g.writeString(pool.tagLabels.getOrDefault(t, name.startsWith("r:") ? "request " + name.substring(2, Math.min(name.length(), 14)) : name));
            }
            g.writeEndArray();
            // the columns, binary after the header: one value per event shown (deltas where values climb)
            int n = shown.size();
            int[] lane = new int[n];
            double[] idx = new double[n];
            double[] dt = new double[n];
            double[] seqs = new double[n];
            int[] stk = new int[n];
            int[] kind = new int[n];
            int[] peers = new int[n];
            int[] bytes = new int[n];
            int[] op = new int[n];
            int[] pl = new int[n];
            int[] tagOff = new int[n + 1];
            int tagCount = 0;
            for (int r = 0; r < n; r++) {
                int i = shown.get(r);
                lane[r] = shownLane.get(r);
                idx[r] = pool.index.get(i) - (r == 0 ? 0 : pool.index.get(shown.get(r - 1)));
                dt[r] = (pool.timeNanos(i) - t0) - (r == 0 ? 0 : pool.timeNanos(shown.get(r - 1)) - t0);
                seqs[r] = pool.seq.get(i) - (r == 0 ? 0 : pool.seq.get(shown.get(r - 1)));
                stk[r] = pool.stack.get(i);
                kind[r] = pool.kind.get(i);
                peers[r] = pool.peers.get(i);
                bytes[r] = pool.bytes.get(i);
                op[r] = pool.op.get(i);
                pl[r] = payloadIds.computeIfAbsent(pool.payload.get(i), k -> {
                    texts.add(pool.payloadTexts.get(k));
                    return texts.size() - 1;
                });
                tagCount += pool.tagOff.get(i + 1) - pool.tagOff.get(i);
                tagOff[r + 1] = tagCount;
            }
            int[] tags = new int[tagCount];
            int at = 0;
            for (int i : shown) {
                for (int t : pool.tagsOf(i)) {
                    tags[at++] = t;
                }
            }
            // arrows: matched messages with both ends drawn, as row pairs
            List<Integer> pairs = new ArrayList<>();
            for (int k = 0; k < matched.matched(); k++) {
                int a = row[matched.sends()[k]];
                int b = row[matched.receipts()[k]];
                if (a >= 0 && b >= 0) {
                    pairs.add(a);
                    pairs.add(b);
                    arrows++;
                }
            }
            doubles.put("idx", idx);
            doubles.put("dt", dt);
            doubles.put("seq", seqs);
            ints.put("lane", lane);
            ints.put("stk", stk);
            ints.put("kind", kind);
            ints.put("peers", peers);
            ints.put("bytes", bytes);
            ints.put("op", op);
            ints.put("pl", pl);
            ints.put("tagOff", tagOff);
            ints.put("tags", tags);
            ints.put("arrows", pairs.stream().mapToInt(Integer::intValue).toArray());
            g.writeObjectFieldStart("reqBatches");
            for (var e : pool.requestBatches.entrySet()) {
                g.writeArrayFieldStart(Integer.toString(e.getKey()));
                for (int b : e.getValue()) {
                    g.writeNumber(b);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeNumberField("matchedInPool", matched.matched());
            g.writeArrayFieldStart("bands");
            for (int l : laneIds) {
                for (long[] band : bands(pool, l)) {
                    long s = Math.max(band[0], sel.fromNanos());
                    long e = Math.min(band[1], sel.toNanos());
                    if (s <= e) {
                        g.writeStartArray();
                        g.writeNumber(newLane[l]);
                        g.writeNumber(s - t0);
                        g.writeNumber(e - t0);
                        g.writeNumber(band[2]);
                        g.writeNumber(band[3]);
                        g.writeEndArray();
                    }
                }
            }
            g.writeEndArray();
            g.writeArrayFieldStart("gaps");
            for (MessageMatcher.Unmatched u : matched.gapsNotReceived()) {
                if (row[u.event()] >= 0) {
                    g.writeStartArray();
                    g.writeNumber(row[u.event()]);
                    g.writeString(u.otherNode());
                    g.writeEndArray();
                }
            }
            g.writeEndArray();
            // where each column lies after the header (8-aligned): float64 ones first, then int32 ones
            g.writeArrayFieldStart("columns");
            long offset = 0;
            for (var e : doubles.entrySet()) {
                g.writeStartArray();
                g.writeString(e.getKey());
                g.writeString("f64");
                g.writeNumber(offset);
                g.writeNumber(e.getValue().length);
                g.writeEndArray();
                offset += 8L * e.getValue().length;
            }
            for (var e : ints.entrySet()) {
                g.writeStartArray();
                g.writeString(e.getKey());
                g.writeString("i32");
                g.writeNumber(offset);
                g.writeNumber(e.getValue().length);
                g.writeEndArray();
                offset += 4L * e.getValue().length;
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(data, 1 << 16)) {
            writeData(gz, header.toByteArray(), doubles, ints);
        }
        ByteArrayOutputStream payloads = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(payloads, 1 << 16)) {
            // one JSON array of the payloads' decoded texts, each text itself JSON (kept as written, big numbers intact)
            gz.write('[');
            for (int i = 0; i < texts.size(); i++) {
                if (i > 0) {
                    gz.write(',');
                }
                gz.write(Codec.mapper().writeValueAsBytes(texts.get(i)));
            }
            gz.write(']');
        }
        String page = template()
                .replace(DATA_MARK, "\"" + Base64.getEncoder().encodeToString(data.toByteArray()) + "\"")
                .replace(PAYLOADS_MARK, "\"" + Base64.getEncoder().encodeToString(payloads.toByteArray()) + "\"");
        Path abs = out.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".partial");
        try {
            try (OutputStream o = Files.newOutputStream(tmp)) {
                o.write(page.getBytes(StandardCharsets.UTF_8));
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new Written(abs, laneNames.size(), shown.size(), arrows, Files.size(abs));
    }

    /**
     * A lane's bands: {start, end, view, kind} with kind 0 a view the node was in (its primary is
     * round-robin over the genesis order) and 1 the node down (from its last event before an
     * UNCLEAN_STOP, or its STOPPED, to its next STARTED).
     */
    static List<long[]> bands(PoolEvents pool, int l) {
        List<long[]> out = new ArrayList<>();
        long start = -1;
        int view = 0;
        long last = -1;
        for (int i = pool.laneStart[l]; i < pool.laneEnd[l]; i++) {
            long t = pool.timeNanos(i);
            EventKind k = pool.kindOf(i);
            if (k == EventKind.STARTED) {
                if (start < 0) {
                    start = t;
                }
            } else if (k == EventKind.UNCLEAN_STOP || k == EventKind.STOPPED) {
                long end = k == EventKind.UNCLEAN_STOP && last >= 0 ? last : t;
                if (start >= 0) {
                    out.add(new long[] {start, end, view, 0});
                }
                start = -1;
                int next = nextStart(pool, l, i);
                if (next >= 0) {
                    out.add(new long[] {end, pool.timeNanos(next), view, 1});
                }
            } else if (start >= 0 && pool.view.get(i) > view
                    && (k == EventKind.OUTGOING || pool.opName(i).equals("NEW_VIEW"))) {
                out.add(new long[] {start, t, view, 0});
                view = pool.view.get(i);
                start = t;
            }
            last = t;
        }
        if (start >= 0) {
            out.add(new long[] {start, last, view, 0});
        }
        return out;
    }

    private static int nextStart(PoolEvents pool, int l, int from) {
        for (int i = from + 1; i < pool.laneEnd[l]; i++) {
            if (pool.kindOf(i) == EventKind.STARTED) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The page's data: a little-endian uint32, the header's length; the header (JSON); zeros up to
     * a multiple of 8; then the columns as the header lists them, little-endian, so the page reads
     * them as typed arrays without parsing (a million events stay a few MB to inflate).
     */
    private static void writeData(OutputStream out, byte[] header, Map<String, double[]> doubles, Map<String, int[]> ints) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(header.length);
        out.write(head.array());
        out.write(header);
        int pad = (int) ((8 - (4 + header.length) % 8) % 8);
        out.write(new byte[pad]);
        for (double[] col : doubles.values()) {
            ByteBuffer b = ByteBuffer.allocate(8 * col.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asDoubleBuffer().put(col);
            out.write(b.array());
        }
        for (int[] col : ints.values()) {
            ByteBuffer b = ByteBuffer.allocate(4 * col.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(col);
            out.write(b.array());
        }
    }

    private static void stringArray(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String s : values) {
            g.writeString(s);
        }
        g.writeEndArray();
    }

    private static String template() {
        try (InputStream in = TimelineWriter.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
