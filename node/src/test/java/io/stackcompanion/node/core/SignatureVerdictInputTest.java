package io.stackcompanion.node.core;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.node.crypto.SignatureVerdict;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Propagate;
import io.stackcompanion.node.message.Reject;
import io.stackcompanion.node.message.ReqAck;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.runtime.CoreStepper;
import io.stackcompanion.node.store.NodeStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client request's signature verdict is part of the input: the core takes it, for exactly the
 * question it names, instead of verifying (a replay of a recording that holds verdicts therefore runs
 * no Ed25519 verification for them); a verdict on any other question is ignored and the core
 * verifies itself. Shown with a forged request, where the two answers differ.
 */
class SignatureVerdictInputTest {
    @TempDir
    Path dir;
    private NodeStore store;
    private CoreStepper stepper;
    private final DecodingStacks stacks = new DecodingStacks();
    private final List<Message> toClients = stacks.toClients;
    private int verifications;
    private final KeyPair client = Keys.generate();
    private final String identifier = Keys.encodePublic(client.getPublic());

    @BeforeEach
    void aNode() throws Exception {
        List<NodeInfo> infos = new ArrayList<>();
        List<KeyPair> nodeKeys = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            KeyPair kp = Keys.generate();
            nodeKeys.add(kp);
            infos.add(new NodeInfo("Node" + i, "127.0.0.1", 9700 + i, 9800 + i, Keys.encodePublic(kp.getPublic())));
        }
        store = NodeStore.openNode(dir);
        stepper = new CoreStepper(() -> 1_000_000_000L, stacks, CoreTap.NONE);
        SignatureVerifier counting = (key, data, signature) -> {
            verifications++;
            return SignatureVerifier.DIRECT.verify(key, data, signature);
        };
        stepper.attach(new NodeCore("Node3", new PoolGenesis(infos), NodeConfig.defaults().settings().core(), store, stepper,
                new Random(1), PrePrepareSchedule.NATURAL, counting, NodeSigner.of(nodeKeys.get(2).getPrivate())));
        stepper.step(new CoreInput.Started());
        stepper.step(new CoreInput.Connected(StackName.CLIENT, "c1"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Request 1's signature on request 2's operation: invalid. */
    private Request forged() {
        Request unsigned = new Request(identifier, 1, Operation.put("k", "v"), null);
        String signature = Base64.getEncoder().encodeToString(Keys.sign(client.getPrivate(), Codec.signingBytes(unsigned)));
        return new Request(identifier, 1, Operation.put("k", "forged"), signature);
    }

    private SignatureVerdict verdictOn(Request r, boolean valid) {
        byte[] of = SignatureVerdict.digest(Keys.decodePublic(r.identifier()), Codec.signingBytes(r),
                Base64.getDecoder().decode(r.signature()));
        return new SignatureVerdict(of, valid);
    }

    @Test
    void withoutAVerdictTheCoreVerifiesAndRejectsTheForgery() {
        Request r = forged();
        stepper.step(new CoreInput.Received(StackName.CLIENT, "c1", Codec.encode(r)));
        assertThat(verifications).isEqualTo(1);
        assertThat(toClients).singleElement().isInstanceOf(Reject.class);
    }

    @Test
    void theVerdictForThisRequestIsTakenWithoutVerifying() {
        Request r = forged();
        // A verdict that says "valid" (as a broken library might have): the core takes it as it is.
        stepper.step(new CoreInput.Received(StackName.CLIENT, "c1", Codec.encode(r), verdictOn(r, true)));
        assertThat(verifications).isZero();
        assertThat(toClients).singleElement().isInstanceOf(ReqAck.class);
    }

    @Test
    void theClientsCopyOfARequestItsPropagateBroughtFirstIsNotVerifiedTwice() {
        Request unsigned = new Request(identifier, 7, Operation.put("k", "v"), null);
        Request r = new Request(identifier, 7, unsigned.operation(),
                Base64.getEncoder().encodeToString(Keys.sign(client.getPrivate(), Codec.signingBytes(unsigned))));
        stepper.step(new CoreInput.Connected(StackName.NODE, "Node1"));
        stepper.step(new CoreInput.Received(StackName.NODE, "Node1", Codec.encode(new Propagate(List.of(r)))));
        assertThat(verifications).isEqualTo(1);
        stepper.step(new CoreInput.Received(StackName.CLIENT, "c1", Codec.encode(r)));
        assertThat(verifications).as("the very request is in the book, verified").isEqualTo(1);
        assertThat(toClients).singleElement().isInstanceOf(ReqAck.class);
        // The same operation under another signature is a different question: verified (and refused).
        Request resigned = new Request(identifier, 7, r.operation(), forged().signature());
        stepper.step(new CoreInput.Received(StackName.CLIENT, "c1", Codec.encode(resigned)));
        assertThat(verifications).isEqualTo(2);
        assertThat(toClients.get(1)).isInstanceOf(Reject.class);
    }

    @Test
    void aVerdictOnAnotherQuestionIsIgnored() {
        Request r = forged();
        Request other = new Request(identifier, 1, Operation.put("k", "v"), r.signature());
        stepper.step(new CoreInput.Received(StackName.CLIENT, "c1", Codec.encode(r), verdictOn(other, true)));
        assertThat(verifications).isEqualTo(1);
        assertThat(toClients).singleElement().isInstanceOf(Reject.class);
    }

    private Request signed(long reqId) {
        Request unsigned = new Request(identifier, reqId, Operation.put("k" + reqId, "v"), null);
        return new Request(identifier, reqId, unsigned.operation(),
                Base64.getEncoder().encodeToString(Keys.sign(client.getPrivate(), Codec.signingBytes(unsigned))));
    }

    @Test
    void aPropagateTakesTheVerdictOnEachOfItsRequestsAndVerifiesTheRest() {
        Request a = signed(1);
        Request b = signed(2);
        Request f = new Request(identifier, 3, Operation.put("k3", "forged"), a.signature());
        stepper.step(new CoreInput.Connected(StackName.NODE, "Node1"));
        // Verdicts for f (saying "valid", as a broken library might) and a, in another order than the requests.
        stepper.step(new CoreInput.Received(StackName.NODE, "Node1", Codec.encode(new Propagate(List.of(a, b, f))),
                List.of(verdictOn(f, true), verdictOn(a, true)), null));
        assertThat(verifications).as("b alone came without a verdict").isEqualTo(1);
        // All three are held as valid: the clients' copies are acknowledged, none verified again.
        for (Request r : List.of(a, b, f)) {
            stepper.step(new CoreInput.Received(StackName.CLIENT, "c1", Codec.encode(r)));
        }
        assertThat(verifications).isEqualTo(1);
        assertThat(toClients).containsExactly(new ReqAck(identifier, 1), new ReqAck(identifier, 2), new ReqAck(identifier, 3));
    }

    @Test
    void theMessageTheStackDecodedAlreadyIsTakenAndTheCoreDecidesAsWithTheBytesAlone() {
        Request a = signed(1);
        Request b = signed(2);
        stepper.step(new CoreInput.Received(StackName.CLIENT, "c1", Codec.encode(a)));
        stepper.step(new CoreInput.Received(StackName.CLIENT, "c1", Codec.encode(b), null, b));
        assertThat(toClients).containsExactly(new ReqAck(identifier, 1), new ReqAck(identifier, 2));
        // Taken, not decoded again: bytes that do not decode (which the precheck never pairs with a message)
        // show it; the core acts on the message it was handed.
        Request c = signed(3);
        stepper.step(new CoreInput.Received(StackName.CLIENT, "c1", "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8), null, c));
        assertThat(toClients).last().isEqualTo(new ReqAck(identifier, 3));
    }
}
