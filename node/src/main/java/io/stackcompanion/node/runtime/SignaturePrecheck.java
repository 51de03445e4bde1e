package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.SignatureVerdict;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.Propagate;
import io.stackcompanion.node.message.Request;

import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A live node's client signatures, checked off the core thread: the stacks' network threads verify
 * each client request they receive, a client's REQUEST on the client stack and the requests of
 * another node's PROPAGATE on the node stack, and hand the input on with a {@link SignatureVerdict}
 * per request verified; the core takes those answers instead of verifying. Ed25519 verification
 * would otherwise be most of the core thread's work per write; here it runs beside the core, and the
 * recording keeps the verdicts with the input, so that a replay need not verify at all.
 *
 * <p>The message it decoded travels with the input ({@link CoreInput.Received#decoded()}), so the core
 * does not decode the same bytes again.
 *
 * <p>Each request is verified once per node, whichever copy comes first (the client's, or a
 * PROPAGATE's): the first stack thread to meet it claims it, and the copies after it travel
 * without a verdict, since the core holds the request by then and does not verify it again. The
 * claims are hints only: whatever they hold, the core decides exactly as it would verifying itself
 * (a verdict is {@link SignatureVerifier#DIRECT}'s answer to the exact question it names, by
 * digest), and a copy that reaches the core before the claimed one costs the core one
 * verification. What the core verified itself is claimed too. Thread-safe.
 */
public final class SignaturePrecheck {
    /** Claims kept per generation; two generations are kept (a dropped claim costs one verification at worst). */
    static final int HINTS = 16_384;

    private final SignatureVerifier verifier;
    /** Digests of (key, data, signature) verified, or being verified, on a stack or by the core. */
    private volatile Set<ByteBuffer> claimed = ConcurrentHashMap.newKeySet();
    private volatile Set<ByteBuffer> claimedBefore = ConcurrentHashMap.newKeySet();

    public SignaturePrecheck() {
        this(SignatureVerifier.DIRECT);
    }

    SignaturePrecheck(SignatureVerifier verifier) {
        this.verifier = verifier;
    }

    /**
     * On a stack's thread, before the input is enqueued: a client's request, or a node's PROPAGATE,
     * comes back with the verdicts of the signatures not claimed yet, and decoded; anything else comes
     * back decoded, and anything malformed as it was, for the core.
     */
    public CoreInput precheck(CoreInput input) {
        if (!(input instanceof CoreInput.Received r) || !r.verdicts().isEmpty() || r.decoded() != null) {
            return input;
        }
        Message m;
        try {
            m = Codec.decode(r.bytes());
        } catch (MalformedMessageException | RuntimeException e) {
            return input; // the core reads the same bytes and says what is wrong with them, in order
        }
        List<Request> requests = r.stack() == StackName.CLIENT ? (m instanceof Request req ? List.of(req) : List.of())
                : m instanceof Propagate p ? p.requests() : List.of();
        List<SignatureVerdict> verdicts = new ArrayList<>(requests.size());
        for (Request req : requests) {
            SignatureVerdict v = verdict(req);
            if (v != null) {
                verdicts.add(v);
            }
        }
        return new CoreInput.Received(r.stack(), r.peer(), r.bytes(), verdicts, m);
    }

    /** The verdict on {@code req}'s signature, or null if it is claimed already or cannot be checked (the core says why). */
    private SignatureVerdict verdict(Request req) {
        if (req.identifier() == null || req.operation() == null || req.signature() == null) {
            return null;
        }
        try {
            PublicKey key = Keys.decodePublic(req.identifier());
            byte[] data = Codec.signingBytes(req);
            byte[] signature = Base64.getDecoder().decode(req.signature());
            byte[] of = SignatureVerdict.digest(key, data, signature);
            if (of == null || !claim(of)) {
                return null;
            }
            boolean valid = verifier.verify(key, data, signature);
            if (!valid) {
                unclaim(of); // not held by the core: the next copy is verified here again, not on the core
            }
            return new SignatureVerdict(of, valid);
        } catch (RuntimeException e) {
            return null; // a key or signature that does not decode: the core rejects it, saying so
        }
    }

    /** True if nobody claimed {@code of} before: then this caller verifies it. */
    private boolean claim(byte[] of) {
        ByteBuffer k = ByteBuffer.wrap(of);
        if (claimedBefore.contains(k) || !claimed.add(k)) {
            return false;
        }
        if (claimed.size() >= HINTS) {
            rotate();
        }
        return true;
    }

    private void unclaim(byte[] of) {
        ByteBuffer k = ByteBuffer.wrap(of);
        claimed.remove(k);
        claimedBefore.remove(k);
    }

    private synchronized void rotate() {
        if (claimed.size() >= HINTS) {
            claimedBefore = claimed;
            claimed = ConcurrentHashMap.newKeySet();
        }
    }

    /**
     * The live core's own verifier: {@link SignatureVerifier#DIRECT}, claiming what it found valid, so
     * that later copies of a request the core verified (a PROPAGATE's came before the precheck had
     * claimed it) are not verified again on a stack.
     */
    public SignatureVerifier coreVerifier() {
        return (key, data, signature) -> {
            boolean valid = verifier.verify(key, data, signature);
            byte[] of = valid ? SignatureVerdict.digest(key, data, signature) : null;
            if (of != null) {
                claim(of);
            }
            return valid;
        };
    }
}
