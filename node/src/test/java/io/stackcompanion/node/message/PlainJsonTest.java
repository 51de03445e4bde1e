package io.stackcompanion.node.message;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-written JSON is Jackson's, exactly: every message it writes has Jackson's very bytes (digests,
 * signatures and ledger leaves depend on them), and every payload it reads gives Jackson's very message,
 * or Jackson's error, however the payload is mangled.
 */
class PlainJsonTest {
    private static final String[] SPICE = {"\"", "\\", "\n", "\t", "\u0001", "\u001f", "\u007f", "é", "中", "\uD83D\uDE00", "/", " ", "'", "{", "}", ","};

    /** Mostly plain strings (the common case, written here), some with what Jackson escapes or writes as UTF-8. */
    private static String string(Random rnd) {
        StringBuilder s = new StringBuilder();
        int len = rnd.nextInt(12);
        for (int i = 0; i < len; i++) {
            s.append(rnd.nextInt(30) == 0 ? SPICE[rnd.nextInt(SPICE.length)] : (char) (0x20 + rnd.nextInt(0x5F)));
        }
        return s.toString();
    }

    private static String maybe(Random rnd, String s) {
        return rnd.nextInt(8) == 0 ? null : s;
    }

    private static long number(Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> rnd.nextLong();
            case 1 -> rnd.nextInt(3) - 1;
            case 2 -> rnd.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            default -> rnd.nextInt(1_000_000);
        };
    }

    private static Operation operation(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> Operation.put(string(rnd), string(rnd));
            case 1 -> Operation.get(string(rnd));
            case 2 -> Operation.cas(string(rnd), string(rnd), string(rnd));
            default -> new Operation(string(rnd), string(rnd), maybe(rnd, string(rnd)), maybe(rnd, string(rnd)));
        };
    }

    private static Result result(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> null;
            case 1 -> Result.ofGet(maybe(rnd, string(rnd)));
            case 2 -> Result.ofCas(rnd.nextBoolean());
            default -> new Result(maybe(rnd, string(rnd)), rnd.nextBoolean() ? null : rnd.nextBoolean());
        };
    }

    private static Request request(Random rnd) {
        return new Request(maybe(rnd, string(rnd)), number(rnd), rnd.nextInt(10) == 0 ? null : operation(rnd), maybe(rnd, string(rnd)));
    }

    private static Message message(Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 4 -> new PrePrepare((int) number(rnd), number(rnd), number(rnd),
                    java.util.stream.Stream.generate(() -> string(rnd)).limit(rnd.nextInt(4)).toList(), number(rnd),
                    maybe(rnd, string(rnd)), maybe(rnd, string(rnd)));
            case 0 -> new ReqAck(maybe(rnd, string(rnd)), number(rnd));
            case 1 -> new Reply(maybe(rnd, string(rnd)), number(rnd), number(rnd), maybe(rnd, string(rnd)), result(rnd));
            case 2 -> new Reject(maybe(rnd, string(rnd)), number(rnd), maybe(rnd, string(rnd)));
            default -> request(rnd);
        };
    }

    @Test
    void writesJacksonsBytesForEveryMessageAndTakesThePlainOnesItself() {
        Random rnd = new Random(19);
        int plain = 0;
        for (int i = 0; i < 20_000; i++) {
            Message m = message(rnd);
            byte[] jackson = Codec.jackson(m);
            assertThat(Codec.encode(m)).as("%s as %s", m, new String(jackson, StandardCharsets.UTF_8)).isEqualTo(jackson);
            byte[] hand = PlainJson.encode(m);
            if (hand != null) {
                plain++;
                assertThat(hand).isEqualTo(jackson);
            }
            if (m instanceof Request r) {
                assertThat(Codec.signingBytes(r)).as("signing bytes of %s", r).isEqualTo(Codec.jacksonSigningBytes(r));
            }
        }
        assertThat(plain).as("messages written by hand").isGreaterThan(5_000);
    }

    @Test
    void readsTheMessageJacksonReads() throws MalformedMessageException {
        Random rnd = new Random(3);
        int byHand = 0;
        for (int i = 0; i < 20_000; i++) {
            Message r = message(rnd);
            byte[] bytes = Codec.jackson(r);
            assertThat(Codec.decode(bytes)).isEqualTo(Codec.jacksonDecode(bytes));
            if (PlainJson.read(bytes) != null) {
                byHand++;
                assertThat(PlainJson.read(bytes)).isEqualTo(r);
            }
        }
        assertThat(byHand).as("messages read by hand").isGreaterThan(2_000);
    }

    /** What Jackson makes of the payload, or that it refuses it (the message is Jackson's either way). */
    private static Object outcome(byte[] bytes, boolean jacksonOnly) {
        try {
            return jacksonOnly ? Codec.jacksonDecode(bytes) : Codec.decode(bytes);
        } catch (MalformedMessageException e) {
            return "malformed: " + e.getMessage();
        }
    }

    @Test
    void anyMangledMessageReadsAsJacksonReadsIt() {
        String plain = "{\"op\":\"REQUEST\",\"identifier\":\"MCow+/=\",\"reqId\":42,\"operation\":{\"type\":\"CAS\",\"key\":\"k\",\"value\":\"v\",\"expected\":\"e\"},\"signature\":\"c2ln\"}";
        List<String> cases = new ArrayList<>(List.of(plain,
                plain.replace("42", "042"), plain.replace("42", "-0"), plain.replace("42", "-042"), plain.replace("42", "4.2"),
                plain.replace("42", "4e2"), plain.replace("42", "42.0"), plain.replace("42", "\"42\""), plain.replace("42", "-"),
                plain.replace("42", "123456789012345678"), plain.replace("42", "1234567890123456789"),
                plain.replace("42", "9223372036854775808"), plain.replace("42", "-9223372036854775808"), plain.replace("42", ""),
                plain.replace("\"c2ln\"", "null"), plain.replace("\"k\"", "null"), plain.replace("\"CAS\"", "null"),
                plain.replace(",\"expected\":\"e\"", ",\"expected\":null"), plain.replace(",\"value\":\"v\"", ""),
                plain.replace(",\"expected\":\"e\"", ",\"expected\":\"e\",\"expected\":\"f\""),
                plain.replace(",\"value\":\"v\",\"expected\":\"e\"", ",\"expected\":\"e\",\"value\":\"v\""),
                plain.replace("\"reqId\":42,", "\"reqId\":42,\"reqId\":43,"), plain.replace("}}", "},\"extra\":1}"),
                plain + " ", " " + plain, plain + "{}", plain.replace("\"op\":\"REQUEST\",", "") + "",
                plain.replace("{\"op\":\"REQUEST\",", "{").replace("\"signature\"", "\"op\":\"REQUEST\",\"signature\""),
                plain.replace("REQUEST", "REQACK"), plain.replace("\"k\"", "\"k\\u0041\""), plain.replace("\"k\"", "\"k\\\"\""),
                plain.replace("\"operation\":{", "\"operation\": {"), plain.replace("}", "}}")));
        String ack = "{\"op\":\"REQACK\",\"identifier\":\"MCow+/=\",\"reqId\":42}";
        String reply = "{\"op\":\"REPLY\",\"identifier\":\"MCow+/=\",\"reqId\":42,\"seqNo\":7,\"txnHash\":\"ab01\",\"result\":{\"value\":\"v\",\"applied\":true}}";
        cases.addAll(List.of(ack, reply, ack.replace("42", "-1"), ack.replace("\"MCow+/=\"", "null"), ack.replace("}", ",\"reqId\":1}"),
                reply.replace("\"value\":\"v\",", ""), reply.replace(",\"applied\":true", ""), reply.replace("\"value\":\"v\",\"applied\":true", ""),
                reply.replace("true", "false"), reply.replace("true", "null"), reply.replace("true", "\"true\""), reply.replace("true", "1"),
                reply.replace(",\"result\":{\"value\":\"v\",\"applied\":true}", ""), reply.replace("{\"value\":\"v\",\"applied\":true}", "null"),
                reply.replace("\"value\":\"v\",\"applied\":true", "\"applied\":true,\"value\":\"v\""), reply.replace("\"ab01\"", "null")));
        Random rnd = new Random(11);
        String noise = "{}[]:,\"\\ \t\n0123456789-+.eEnulltruefalsek";
        String[] bases = {plain, ack, reply};
        for (int i = 0; i < 30_000; i++) {
            StringBuilder s = new StringBuilder(bases[i % bases.length]);
            for (int k = 1 + rnd.nextInt(3); k > 0 && s.length() > 0; k--) {
                int at = rnd.nextInt(s.length());
                switch (rnd.nextInt(4)) {
                    case 0 -> s.deleteCharAt(at);
                    case 1 -> s.insert(at, noise.charAt(rnd.nextInt(noise.length())));
                    case 2 -> s.setCharAt(at, noise.charAt(rnd.nextInt(noise.length())));
                    default -> s.setLength(at);
                }
            }
            cases.add(s.toString());
        }
        cases.addAll(List.of(plain.replace("42", "-123456789012345678"), reply.replace("\"seqNo\":7", "\"seqNo\":1234567890123456789"),
                plain.replace("\"k\"", "\"k\u007f\""), plain.replace("\"k\"", "\"k\u00e9\""), plain.replace("\"k\"", "\"\uD83D\uDE00\"")));
        List<byte[]> payloads = new ArrayList<>();
        for (String c : cases) {
            payloads.add(c.getBytes(StandardCharsets.UTF_8));
        }
        byte[] invalidUtf8 = plain.getBytes(StandardCharsets.UTF_8);
        invalidUtf8[plain.indexOf("\"k\"") + 1] = (byte) 0xC3; // a lone UTF-8 lead byte inside a string
        payloads.add(invalidUtf8);
        byte[] rawHigh = invalidUtf8.clone();
        rawHigh[plain.indexOf("\"k\"") + 1] = (byte) 0xFF;
        payloads.add(rawHigh);
        payloads.add(plain.replace("\"v\"", "\"" + "v".repeat(PlainJson.MAX_BYTES) + "\"").getBytes(StandardCharsets.UTF_8)); // over the cap: Jackson's
        int accepted = 0;
        for (byte[] bytes : payloads) {
            String c = bytes.length > 300 ? bytes.length + " bytes" : new String(bytes, StandardCharsets.ISO_8859_1);
            Object jackson = outcome(bytes, true);
            assertThat(outcome(bytes, false)).as(c).isEqualTo(jackson);
            if (jackson instanceof Message) {
                accepted++;
            }
        }
        assertThat(accepted).as("mangled payloads Jackson still reads as a message").isGreaterThan(300);
    }
}
