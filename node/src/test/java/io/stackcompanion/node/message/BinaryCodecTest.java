package io.stackcompanion.node.message;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** The node stack's binary form: lossless against JSON, one encoding per message, strict reading. */
class BinaryCodecTest {
    private static final String D1 = "c0".repeat(32);
    private static final String D2 = "0f".repeat(32);
    private static final Request SIGNED = new Request("MCowBQYDK2VwAyEAx1/+Zk=", 7, Operation.put("k", "v"), "c2ln+/==");

    /** Every node-stack message kind, with the corners JSON can carry: nulls, empties, extremes, Unicode. */
    static List<Message> nodeMessages() {
        PrePrepare pp = new PrePrepare(2, 17, 1_767_225_600_123L, List.of(D1, D2), 40, "aa".repeat(32), "bb".repeat(32));
        PrePrepare odd = new PrePrepare(Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, List.of("", "d1", "ABCD", "abc", "é"),
                -1, null, "");
        ViewChange old = new ViewChange(1, null, 0, List.of(pp), null); // a recording's, before signatures and evidence
        ViewChange full = new ViewChange(3, "Node1", 100, List.of(pp, odd), List.of(100L, 200L), List.of(new BatchId(2, 17, D1)), "c2ln");
        List<Message> out = new ArrayList<>(List.of(
                new Prepare(2, 17, D1),
                new Prepare(0, 0, null),
                new Prepare(-1, -1, "not hex"),
                new Commit(2, 17, D1),
                new Commit(Integer.MAX_VALUE, Long.MIN_VALUE, ""),
                pp,
                odd,
                new PrePrepare(0, 1, 0, List.of(), 0, "a", "0"),
                new Checkpoint(100, 4000, "aa".repeat(32)),
                new Checkpoint(0, 0, null),
                new Propagate(List.of(SIGNED)),
                new Propagate(List.of()),
                new Propagate(List.of(SIGNED,
                        new Request("aWQ=", 8, Operation.get("ключ 🔑"), null),
                        new Request("🔑ab", 10, Operation.get("ab🔑"), "0🔑"),
                        new Request(null, -5, Operation.cas("k", "", "v\u0000\n\"\\"), "sig"),
                        new Request("aWQ=", 9, null, "c2ln"),
                        new Request("", 0, new Operation("PUT", "", null, "x"), ""))),
                new InstanceChange(4, "primary disconnected"),
                new InstanceChange(0, null),
                old,
                full,
                new ViewChange(2, "Node2", 0, List.of(), List.of(), List.of(), null),
                new NewView(3, 100, List.of(pp), List.of(full, old)),
                new NewView(1, 0, List.of(), null),
                new LedgerStatus(10, "aa".repeat(32), -1),
                new LedgerStatus(0, null, 0),
                new ConsistencyProof(1, 20, 1_767_225_600_123L, 10, 30, "ab".repeat(32), List.of(D1, D2)),
                new ConsistencyProof(0, 0, 0, 0, 0, null, List.of()),
                new CatchupReq(1, 500, 1000),
                new CatchupRep(1, 1000, List.of("{\"seqNo\":1,\"op\":\"PUT\"}", "{\"seqNo\":2}"), List.of(D1)),
                new CatchupRep(0, 0, List.of(), List.of()),
                new MessageRequest(MessageRequest.PROPAGATE, List.of(D1, D2))));
        return out;
    }

