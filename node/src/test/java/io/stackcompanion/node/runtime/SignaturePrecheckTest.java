package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Request;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SignaturePrecheckTest {
    private final KeyPair client = Keys.generate();
    private final String identifier = Keys.encodePublic(client.getPublic());

    /** Counts the verifications that really run, and answers as Keys.verify does. */
    private static final class Counting implements SignatureVerifier {
        final List<String> calls = new ArrayList<>();

        @Override
        public boolean verify(PublicKey key, byte[] data, byte[] signature) {
            calls.add(new String(data, StandardCharsets.UTF_8));
            return Keys.verify(key, data, signature);
        }
    }

    private Request signed(long reqId, String value) {
        Request unsigned = new Request(identifier, reqId, Operation.put("k", value), null);
        return new Request(identifier, reqId, unsigned.operation(),
                Base64.getEncoder().encodeToString(Keys.sign(client.getPrivate(), Codec.signingBytes(unsigned))));
    }

    private static CoreInput.Received fromClient(Request r) {
        return new CoreInput.Received(StackName.CLIENT, "c1", Codec.encode(r));
    }

    /** What the core asks of its verifier for a request, as Propagator.validate asks it. */
    private static boolean coreAsks(SignatureVerifier v, Request r) {
        return v.verify(Keys.decodePublic(r.identifier()), Codec.signingBytes(r), Base64.getDecoder().decode(r.signature()));
    }

    @Test
    void theCoreGetsTheStackThreadsAnswerWithoutVerifyingAgain() {
        Counting counting = new Counting();
        SignaturePrecheck precheck = new SignaturePrecheck(counting);
        Request good = signed(1, "v");
        Request forged = new Request(identifier, 2, Operation.put("k", "other"), signed(2, "v").signature());

        precheck.precheck(fromClient(good));
        precheck.precheck(fromClient(forged));
        assertThat(counting.calls).hasSize(2);

        assertThat(coreAsks(precheck, good)).isTrue();
        assertThat(coreAsks(precheck, forged)).isFalse();
        assertThat(counting.calls).as("both answers came from the precheck").hasSize(2);
        assertThat(precheck.answered()).isEqualTo(2);

        // An answer is used once; the same question again (a client's resend) is verified on the spot.
        assertThat(coreAsks(precheck, good)).isTrue();
        assertThat(counting.calls).hasSize(3);
    }

    @Test
    void aQuestionWithOtherBytesIsNeverAnsweredFromAnotherRequestsCheck() {
        Counting counting = new Counting();
        SignaturePrecheck precheck = new SignaturePrecheck(counting);
        Request good = signed(1, "v");
        precheck.precheck(fromClient(good));
        // The same signature over other data, or under another key: verified for real, and false.
        Request tampered = new Request(identifier, 1, Operation.put("k", "w"), good.signature());
        assertThat(coreAsks(precheck, tampered)).isFalse();
        Request otherKey = new Request(Keys.encodePublic(Keys.generate().getPublic()), 1, good.operation(), good.signature());
        assertThat(coreAsks(precheck, otherKey)).isFalse();
        assertThat(counting.calls).hasSize(3);
        assertThat(precheck.answered()).isZero();
    }

    @Test
    void onlyWellFormedClientRequestsArePrechecked() {
        Counting counting = new Counting();
        SignaturePrecheck precheck = new SignaturePrecheck(counting);
        Request good = signed(1, "v");
        precheck.precheck(new CoreInput.Received(StackName.NODE, "Node2", Codec.encode(good)));
        precheck.precheck(new CoreInput.Received(StackName.CLIENT, "c1", "{not json".getBytes(StandardCharsets.UTF_8)));
        precheck.precheck(fromClient(new Request("not-a-key", 1, good.operation(), good.signature())));
        precheck.precheck(fromClient(new Request(identifier, 1, good.operation(), "%%%")));
        precheck.precheck(new CoreInput.Connected(StackName.CLIENT, "c1"));
        assertThat(counting.calls).isEmpty();
        assertThat(precheck.prechecked()).isZero();
    }

    @Test
    void answersNeverAskedForAreDroppedOnceTheMemoIsFull() {
        Counting counting = new Counting();
        SignaturePrecheck precheck = new SignaturePrecheck((k, d, sig) -> {
            counting.calls.add("x");
            return true;
        });
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i <= SignaturePrecheck.CAPACITY; i++) {
            Request r = new Request(identifier, i, Operation.put("k", "v"), Base64.getEncoder().encodeToString(new byte[] {(byte) i, (byte) (i >> 8)}));
            requests.add(r);
            precheck.precheck(fromClient(r));
        }
        assertThat(counting.calls).hasSize(SignaturePrecheck.CAPACITY + 1);
        coreAsks(precheck, requests.get(0));
        assertThat(counting.calls).as("the oldest answer was dropped: verified again").hasSize(SignaturePrecheck.CAPACITY + 2);
        coreAsks(precheck, requests.get(SignaturePrecheck.CAPACITY));
        assertThat(counting.calls).as("the newest answer is held").hasSize(SignaturePrecheck.CAPACITY + 2);
    }
}
