package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.SignatureVerdict;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.Request;

import java.util.Base64;

/**
 * A live node's client signatures, checked off the core thread: the client stack's network thread
 * verifies each request it receives and hands the input on with the {@link SignatureVerdict}; the
 * core takes that answer instead of verifying again. Ed25519 verification is most of the core
 * thread's work per write; here it runs beside the core, and the recording keeps the verdict with
 * the input, so that a replay need not verify at all.
 *
 * <p>Determinism: the verdict is {@link SignatureVerifier#DIRECT}'s answer, a pure function of the
 * key, the data and the signature, and the core takes it only for exactly those (by digest), so it
 * decides what it would have decided verifying itself. Stateless and thread-safe.
 */
public final class SignaturePrecheck {
    private final SignatureVerifier verifier;

    public SignaturePrecheck() {
        this(SignatureVerifier.DIRECT);
    }

    SignaturePrecheck(SignatureVerifier verifier) {
        this.verifier = verifier;
    }

    /**
     * On a stack's thread, before the input is enqueued: a client's request comes back with its
     * signature's verdict; anything else, and anything malformed, comes back as it was, for the core.
     */
    public CoreInput precheck(CoreInput input) {
        if (!(input instanceof CoreInput.Received r) || r.stack() != StackName.CLIENT || r.verdict() != null) {
            return input;
        }
        try {
            Message m = Codec.decode(r.bytes());
            if (!(m instanceof Request req) || req.identifier() == null || req.operation() == null || req.signature() == null) {
                return input;
            }
            SignatureVerdict verdict = SignatureVerdict.check(verifier, Keys.decodePublic(req.identifier()),
                    Codec.signingBytes(req), Base64.getDecoder().decode(req.signature()));
            return verdict == null ? input : new CoreInput.Received(r.stack(), r.peer(), r.bytes(), verdict);
        } catch (MalformedMessageException | RuntimeException e) {
            return input; // the core reads the same bytes and says what is wrong with them, in order
        }
    }
}