    @Test
    void everyNodeMessageReadsBackEqualWithTheSameJsonAndSignedBytes() throws Exception {
        for (Message m : nodeMessages()) {
            byte[] binary = Codec.encodeBinary(m);
            Message back = Codec.decode(binary);
            assertThat(back).as("%s", m).isEqualTo(m);
            // What signatures, batch digests and every tool that shows a message use: the JSON of today.
            assertThat(new String(Codec.encode(back), StandardCharsets.UTF_8)).as("%s", m)
                    .isEqualTo(new String(Codec.encode(m), StandardCharsets.UTF_8));
            assertThat(Codec.tree(binary)).isEqualTo(Codec.tree(Codec.encode(m)));
            assertThat(Codec.readable(binary)).isEqualTo(Codec.tree(Codec.encode(m)));
            assertThat(Codec.encodeBinary(back)).as("deterministic").isEqualTo(binary);
            assertThat(Codec.encodeForNodeStack(m)).isEqualTo(binary);
            if (m instanceof Propagate p) {
                for (int i = 0; i < p.requests().size(); i++) {
                    assertThat(Codec.signingBytes(((Propagate) back).requests().get(i))).isEqualTo(Codec.signingBytes(p.requests().get(i)));
                }
            }
            if (m instanceof ViewChange vc) {
                assertThat(Codec.signingBytes((ViewChange) back)).isEqualTo(Codec.signingBytes(vc));
            }
        }
    }

    @Test
    void aBinaryPayloadStartsWithItsFormatThenItsTypeAndIsSmallerThanJson() {
        byte[] prepare = Codec.encodeBinary(new Prepare(2, 17, D1));
        assertThat(prepare[0]).isEqualTo((byte) 0x01).isNotEqualTo((byte) '{');
        assertThat(prepare[1]).isEqualTo((byte) BinaryCodec.PREPARE);
        assertThat(prepare).hasSize(1 + 1 + 1 + 1 + 1 + 1 + 32); // format, type, view, seq, tag, length, digest
        assertThat(Codec.encode(new Prepare(2, 17, D1)).length).isGreaterThan(100);
        assertThat(Codec.isBinary(prepare)).isTrue();
        assertThat(Codec.isBinary(Codec.encode(new Prepare(2, 17, D1)))).isFalse();
    }

    @Test
    void clientStackMessagesHaveNoBinaryFormAndStayJson() {
        for (Message m : CodecTest.everyKind()) {
            if (m instanceof Request || m instanceof ReqAck || m instanceof Reject || m instanceof Reply
                    || m instanceof GetStatus || m instanceof Status) {
                assertThat(Codec.hasBinaryForm(m)).as("%s", m).isFalse();
                assertThat(Codec.encodeForNodeStack(m)).isEqualTo(Codec.encode(m));
                assertThatThrownBy(() -> Codec.encodeBinary(m)).isInstanceOf(IllegalArgumentException.class);
            } else {
                assertThat(Codec.hasBinaryForm(m)).as("%s", m).isTrue();
            }
        }
    }

    @Test
    void jsonPayloadsStillDecodeAndKeepFormatWhenRewritten() throws Exception {
        for (Message m : nodeMessages()) {
            byte[] json = Codec.encode(m);
            assertThat(Codec.decode(json)).isEqualTo(m);
            assertThat(Codec.encodeLike(json, m)).isEqualTo(json);
            assertThat(Codec.encodeLike(Codec.encodeBinary(m), m)).isEqualTo(Codec.encodeBinary(m));
        }
    }

