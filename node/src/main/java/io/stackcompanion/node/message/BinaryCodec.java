package io.stackcompanion.node.message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The node stack's binary form of its messages (format {@link #FORMAT}): one format byte, one type
 * byte, then the record's components in declaration order. Read with {@link Codec}, which also takes
 * JSON; a JSON payload starts with {@code '{'}, which no format byte will ever be.
 *
 * <p>Components: {@code int}/{@code long} as zigzag varints (shortest form only); a string as a tag
 * (0 null, 1 UTF-8 with a varint byte count, 2 lowercase hex packed two digits a byte, with a varint
 * byte count: every non-empty even-length lowercase-hex string and only those); a list as a varint of
 * its size + 1 (0: null); a nested record (an optional one after a presence byte 0/1) as its
 * components. Every message has exactly one encoding, and decoding refuses anything else (a longer
 * varint than needed, a hex-able string sent as UTF-8, bad UTF-8, trailing bytes), so equal messages
 * are equal bytes and equal bytes are equal messages. Decode errors are {@link MalformedMessageException}.
 *
 * <p>Every field is carried, nulls included, so a message read back is equal to the one written, and
 * its JSON (what signatures and batch digests are computed over) is the same.
 */
final class BinaryCodec {
    /** The format byte: the first byte of every binary payload. Never {@code '{'}. */
    static final byte FORMAT = 0x01;

    // Message types. Never reuse a number: recordings keep these bytes.
    static final int PREPARE = 1;
    static final int COMMIT = 2;
    static final int PREPREPARE = 3;
    static final int CHECKPOINT = 4;
    static final int PROPAGATE = 5;
    static final int INSTANCE_CHANGE = 6;
    static final int VIEW_CHANGE = 7;
    static final int NEW_VIEW = 8;
    static final int LEDGER_STATUS = 9;
    static final int CONSISTENCY_PROOF = 10;
    static final int CATCHUP_REQ = 11;
    static final int CATCHUP_REP = 12;
    static final int MESSAGE_REQUEST = 13;

    private static final int STRING_NULL = 0;
    private static final int STRING_UTF8 = 1;
    private static final int STRING_HEX = 2;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** A lowercase hex digit's value; -1 for every other Latin-1 character. */
    private static final byte[] HEX_VALUE = new byte[256];

    static {
        Arrays.fill(HEX_VALUE, (byte) -1);
        for (int v = 0; v < 16; v++) {
            HEX_VALUE[HEX[v]] = (byte) v;
        }
    }

    private BinaryCodec() {
    }

    /** Thrown inside the encoder when a message has no binary form (its caller sends JSON). */
    static final class NoBinaryForm extends Exception {
        NoBinaryForm(String why) {
            super(why, null, false, false);
        }
    }

    /** Whether {@code m}'s type has a binary form. */
    static boolean hasForm(Message m) {
        return m instanceof Prepare || m instanceof Commit || m instanceof PrePrepare || m instanceof Checkpoint
                || m instanceof Propagate || m instanceof InstanceChange || m instanceof ViewChange || m instanceof NewView
                || m instanceof LedgerStatus || m instanceof ConsistencyProof || m instanceof CatchupReq
                || m instanceof CatchupRep || m instanceof MessageRequest;
    }

