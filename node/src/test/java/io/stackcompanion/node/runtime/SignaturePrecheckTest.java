package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.SignatureVerdict;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Request;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;

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

    private static SignatureVerdict verdictOf(CoreInput in) {
        return ((CoreInput.Received) in).verdict();
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

    @Test
    void aRequestTheCoreAlreadyVerifiedIsNotVerifiedAgainHere() {
        Request good = signed(1, "v");
        Request other = signed(2, "v");
        // The core verified it first (its PROPAGATE came before the client's copy).
        assertThat(precheck.coreVerifier().verify(client.getPublic(), Codec.signingBytes(good),
                Base64.getDecoder().decode(good.signature()))).isTrue();
        CoreInput in = fromClient(good);
        CoreInput out = precheck.precheck(in);
        assertThat(out).as("no verdict: the core holds it").isEqualTo(in);
        assertThat(verdictOf(out)).isNull();
        assertThat(((CoreInput.Received) out).decoded()).as("decoded once, for the core").isEqualTo(good);
        // A hint is used once; other requests are checked as usual.
        assertThat(verdictOf(precheck.precheck(fromClient(good))).valid()).isTrue();
        assertThat(verdictOf(precheck.precheck(fromClient(other))).valid()).isTrue();
    }

    @Test
    void anythingElseIsLeftToTheCoreAsItCameWithWhatWasDecodedOfIt() {
        Request good = signed(1, "v");
        Request unsigned = new Request(identifier, 1, good.operation(), null);
        // input, and the message that travels with it (null: none, the core decodes the bytes itself)
        Object[][] untouched = {
                {new CoreInput.Received(StackName.NODE, "Node2", Codec.encode(good)), null},
                {new CoreInput.Received(StackName.CLIENT, "c1", "{not json".getBytes(StandardCharsets.UTF_8)), null},
                {fromClient(new Request("not-a-key", 1, good.operation(), good.signature())), null},
                {fromClient(new Request(identifier, 1, good.operation(), "%%%")), null},
                {fromClient(unsigned), unsigned},
                {new CoreInput.Connected(StackName.CLIENT, "c1"), null},
        };
        for (Object[] c : untouched) {
            CoreInput in = (CoreInput) c[0];
            CoreInput out = precheck.precheck(in);
            assertThat(out).isEqualTo(in);
            if (out instanceof CoreInput.Received r) {
                assertThat(r.verdict()).isNull();
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
        CoreInput.Received replayed = new CoreInput.Received(out.stack(), out.peer(), out.bytes(), out.verdict());
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
    }
}