    @Test
    void aStringUtf8CannotCarryIsSentAsJson() throws Exception {
        // A lone surrogate: a JSON escape (\ud800) can put one in a string; UTF-8 has no form for it.
        Message m = Codec.decode("{\"op\":\"INSTANCE_CHANGE\",\"viewNo\":1,\"reason\":\"x\\ud800y\"}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Codec.encodeBinary(m)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("surrogate");
        byte[] sent = Codec.encodeForNodeStack(m);
        assertThat(sent[0]).isEqualTo((byte) '{');
        assertThat(Codec.decode(sent)).isEqualTo(m);
    }

    @Test
    void nonCanonicalAndUnknownFormsAreMalformed() {
        byte[] ok = Codec.encodeBinary(new Prepare(2, 17, "zz"));
        // zz: format, type, view 2 -> 4, seq 17 -> 34, UTF-8 tag, length 2, 'z', 'z'
        assertThat(ok).containsExactly(1, 1, 4, 34, 1, 2, 'z', 'z');
        malformed(new byte[]{1, 1, (byte) 0x84, 0, 34, 1, 2, 'z', 'z'}, "shortest form");
        malformed(new byte[]{1, 1, 4, 34, 1, 2, 'a', 'b'}, "hex string sent as UTF-8");
        malformed(new byte[]{1, 1, 4, 34, 2, 0}, "empty hex string");
        malformed(new byte[]{1, 1, 4, 34, 1, 2, (byte) 0xC0, (byte) 0x80}, "not UTF-8"); // an overlong NUL
        malformed(new byte[]{1, 1, 4, 34, 1, 3, (byte) 0xED, (byte) 0xA0, (byte) 0x80}, "not UTF-8"); // an encoded surrogate
        malformed(new byte[]{1, 1, 4, 34, 3}, "bad string tag 3");
        malformed(new byte[]{1, 1, 4, 34, 1, 2, 'z', 'z', 0}, "1 bytes after the end");
        malformed(new byte[]{1, 99, 0}, "unknown message type 99");
        malformed(new byte[]{1}, "ends too early");
        malformed(new byte[]{2, 1, 0}, "neither JSON nor binary format 1");
        malformed(new byte[]{1, 1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1, 34, 0}, "32-bit");
        malformed(new byte[]{1, 1, 4, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, 0x7F, 0}, "longer than 64 bits");
        // A list claiming more elements than bytes left: refused before anything is allocated.
        malformed(new byte[]{1, 3, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}, "a list of");
        malformed(new byte[]{1, 5, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, 0x01}, "a list of");
        // A record refusing what it got: a PRE-PREPARE without its digests, a MESSAGE_REQUEST for something else.
        malformed(new byte[]{1, 3, 0, 0, 0, 0, 0, 0, 0}, "malformed binary message");
        malformed(new byte[]{1, 13, 1, 1, 'X', 2, 0}, "PROPAGATE only");
        malformed(new byte[]{1, 8, 0, 0, 1, 0}, "NEW_VIEW without a list of view changes");
    }

    private static void malformed(byte[] bytes, String says) {
        assertThatThrownBy(() -> Codec.decode(bytes)).isInstanceOf(MalformedMessageException.class).hasMessageContaining(says);
    }

    /**
     * Truncated, extended and mutated payloads of every kind: each is refused with a
     * MalformedMessageException, or reads as a message whose binary form is exactly those bytes
     * (one encoding per message). Never another exception.
     */
    @Test
    void truncatedAndMutatedPayloadsAreRefusedOrReadCanonically() {
        Random random = new Random(20261203);
        int refused = 0;
        int read = 0;
        for (Message m : nodeMessages()) {
            byte[] good = Codec.encodeBinary(m);
            List<byte[]> variants = new ArrayList<>();
            for (int len = 0; len < good.length; len++) {
                variants.add(Arrays.copyOf(good, len));
            }
            variants.add(Arrays.copyOf(good, good.length + 1));
            for (int k = 0; k < 400; k++) {
                byte[] b = good.clone();
                int changes = 1 + random.nextInt(3);
                for (int c = 0; c < changes; c++) {
                    int at = 1 + random.nextInt(b.length - 1); // the format byte stays: this is the binary reader
                    switch (random.nextInt(3)) {
                        case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                        case 1 -> b[at] = (byte) random.nextInt(256);
                        default -> b = cut(b, at, random);
                    }
                    if (b.length < 2) {
                        break;
                    }
                }
                variants.add(b);
            }
            for (byte[] b : variants) {
                Message back;
                try {
                    back = Codec.decode(b);
                } catch (MalformedMessageException e) {
                    refused++;
                    continue;
                } catch (RuntimeException e) {
                    fail("decoding " + Arrays.toString(b) + " (a mutation of " + m + ") threw " + e, e);
                    return;
                }
                read++;
                assertThat(Codec.encodeForNodeStack(back)).as("the one encoding of what %s read as", Arrays.toString(b)).isEqualTo(b);
            }
        }
        assertThat(refused).isGreaterThan(read); // most mutations are refused; the rest changed a number or a letter
        assertThat(read).isPositive();
    }

    private static byte[] cut(byte[] b, int at, Random random) {
        int n = Math.min(b.length - at, 1 + random.nextInt(4));
        byte[] out = new byte[b.length - n];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + n, out, at, b.length - at - n);
        return out;
    }
}
