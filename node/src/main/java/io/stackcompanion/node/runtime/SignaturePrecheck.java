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

import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A live node's client signatures, checked off the core thread: the client stack's network thread
 * verifies each request it receives and hands the input on with the {@link SignatureVerdict}; the
 * core takes that answer instead of verifying again. Ed25519 verification is most of the core
 * thread's work per write; here it runs beside the core, and the recording keeps the verdict with
 * the input, so that a replay need not verify at all.
 *
 * <p>The message it decoded travels with the input ({@link CoreInput.Received#decoded()}), so the core does
 * not decode the same bytes again.
 *
 * <p>Determinism: the verdict is {@link SignatureVerifier#DIRECT}'s answer, a pure function of the
 * key, the data and the signature, and the core takes it only for exactly those (by digest), so it
 * decides what it would have decided verifying itself.
 *
 * <p>A request whose PROPAGATE reached the core before the client's own copy was verified by the core
 * already, and the core does not verify the same request twice: {@link #coreVerifier()} notes what the
 * core found valid, and the precheck skips those (a hint only: whatever it holds, each side decides
 * exactly as before; a missed hint costs one verification). Thread-safe.
 */
public final class SignaturePrecheck {
    /** Hints kept at most; past that they are dropped at once (each costs one verification at worst). */
    static final int HINTS = 16_384;

    private final SignatureVerifier verifier;
    /** Digests of (key, data, signature) the core verified valid, not yet met again here. */
    private final Set<ByteBuffer> validOnCore = ConcurrentHashMap.newKeySet();

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
                return new CoreInput.Received(r.stack(), r.peer(), r.bytes(), null, m); // decoded once, for the core
            }
            PublicKey key = Keys.decodePublic(req.identifier());
            byte[] data = Codec.signingBytes(req);
            byte[] signature = Base64.getDecoder().decode(req.signature());
            byte[] of = SignatureVerdict.digest(key, data, signature);
            if (of == null || validOnCore.remove(ByteBuffer.wrap(of))) {
                // the core holds this very request, verified: it will not ask
                return new CoreInput.Received(r.stack(), r.peer(), r.bytes(), null, req);
            }
            return new CoreInput.Received(r.stack(), r.peer(), r.bytes(), new SignatureVerdict(of, verifier.verify(key, data, signature)), req);
        } catch (MalformedMessageException | RuntimeException e) {
            return input; // the core reads the same bytes and says what is wrong with them, in order
        }
    }

    /**
     * The live core's own verifier: {@link SignatureVerifier#DIRECT}, noting what it found valid so that
     * the client's copy of a request the core verified from a PROPAGATE is not verified again here.
     */
    public SignatureVerifier coreVerifier() {
        return (key, data, signature) -> {
            boolean valid = verifier.verify(key, data, signature);
            byte[] of = valid ? SignatureVerdict.digest(key, data, signature) : null;
            if (of != null) {
                if (validOnCore.size() >= HINTS) {
                    validOnCore.clear();
                }
                validOnCore.add(ByteBuffer.wrap(of));
            }
            return valid;
        };
    }
}