    /**
     * {@code m} in the binary form.
     *
     * @throws NoBinaryForm if its type has none, or a string in it is not valid Unicode (a lone
     *                      surrogate, which a JSON escape can make): UTF-8 cannot carry it
     */
    static byte[] encode(Message m) throws NoBinaryForm {
        if (m instanceof Prepare p) {
            return new Out(48).b(FORMAT).b(PREPARE).i(p.viewNo()).l(p.ppSeqNo()).s(p.digest()).bytes();
        }
        if (m instanceof Commit c) {
            return new Out(48).b(FORMAT).b(COMMIT).i(c.viewNo()).l(c.ppSeqNo()).s(c.digest()).bytes();
        }
        if (m instanceof PrePrepare pp) {
            Out out = new Out(96 + 33 * pp.reqDigests().size()).b(FORMAT).b(PREPREPARE);
            prePrepare(out, pp);
            return out.bytes();
        }
        if (m instanceof Propagate p) {
            Out out = new Out(32 + 320 * p.requests().size()).b(FORMAT).b(PROPAGATE);
            out.size(p.requests());
            for (Request r : p.requests()) {
                request(out, r);
            }
            return out.bytes();
        }
        if (m instanceof Checkpoint c) {
            return new Out(64).b(FORMAT).b(CHECKPOINT).l(c.seqNoEnd()).l(c.ledgerSize()).s(c.ledgerRoot()).bytes();
        }
        Out out = new Out(256).b(FORMAT);
        if (m instanceof InstanceChange ic) {
            out.b(INSTANCE_CHANGE).i(ic.viewNo()).s(ic.reason());
        } else if (m instanceof ViewChange vc) {
            out.b(VIEW_CHANGE);
            viewChange(out, vc);
        } else if (m instanceof NewView nv) {
            out.b(NEW_VIEW).i(nv.viewNo()).l(nv.checkpoint());
            out.size(nv.batches());
            for (PrePrepare pp : nv.batches()) {
                prePrepare(out, pp);
            }
            out.size(nv.viewChanges());
            for (ViewChange vc : nv.viewChanges()) {
                viewChange(out, vc);
            }
        } else if (m instanceof LedgerStatus ls) {
            out.b(LEDGER_STATUS).l(ls.size()).s(ls.root()).l(ls.targetSize());
        } else if (m instanceof ConsistencyProof cp) {
            out.b(CONSISTENCY_PROOF).i(cp.viewNo()).l(cp.ppSeqNo()).l(cp.ppTime()).l(cp.oldSize()).l(cp.newSize()).s(cp.newRoot())
                    .strings(cp.hashes());
        } else if (m instanceof CatchupReq cr) {
            out.b(CATCHUP_REQ).l(cr.from()).l(cr.to()).l(cr.targetSize());
        } else if (m instanceof CatchupRep cr) {
            out.b(CATCHUP_REP).l(cr.from()).l(cr.targetSize()).strings(cr.txns()).strings(cr.hashes());
        } else if (m instanceof MessageRequest mr) {
            out.b(MESSAGE_REQUEST).s(mr.type()).strings(mr.digests());
        } else {
            throw new NoBinaryForm(m.getClass().getSimpleName() + " has no binary form");
        }
        return out.bytes();
    }

    private static void prePrepare(Out out, PrePrepare pp) throws NoBinaryForm {
        out.i(pp.viewNo()).l(pp.ppSeqNo()).l(pp.ppTime());
        out.strings(pp.reqDigests());
        out.l(pp.ledgerSize()).s(pp.txnRoot()).s(pp.stateRoot());
    }

    private static void request(Out out, Request r) throws NoBinaryForm {
        out.s(r.identifier()).l(r.reqId());
        Operation op = r.operation();
        if (op == null) {
            out.b(0);
        } else {
            out.b(1);
            out.s(op.type()).s(op.key()).s(op.value()).s(op.expected());
        }
        out.s(r.signature());
    }

    private static void viewChange(Out out, ViewChange vc) throws NoBinaryForm {
        out.i(vc.viewNo()).s(vc.node()).l(vc.stableCheckpoint());
        out.size(vc.prepared());
        for (PrePrepare pp : vc.prepared()) {
            prePrepare(out, pp);
        }
        out.size(vc.checkpoints());
        if (vc.checkpoints() != null) {
            for (Long c : vc.checkpoints()) {
                out.l(c);
            }
        }
        out.size(vc.preprepared());
        if (vc.preprepared() != null) {
            for (BatchId b : vc.preprepared()) {
                out.i(b.viewNo()).l(b.ppSeqNo()).s(b.digest());
            }
        }
        out.s(vc.signature());
    }

