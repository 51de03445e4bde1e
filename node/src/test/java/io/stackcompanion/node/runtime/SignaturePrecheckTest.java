package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.SignatureVerdict;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Propagate;
import io.stackcompanion.node.message.Request;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignaturePrecheckTest {
    private final KeyPair client = Keys.generate();
    private final String identifier = Keys.encodePublic(client.getPublic());
    private final SignaturePrecheck precheck = new SignaturePrecheck();

    private Request signed(long reqId, String value) {
        Request unsigned = new Request(identifier, reqId, Operation.put("k", value), null);
        return new Request(identifier, reqId, unsigned.operation(),
                Base64.getEncoder().encodeToString(Keys.sign(client.getPrivate(), Codec.signingBytes(unsigned))));
    }

    private static CoreInput.Received fromClient(Request r) {
        return new CoreInput.Received(StackName.CLIENT, "c1", Codec.encode(r));
    }

    private static CoreInput.Received propagated(Request... requests) {
        return new CoreInput.Received(StackName.NODE, "Node2", Codec.encode(new Propagate(List.of(requests))));
    }

    /** The one verdict the input came back with, or null if none. */
    private static SignatureVerdict verdictOf(CoreInput in) {
        List<SignatureVerdict> v = ((CoreInput.Received) in).verdicts();
        assertThat(v).hasSizeLessThanOrEqualTo(1);
        return v.isEmpty() ? null : v.get(0);
    }

    private static boolean answers(SignatureVerdict v, Request r) {
        return v.answers(Keys.decodePublic(r.identifier()), Codec.signingBytes(r), Base64.getDecoder().decode(r.signature()));
    }

    @Test
    void aClientRequestComesBackWithTheVerdictOnItsOwnSignature() {
        Request good = signed(1, "v");
        Request forged = new Request(identifier, 2, Operation.put("k", "other"), signed(2, "v").signature());

        CoreInput g = precheck.precheck(fromClient(good));
        CoreInput f = precheck.precheck(fromClient(forged));

        assertThat(verdictOf(g).valid()).isTrue();
        assertThat(verdictOf(f).valid()).isFalse();
        assertThat(((CoreInput.Received) g).bytes()).isEqualTo(fromClient(good).bytes());
        // Each verdict answers its own question and no other.
        byte[] goodData = Codec.signingBytes(good);
        byte[] goodSig = Base64.getDecoder().decode(good.signature());
        assertThat(verdictOf(g).answers(client.getPublic(), goodData, goodSig)).isTrue();
        assertThat(verdictOf(g).answers(client.getPublic(), Codec.signingBytes(forged), goodSig)).isFalse();
        assertThat(verdictOf(g).answers(Keys.generate().getPublic(), goodData, goodSig)).isFalse();
    }

    private final AtomicInteger verified = new AtomicInteger();
    /** A precheck that counts its Ed25519 verifications. */
    private final SignaturePrecheck counting = new SignaturePrecheck((key, data, signature) -> {
        verified.incrementAndGet();
        return SignatureVerifier.DIRECT.verify(key, data, signature);
    });

    @Test
    void aRequestTheCoreAlreadyVerifiedIsNotVerifiedAgainHere() {
        Request good = signed(1, "v");
        Request other = signed(2, "v");
        // The core verified it first (a PROPAGATE reached it before the precheck had met the request).
        assertThat(counting.coreVerifier().verify(client.getPublic(), Codec.signingBytes(good),
                Base64.getDecoder().decode(good.signature()))).isTrue();
        assertThat(verified).hasValue(1);
        CoreInput.Received out = (CoreInput.Received) counting.precheck(fromClient(good));
        // The client's copy carries the core's own answer (the core verifies a client's request it no longer
        // holds, one ordered already), without verifying again; a PROPAGATE's copy carries none.
        assertThat(verdictOf(out).valid()).isTrue();
        assertThat(answers(verdictOf(out), good)).isTrue();
        assertThat(out.decoded()).as("decoded once, for the core").isEqualTo(good);
        assertThat(((CoreInput.Received) counting.precheck(propagated(good))).verdicts()).isEmpty();
        assertThat(verified).hasValue(1);
        // Other requests are checked as usual.
        assertThat(verdictOf(counting.precheck(fromClient(other))).valid()).isTrue();
        assertThat(verified).hasValue(2);
    }

    @Test
    void aClientsResendComesWithTheAnswerAgainWithoutAVerification() {
        Request good = signed(1, "v");
        for (int copy = 0; copy < 3; copy++) {
            SignatureVerdict v = verdictOf(counting.precheck(fromClient(good)));
            assertThat(v.valid()).isTrue();
            assertThat(answers(v, good)).isTrue();
        }
        assertThat(verified).as("verified once, for the first copy").hasValue(1);
    }

    @Test
    void aMalformedRequestIsNotVerifiedTheCoreRejectsItFirst() {
        Request good = signed(1, "v");
        Request noValue = new Request(identifier, 1, new Operation(Operation.PUT, "k", null, null), good.signature());
        Request unknownType = new Request(identifier, 1, new Operation("DROP", "k", "v", null), good.signature());
        Request hugeKey = new Request(identifier, 1, Operation.put("k".repeat(2000), "v"), good.signature());
        for (Request r : List.of(noValue, unknownType, hugeKey)) {
            assertThat(((CoreInput.Received) counting.precheck(fromClient(r))).verdicts()).as("%s", r).isEmpty();
            assertThat(((CoreInput.Received) counting.precheck(propagated(r))).verdicts()).as("%s", r).isEmpty();
        }
        assertThat(verified).hasValue(0);
    }

    @Test
    void aPropagateComesBackWithTheVerdictsTheCoreWillAskFor() {
        Request a = signed(1, "a");
        Request b = signed(2, "b");
        Request forged = new Request(identifier, 3, Operation.put("k", "other"), signed(3, "c").signature());
        assertThat(verdictOf(counting.precheck(fromClient(a))).valid()).isTrue(); // the client's copy came first

        CoreInput.Received out = (CoreInput.Received) counting.precheck(propagated(a, b, forged));

        assertThat(out.decoded()).isEqualTo(new Propagate(List.of(a, b, forged)));
        assertThat(out.verdicts()).as("none for a: the core holds it").hasSize(2);
        assertThat(answers(out.verdicts().get(0), b)).isTrue();
        assertThat(out.verdicts().get(0).valid()).isTrue();
        assertThat(answers(out.verdicts().get(1), forged)).isTrue();
        assertThat(out.verdicts().get(1).valid()).isFalse();
        assertThat(verified).hasValue(3);
        // Another node's copy: b is held by the core by now; the forged one is held by nobody, so the core would
        // verify it again: its answer comes with every copy, verified once.
        CoreInput.Received again = (CoreInput.Received) counting.precheck(propagated(a, b, forged));
        assertThat(again.verdicts()).hasSize(1);
        assertThat(answers(again.verdicts().get(0), forged)).isTrue();
        assertThat(again.verdicts().get(0).valid()).isFalse();
        // The client's own copy of b comes after its PROPAGATE: the answer, not verified again.
        assertThat(verdictOf(counting.precheck(fromClient(b))).valid()).isTrue();
        assertThat(verified).hasValue(3);
    }

    @Test
    void answersAreKeptForTwoGenerationsOfTheirLimit() {
        Request first = signed(0, "v");
        assertThat(verdictOf(counting.precheck(fromClient(first)))).isNotNull();
        for (int i = 1; i <= SignaturePrecheck.HINTS; i++) { // fills the first generation: it becomes the older one
            assertThat(counting.coreVerifier().verify(client.getPublic(), new byte[] {(byte) i, (byte) (i >> 8)},
                    Keys.sign(client.getPrivate(), new byte[] {(byte) i, (byte) (i >> 8)}))).isTrue();
        }
        int before = verified.get();
        assertThat(verdictOf(counting.precheck(fromClient(first))).valid()).isTrue();
        assertThat(verified).as("still known, in the older generation").hasValue(before);
        for (int i = 1; i <= SignaturePrecheck.HINTS; i++) { // a second generation full: the first is dropped
            byte[] data = {(byte) i, (byte) (i >> 8), 1};
            counting.coreVerifier().verify(client.getPublic(), data, Keys.sign(client.getPrivate(), data));
        }
        before = verified.get();
        assertThat(verdictOf(counting.precheck(fromClient(first))).valid()).isTrue();
        assertThat(verified).as("forgotten: verified again, with the same answer").hasValue(before + 1);
    }

    @Test
    void eachRequestIsVerifiedOnceHoweverManyThreadsMeetItsCopies() throws Exception {
        int requests = 300;
        List<Request> all = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            all.add(signed(i, "v" + i));
        }
        // Four threads, like the client stack and three node links: each meets every request, in its own order.
        AtomicInteger verdicts = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<Request> mine = new ArrayList<>(all);
                java.util.Collections.shuffle(mine, new java.util.Random(t));
                boolean client = t == 0;
                done.add(threads.submit(() -> {
                    for (Request r : mine) {
                        CoreInput.Received out = (CoreInput.Received) counting.precheck(client ? fromClient(r) : propagated(r));
                        verdicts.addAndGet(out.verdicts().size());
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(verified.get()).as("one Ed25519 verification per request").isEqualTo(requests);
        // One verdict per request on whichever copy was first, and the answer again on the client's copy
        // when another thread had answered before it.
        assertThat(verdicts.get()).isBetween(requests, 2 * requests);
    }

    @Test
    void anythingElseIsLeftToTheCoreAsItCameWithWhatWasDecodedOfIt() {
        Request good = signed(1, "v");
        Request unsigned = new Request(identifier, 1, good.operation(), null);
        // input, and the message that travels with it (null: none, the core decodes the bytes itself)
        Object[][] untouched = {
                {new CoreInput.Received(StackName.NODE, "Node2", Codec.encode(good)), good}, // no REQUEST on the node stack
                {new CoreInput.Received(StackName.CLIENT, "c1", Codec.encode(new Propagate(List.of(good)))),
                        new Propagate(List.of(good))}, // nor a PROPAGATE from a client
                {new CoreInput.Received(StackName.CLIENT, "c1", "{not json".getBytes(StandardCharsets.UTF_8)), null},
                {fromClient(new Request("not-a-key", 1, good.operation(), good.signature())),
                        new Request("not-a-key", 1, good.operation(), good.signature())},
                {fromClient(new Request(identifier, 1, good.operation(), "%%%")), new Request(identifier, 1, good.operation(), "%%%")},
                {fromClient(unsigned), unsigned},
                {new CoreInput.Connected(StackName.CLIENT, "c1"), null},
        };
        for (Object[] c : untouched) {
            CoreInput in = (CoreInput) c[0];
            CoreInput out = precheck.precheck(in);
            assertThat(out).isEqualTo(in);
            if (out instanceof CoreInput.Received r) {
                assertThat(r.verdicts()).isEmpty();
                assertThat(r.decoded()).as("%s", in).isEqualTo(c[1]);
            }
        }
    }

    @Test
    void theRequestItDecodedTravelsWithTheInputAndIsNotPartOfItsIdentity() {
        Request good = signed(1, "v");
        CoreInput.Received out = (CoreInput.Received) precheck.precheck(fromClient(good));
        assertThat(out.decoded()).isEqualTo(good);
        // A replay's input has only the bytes and the verdict: it is the same input.
        CoreInput.Received replayed = new CoreInput.Received(out.stack(), out.peer(), out.bytes(), out.verdicts(), null);
        assertThat(replayed).isEqualTo(out).hasSameHashCodeAs(out);
        assertThat(replayed.decoded()).isNull();
    }

    @Test
    void aVerdictSurvivesItsRecordedBytesAndRefusesMalformedOnes() {
        CoreInput g = precheck.precheck(fromClient(signed(1, "v")));
        SignatureVerdict v = verdictOf(g);
        assertThat(SignatureVerdict.fromBytes(v.toBytes())).isEqualTo(v);
        byte[] bad = v.toBytes();
        bad[0] = 7;
        assertThatThrownBy(() -> SignatureVerdict.fromBytes(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the first 0 or 1");
        assertThatThrownBy(() -> SignatureVerdict.fromBytes(new byte[5])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 5 bytes");
        // A VERIFIED event's payload: one verdict (every recording made before PROPAGATEs had verdicts), or several.
        SignatureVerdict w = verdictOf(precheck.precheck(fromClient(signed(2, "w"))));
        assertThat(SignatureVerdict.listFromBytes(v.toBytes())).containsExactly(v);
        assertThat(SignatureVerdict.listFromBytes(SignatureVerdict.toBytes(List.of(v, w)))).containsExactly(v, w);
        for (int size : new int[] {0, SignatureVerdict.BYTES - 1, SignatureVerdict.BYTES + 1, 2 * SignatureVerdict.BYTES + 5}) {
            assertThatThrownBy(() -> SignatureVerdict.listFromBytes(new byte[size])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("got " + size + " bytes");
        }
        byte[] twoBad = SignatureVerdict.toBytes(List.of(v, w));
        twoBad[SignatureVerdict.BYTES] = 9;
        assertThatThrownBy(() -> SignatureVerdict.listFromBytes(twoBad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the first 0 or 1");
    }
}
