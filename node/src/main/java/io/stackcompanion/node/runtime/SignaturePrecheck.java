package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.Propagator;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A live node's client signatures, checked off the core thread: the stacks' network threads verify
 * the client requests they receive, a client's REQUEST on the client stack and the requests of
 * another node's PROPAGATE on the node stack, and hand the input on with a {@link SignatureVerdict}
 * per request; the core takes those answers instead of verifying. Ed25519 verification would
 * otherwise be most of the core thread's work per write; here it runs beside the core (before the
 * stack takes its lock to enqueue, see {@link io.stackcompanion.node.stack.PreparingSink}), and the
 * recording keeps the verdicts with the input, so that a replay need not verify at all.
 *
 * <p>The message it decoded travels with the input ({@link CoreInput.Received#decoded()}), so the core
 * does not decode the same bytes again.
 *
 * <p>Each signature is verified once per node, on whichever copy of the request comes first, and the
 * answer is kept: a client's later copy (a resend, or the client's own copy after a PROPAGATE's) gets
 * it again, since the core verifies a client's request it does not hold (one ordered already); a
 * PROPAGATE's later copy of a valid request gets none, since the core holds that request or ordered
 * it, and verifies neither again; an invalid signature's answer comes with every copy, since the
 * core holds no invalid request. Malformed requests (the core rejects them before verifying) are
 * not verified. The answers kept are hints only: whatever they hold, the core decides exactly as it
 * would verifying itself (a verdict is {@link SignatureVerifier#DIRECT}'s answer to the exact
 * question it names, by digest), and a copy that overtakes the first one costs the core one
 * verification. What the core verified itself is kept too. Thread-safe.
 */
public final class SignaturePrecheck {
    /** Answers kept per generation; two generations are kept (a dropped answer costs one verification at worst). */
    static final int HINTS = 16_384;

    private enum Answer { PENDING, VALID, INVALID }

    private final SignatureVerifier verifier;
    /** By digest of (key, data, signature): what a stack thread or the core found, or is finding. */
    private volatile Map<ByteBuffer, Answer> answers = new ConcurrentHashMap<>();
    private volatile Map<ByteBuffer, Answer> answersBefore = new ConcurrentHashMap<>();

    public SignaturePrecheck() {
        this(SignatureVerifier.DIRECT);
    }

    SignaturePrecheck(SignatureVerifier verifier) {
        this.verifier = verifier;
    }

    /**
     * On a stack's thread, before the input is enqueued: a client's request, or a node's PROPAGATE,
     * comes back with the verdicts the core will ask for, and decoded; anything else comes back
     * decoded, and anything malformed as it was, for the core.
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
        boolean fromClient = r.stack() == StackName.CLIENT;
        List<Request> requests = fromClient ? (m instanceof Request req ? List.of(req) : List.of())
                : m instanceof Propagate p ? p.requests() : List.of();
        List<SignatureVerdict> verdicts = new ArrayList<>(requests.size());
        for (Request req : requests) {
            SignatureVerdict v = verdict(req, fromClient);
            if (v != null) {
                verdicts.add(v);
            }
        }
        return new CoreInput.Received(r.stack(), r.peer(), r.bytes(), verdicts, m);
    }

    /** The verdict on {@code req}'s signature the core will ask for, or null if it will not ask (or the core says why it cannot). */
    private SignatureVerdict verdict(Request req, boolean fromClient) {
        if (Propagator.shapeProblem(req).isPresent()) {
            return null; // rejected by the core before any verification
        }
        try {
            PublicKey key = Keys.decodePublic(req.identifier());
            byte[] data = Codec.signingBytes(req);
            byte[] signature = Base64.getDecoder().decode(req.signature());
            byte[] of = SignatureVerdict.digest(key, data, signature);
            if (of == null) {
                return null;
            }
            ByteBuffer k = ByteBuffer.wrap(of);
            Answer known = known(k);
            if (known == null) {
                known = answers.putIfAbsent(k, Answer.PENDING);
                if (known == null) { // this thread checks it
                    boolean valid = verifier.verify(key, data, signature);
                    keep(k, valid ? Answer.VALID : Answer.INVALID);
                    return new SignatureVerdict(of, valid);
                }
            }
            return switch (known) {
                // another thread is checking this copy's twin, whose input will most likely reach the core
                // first (if not, the core verifies this one: rare, and the same answer)
                case PENDING -> null;
                case VALID -> fromClient ? new SignatureVerdict(of, true) : null;
                case INVALID -> new SignatureVerdict(of, false);
            };
        } catch (RuntimeException e) {
            return null; // a key or signature that does not decode: the core rejects it, saying so
        }
    }

    private Answer known(ByteBuffer k) {
        Answer a = answers.get(k);
        return a != null ? a : answersBefore.get(k);
    }

    private void keep(ByteBuffer k, Answer a) {
        answers.put(k, a);
        if (answers.size() >= HINTS) {
            rotate();
        }
    }

    private synchronized void rotate() {
        if (answers.size() >= HINTS) {
            answersBefore = answers;
            answers = new ConcurrentHashMap<>();
        }
    }

    /**
     * The live core's own verifier: {@link SignatureVerifier#DIRECT}, keeping what it found valid, so
     * that the later copies of a request the core verified (a PROPAGATE's came before the precheck's)
     * are not verified again on a stack.
     */
    public SignatureVerifier coreVerifier() {
        return (key, data, signature) -> {
            boolean valid = verifier.verify(key, data, signature);
            byte[] of = valid ? SignatureVerdict.digest(key, data, signature) : null;
            if (of != null) {
                keep(ByteBuffer.wrap(of), Answer.VALID);
            }
            return valid;
        };
    }
}