    /** Reads a binary payload (its first byte is {@link #FORMAT}). */
    static Message decode(byte[] bytes) throws MalformedMessageException {
        In in = new In(bytes);
        try {
            in.b(); // the format byte, checked by the caller
            int type = in.b();
            Message m = switch (type) {
                case PREPARE -> new Prepare(in.i(), in.l(), in.s());
                case COMMIT -> new Commit(in.i(), in.l(), in.s());
                case PREPREPARE -> prePrepare(in);
                case CHECKPOINT -> new Checkpoint(in.l(), in.l(), in.s());
                case PROPAGATE -> {
                    int n = in.size();
                    if (n < 0) {
                        throw in.bad("PROPAGATE without a list of requests");
                    }
                    List<Request> requests = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        requests.add(request(in));
                    }
                    yield new Propagate(requests);
                }
                case INSTANCE_CHANGE -> new InstanceChange(in.i(), in.s());
                case VIEW_CHANGE -> viewChange(in);
                case NEW_VIEW -> {
                    int viewNo = in.i();
                    long checkpoint = in.l();
                    int n = in.size();
                    List<PrePrepare> batches = n < 0 ? null : new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        batches.add(prePrepare(in));
                    }
                    int v = in.size();
                    if (v < 0) {
                        throw in.bad("NEW_VIEW without a list of view changes (an empty one is sent as empty)");
                    }
                    List<ViewChange> viewChanges = new ArrayList<>(v);
                    for (int i = 0; i < v; i++) {
                        viewChanges.add(viewChange(in));
                    }
                    yield new NewView(viewNo, checkpoint, batches, viewChanges);
                }
                case LEDGER_STATUS -> new LedgerStatus(in.l(), in.s(), in.l());
                case CONSISTENCY_PROOF -> new ConsistencyProof(in.i(), in.l(), in.l(), in.l(), in.l(), in.s(), in.strings());
                case CATCHUP_REQ -> new CatchupReq(in.l(), in.l(), in.l());
                case CATCHUP_REP -> new CatchupRep(in.l(), in.l(), in.strings(), in.strings());
                case MESSAGE_REQUEST -> new MessageRequest(in.s(), in.strings());
                default -> throw in.bad("unknown message type " + type + " (a newer node's? this node reads 1.." + MESSAGE_REQUEST + ")");
            };
            if (in.pos != bytes.length) {
                throw in.bad((bytes.length - in.pos) + " bytes after the end of the message");
            }
            return m;
        } catch (MalformedMessageException e) {
            throw e;
        } catch (RuntimeException e) {
            // A record refusing its components (a null list, a MESSAGE_REQUEST for something else, ...).
            throw new MalformedMessageException("malformed binary message: " + e, e);
        }
    }

    private static PrePrepare prePrepare(In in) throws MalformedMessageException {
        return new PrePrepare(in.i(), in.l(), in.l(), in.strings(), in.l(), in.s(), in.s());
    }

    private static Request request(In in) throws MalformedMessageException {
        String identifier = in.s();
        long reqId = in.l();
        int present = in.b();
        Operation op = switch (present) {
            case 0 -> null;
            case 1 -> new Operation(in.s(), in.s(), in.s(), in.s());
            default -> throw in.bad("bad presence byte " + present + " for an operation");
        };
        return new Request(identifier, reqId, op, in.s());
    }

    private static ViewChange viewChange(In in) throws MalformedMessageException {
        int viewNo = in.i();
        String node = in.s();
        long stable = in.l();
        int n = in.size();
        List<PrePrepare> prepared = n < 0 ? null : new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            prepared.add(prePrepare(in));
        }
        int c = in.size();
        List<Long> checkpoints = c < 0 ? null : new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            checkpoints.add(in.l());
        }
        int p = in.size();
        List<BatchId> preprepared = p < 0 ? null : new ArrayList<>(p);
        for (int i = 0; i < p; i++) {
            preprepared.add(new BatchId(in.i(), in.l(), in.s()));
        }
        return new ViewChange(viewNo, node, stable, prepared, checkpoints, preprepared, in.s());
    }

    /** A growing byte array (no synchronisation, unlike ByteArrayOutputStream). */
    private static final class Out {
        private byte[] buf;
        private int pos;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        private void room(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        Out b(int v) {
            room(1);
            buf[pos++] = (byte) v;
            return this;
        }

        private Out varint(long v) {
            room(10);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
            return this;
        }

        Out l(long v) {
            return varint((v << 1) ^ (v >> 63));
        }

        Out i(int v) {
            return l(v);
        }

        Out size(List<?> list) {
            return varint(list == null ? 0 : list.size() + 1L);
        }

        Out strings(List<String> list) throws NoBinaryForm {
            size(list);
            if (list != null) {
                for (String s : list) {
                    s(s);
                }
            }
            return this;
        }

        Out s(String s) throws NoBinaryForm {
            if (s == null) {
                return b(STRING_NULL);
            }
            int n = s.length();
            if (n > 0 && (n & 1) == 0 && hex(s, n)) {
                return this;
            }
            b(STRING_UTF8);
            boolean ascii = true;
            for (int k = 0; k < n; k++) {
                char ch = s.charAt(k);
                if (ch >= 0x80) {
                    ascii = false;
                    if (Character.isHighSurrogate(ch) && k + 1 < n && Character.isLowSurrogate(s.charAt(k + 1))) {
                        k++;
                    } else if (Character.isSurrogate(ch)) {
                        throw new NoBinaryForm("a string holds a lone surrogate at " + k);
                    }
                }
            }
            if (ascii) {
                varint(n);
                room(n);
                for (int k = 0; k < n; k++) {
                    buf[pos++] = (byte) s.charAt(k); // ASCII: one byte a char
                }
            } else {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                varint(utf8.length);
                room(utf8.length);
                System.arraycopy(utf8, 0, buf, pos, utf8.length);
                pos += utf8.length;
            }
            return this;
        }

        /** Writes {@code s} packed if it is lowercase hex (one pass); otherwise writes nothing and says so. */
        private boolean hex(String s, int n) {
            int start = pos;
            b(STRING_HEX);
            varint(n / 2);
            room(n / 2);
            // A Latin-1 copy is an array copy for the strings hex can be; any other char becomes '?', not hex.
            byte[] latin1 = s.getBytes(StandardCharsets.ISO_8859_1);
            if (latin1.length != n) {
                pos = start; // a surrogate pair became one '?'
                return false;
            }
            for (int k = 0; k < n; k += 2) {
                int h = HEX_VALUE[latin1[k] & 0xFF];
                int l = HEX_VALUE[latin1[k + 1] & 0xFF];
                if ((h | l) < 0) {
                    pos = start;
                    return false;
                }
                buf[pos++] = (byte) ((h << 4) | l);
            }
            return true;
        }

        byte[] bytes() {
            return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
        }
    }

    /** Whether {@code s} is non-empty, of even length and lowercase hex: sent packed. */
    static boolean isHex(String s) {
        int n = s.length();
        if (n == 0 || (n & 1) != 0) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            char ch = s.charAt(k);
            if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
                return false;
            }
        }
        return true;
    }


    /** A reader that refuses to go past the end and any non-canonical form. */
    private static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        MalformedMessageException bad(String why) {
            return new MalformedMessageException("malformed binary message: " + why + " (at byte " + pos + " of " + buf.length + ")", null);
        }

        int b() throws MalformedMessageException {
            if (pos >= buf.length) {
                throw bad("it ends too early");
            }
            return buf[pos++] & 0xFF;
        }

        private long varint() throws MalformedMessageException {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                int b = b();
                if (shift == 63 && b > 1) {
                    throw bad("a number longer than 64 bits");
                }
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (b == 0 && shift > 0) {
                        throw bad("a number not in its shortest form");
                    }
                    return v;
                }
            }
        }

        long l() throws MalformedMessageException {
            long z = varint();
            return (z >>> 1) ^ -(z & 1);
        }

        int i() throws MalformedMessageException {
            long v = l();
            if (v != (int) v) {
                throw bad("a number " + v + " where a 32-bit one belongs");
            }
            return (int) v;
        }

        /** A list's size, -1 for null; never more than the bytes left (each element takes one at least). */
        int size() throws MalformedMessageException {
            long v = varint();
            if (v < 0 || v - 1 > buf.length - pos) {
                throw bad("a list of " + (v - 1) + " elements in " + (buf.length - pos) + " bytes");
            }
            return (int) (v - 1);
        }

        /** A byte count, never more than the bytes left. */
        private int length() throws MalformedMessageException {
            long v = varint();
            if (v < 0 || v > buf.length - pos) {
                throw bad("a string of " + v + " bytes where " + (buf.length - pos) + " are left");
            }
            return (int) v;
        }

        List<String> strings() throws MalformedMessageException {
            int n = size();
            if (n < 0) {
                return null;
            }
            List<String> out = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                out.add(s());
            }
            return out;
        }

        String s() throws MalformedMessageException {
            int tag = b();
            switch (tag) {
                case STRING_NULL:
                    return null;
                case STRING_HEX: {
                    int n = length();
                    if (n == 0) {
                        throw bad("an empty hex string (sent as UTF-8)");
                    }
                    byte[] ascii = new byte[n * 2];
                    for (int k = 0; k < n; k++) {
                        int v = buf[pos++] & 0xFF;
                        ascii[2 * k] = HEX[v >>> 4];
                        ascii[2 * k + 1] = HEX[v & 0xF];
                    }
                    return new String(ascii, StandardCharsets.ISO_8859_1);
                }
                case STRING_UTF8: {
                    int n = length();
                    boolean ascii = true;
                    for (int k = pos; k < pos + n; k++) {
                        if (buf[k] < 0) {
                            ascii = false;
                            break;
                        }
                    }
                    String s;
                    if (ascii) {
                        s = new String(buf, pos, n, StandardCharsets.ISO_8859_1);
                    } else {
                        try {
                            s = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(buf, pos, n)).toString();
                        } catch (CharacterCodingException e) {
                            throw bad("a string that is not UTF-8");
                        }
                    }
                    if (isHex(s)) {
                        throw bad("a hex string sent as UTF-8");
                    }
                    pos += n;
                    return s;
                }
                default:
                    pos--;
                    throw bad("bad string tag " + tag);
            }
        }
    }
}
