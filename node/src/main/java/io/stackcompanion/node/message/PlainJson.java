package io.stackcompanion.node.message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * JSON written and read by hand for the messages every write carries, because Jackson was about a
 * third of the core thread's and of the client stack thread's time per write at steady state:
 * written, REQUEST, REQACK, REPLY, REJECT, PRE-PREPARE (for its digest), what a client signs and a
 * ledger transaction; read, a
 * REQUEST (by a node), a REQACK and a REPLY (by a client).
 *
 * <p>Exactness is the whole contract: it only ever takes the one common case, plain strings
 * (printable ASCII without {@code "} or {@code \}) in the layout Jackson writes, and for those
 * <ul>
 *   <li>writes exactly the bytes Jackson writes ({@link Writer#bytes()} is null otherwise, and the
 *   caller asks Jackson), so digests, signatures, ledger leaves and replies are what they always were;</li>
 *   <li>reads exactly the message Jackson reads ({@link #read} is null for anything else, and the
 *   caller asks Jackson, which also says what is wrong with a malformed one).</li>
 * </ul>
 * PlainJsonTest compares both with Jackson on random and mangled messages.
 */
public final class PlainJson {
    /** Larger payloads go to Jackson, which enforces its own limits on long strings. */
    static final int MAX_BYTES = 1 << 20;

    private PlainJson() {
    }

    /** A message of a type written here, or null (Jackson writes it). */
    static byte[] encode(Message m) {
        if (m instanceof ReqAck a) {
            return new Writer().begin().field("op", "REQACK").field("identifier", a.identifier()).field("reqId", a.reqId())
                    .end().bytes();
        }
        if (m instanceof Reply r) {
            Writer w = new Writer().begin().field("op", "REPLY").field("identifier", r.identifier()).field("reqId", r.reqId())
                    .field("seqNo", r.seqNo()).field("txnHash", r.txnHash());
            if (r.result() != null) {
                result(w.name("result"), r.result());
            }
            return w.end().bytes();
        }
        if (m instanceof Reject r) {
            return new Writer().begin().field("op", "REJECT").field("identifier", r.identifier()).field("reqId", r.reqId())
                    .field("reason", r.reason()).end().bytes();
        }
        if (m instanceof PrePrepare pp) { // the node stack sends it binary; its JSON is what the batch digest covers
            return new Writer().begin().field("op", "PREPREPARE").field("viewNo", pp.viewNo()).field("ppSeqNo", pp.ppSeqNo())
                    .field("ppTime", pp.ppTime()).field("reqDigests", pp.reqDigests()).field("ledgerSize", pp.ledgerSize())
                    .field("txnRoot", pp.txnRoot()).field("stateRoot", pp.stateRoot()).end().bytes();
        }
        if (m instanceof Request r) {
            Writer w = new Writer().begin().field("op", "REQUEST").field("identifier", r.identifier()).field("reqId", r.reqId());
            operation(w.name("operation"), r.operation());
            return w.field("signature", r.signature()).end().bytes();
        }
        return null;
    }

    /** What a client signs ({@code {"identifier":..,"reqId":..,"operation":{..}}}), or null (Jackson writes it). */
    static byte[] signingBytes(Request r) {
        return operation(new Writer().begin().field("identifier", r.identifier()).field("reqId", r.reqId()).name("operation"),
                r.operation()).end().bytes();
    }

    /** An operation's object (its null fields left out, as {@link Operation} says), or JSON null. */
    public static Writer operation(Writer w, Operation op) {
        if (op == null) {
            return w.nullValue();
        }
        w.begin().field("type", op.type()).field("key", op.key());
        if (op.value() != null) {
            w.field("value", op.value());
        }
        if (op.expected() != null) {
            w.field("expected", op.expected());
        }
        return w.end();
    }

    /** A result's object (its null fields left out, as {@link Result} says). */
    public static Writer result(Writer w, Result r) {
        w.begin();
        if (r.value() != null) {
            w.field("value", r.value());
        }
        if (r.applied() != null) {
            w.field("applied", r.applied());
        }
        return w.end();
    }

    /**
     * A REQUEST, REQACK or REPLY in the layout every encoder of ours writes ({@code op} first, the fields
     * in declaration order, no spaces, plain strings, numbers plain integers), or null for anything else.
     */
    static Message read(byte[] b) {
        if (b.length > MAX_BYTES) {
            return null;
        }
        Reader r = new Reader(b);
        if (r.literal("{\"op\":\"REQUEST\",")) {
            return request(r);
        }
        if (r.literal("{\"op\":\"REQACK\",")) {
            return reqAck(r);
        }
        if (r.literal("{\"op\":\"REPLY\",")) {
            return reply(r);
        }
        return null;
    }

    private static Request request(Reader r) {
        String identifier = r.field("identifier", true);
        long reqId = r.longField("reqId");
        if (!r.literal(",\"operation\":{")) {
            return null;
        }
        String type = r.field("type", true);
        String key = r.field("key", false);
        String value = r.optionalField("value");
        String expected = r.optionalField("expected");
        if (!r.literal("}")) {
            return null;
        }
        String signature = r.field("signature", false);
        return r.end() && type != null && key != null ? new Request(identifier, reqId, new Operation(type, key, value, expected), signature) : null;
    }

    private static ReqAck reqAck(Reader r) {
        String identifier = r.field("identifier", true);
        long reqId = r.longField("reqId");
        return r.end() ? new ReqAck(identifier, reqId) : null;
    }

    private static Reply reply(Reader r) {
        String identifier = r.field("identifier", true);
        long reqId = r.longField("reqId");
        long seqNo = r.longField("seqNo");
        String txnHash = r.field("txnHash", false);
        Result result = null;
        if (r.literal(",\"result\":{")) {
            String value = r.optionalFirstField("value");
            Boolean applied = null;
            if (r.literal(value == null ? "\"applied\":" : ",\"applied\":")) {
                applied = r.literal("true") ? Boolean.TRUE : r.literal("false") ? Boolean.FALSE : r.fail();
            }
            if (!r.literal("}")) {
                return null;
            }
            result = new Result(value, applied);
        }
        return r.end() ? new Reply(identifier, reqId, seqNo, txnHash, result) : null;
    }

    /** Whether Jackson writes {@code c} as itself inside a string: printable ASCII but {@code "} and {@code \}. */
    private static boolean plain(int c) {
        return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
    }

    /**
     * Writes one JSON object the way Jackson writes it (no spaces; the caller gives the fields in
     * Jackson's order). A string that is not plain spoils it: {@link #bytes()} is then null.
     */
    public static final class Writer {
        private byte[] buf = new byte[256];
        private int n;
        private boolean comma;
        private boolean spoilt;

        public Writer begin() {
            separate();
            put((byte) '{');
            comma = false;
            return this;
        }

        public Writer end() {
            put((byte) '}');
            comma = true;
            return this;
        }

        /** A field's name; its value follows. */
        public Writer name(String name) {
            separate();
            string(name);
            put((byte) ':');
            comma = false;
            return this;
        }

        public Writer field(String name, String value) {
            name(name);
            if (value == null) {
                return nullValue();
            }
            string(value);
            comma = true;
            return this;
        }

        public Writer field(String name, long value) {
            name(name);
            ascii(Long.toString(value));
            comma = true;
            return this;
        }

        public Writer field(String name, boolean value) {
            name(name);
            ascii(value ? "true" : "false");
            comma = true;
            return this;
        }

        /** An array of strings (none of them null). */
        public Writer field(String name, List<String> values) {
            name(name);
            put((byte) '[');
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    put((byte) ',');
                }
                string(values.get(i));
            }
            put((byte) ']');
            comma = true;
            return this;
        }

        public Writer nullValue() {
            separate();
            ascii("null");
            comma = true;
            return this;
        }

        /** The JSON, or null if a string was not plain (then Jackson must write it). */
        public byte[] bytes() {
            return spoilt ? null : Arrays.copyOf(buf, n);
        }

        private void separate() {
            if (comma) {
                put((byte) ',');
            }
        }

        private void string(String s) {
            int len = s.length();
            room(len + 2);
            buf[n++] = '"';
            for (int i = 0; i < len; i++) {
                char c = s.charAt(i);
                if (!plain(c)) {
                    spoilt = true;
                }
                buf[n++] = (byte) c;
            }
            buf[n++] = '"';
        }

        private void ascii(String s) {
            int len = s.length();
            room(len);
            for (int i = 0; i < len; i++) {
                buf[n++] = (byte) s.charAt(i);
            }
        }

        private void put(byte b) {
            room(1);
            buf[n++] = b;
        }

        private void room(int more) {
            if (n + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }
    }

    /** Reads the exact layout a {@link Writer} writes; any surprise fails it. */
    private static final class Reader {
        private final byte[] b;
        private int i;
        private boolean failed;

        Reader(byte[] b) {
            this.b = b;
        }

        /** {@code "name":"value"}, after a comma unless {@code first}; null (and failed) if it is not that. */
        String field(String name, boolean first) {
            if (!failed && (first || literal(",")) && literal("\"") && literal(name) && literal("\":")) {
                String v = string();
                if (v != null) {
                    return v;
                }
            }
            failed = true;
            return null;
        }

        /** {@code ,"name":"value"} if it comes next, else null (not a failure: the field is absent). */
        String optionalField(String name) {
            if (!failed && literal(",\"" + name + "\":")) {
                return field0();
            }
            return null;
        }

        /** {@code "name":"value"} if it comes next (the first field of an object), else null. */
        String optionalFirstField(String name) {
            if (!failed && literal("\"" + name + "\":")) {
                return field0();
            }
            return null;
        }

        private String field0() {
            String v = string();
            if (v == null) {
                failed = true;
            }
            return v;
        }

        /** {@code ,"name":integer}; 0 (and failed) if it is not that. */
        long longField(String name) {
            if (!failed && literal(",\"") && literal(name) && literal("\":")) {
                return longValue();
            }
            failed = true;
            return 0;
        }

        /** The object's closing brace, and nothing after it, and nothing failed before it. */
        boolean end() {
            return !failed && literal("}") && i == b.length;
        }

        <T> T fail() {
            failed = true;
            return null;
        }

        /** Whether {@code s} (ASCII) comes next; consumed if so. */
        boolean literal(String s) {
            int len = s.length();
            if (i + len > b.length) {
                return false;
            }
            for (int k = 0; k < len; k++) {
                if (b[i + k] != s.charAt(k)) {
                    return false;
                }
            }
            i += len;
            return true;
        }

        /** A plain string, or null (nothing consumed that matters: the whole read fails). */
        String string() {
            if (i >= b.length || b[i] != '"') {
                return null;
            }
            int start = ++i;
            while (i < b.length && plain(b[i])) {
                i++;
            }
            if (i >= b.length || b[i] != '"') {
                return null;
            }
            return new String(b, start, i++ - start, StandardCharsets.ISO_8859_1);
        }

        /** An integer of at most 18 digits, no leading zero (Jackson refuses those), optionally negative. */
        long longValue() {
            int start = i;
            if (i < b.length && b[i] == '-') {
                i++;
            }
            int digits = i;
            while (i < b.length && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
            int count = i - digits;
            if (count == 0 || count > 18 || (count > 1 && b[digits] == '0')) {
                failed = true;
                return 0;
            }
            return Long.parseLong(new String(b, start, i - start, StandardCharsets.ISO_8859_1));
        }

    }
}
