package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.SignatureVerifier;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.Request;

import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A live node's client signatures, checked off the core thread: the client stack's network thread
 * verifies each request it receives before it enqueues the input ({@link #precheck}), and the core,
 * this being its {@link SignatureVerifier}, takes the answer instead of verifying again. Ed25519
 * verification is most of the core thread's work per write; here it runs beside the core.
 *
 * <p>Determinism: the answer is {@link SignatureVerifier#DIRECT}'s, a pure function of the key, the
 * data and the signature, all three the memo's key (compared in full). So the core decides exactly
 * what it would have decided verifying by itself, and a replay, which verifies on its core thread,
 * decides the same: nothing about the check is recorded, because nothing about it can differ. An
 * answer the core never asks for (a request refused before its signature is looked at) is dropped
 * when the memo is full, least recently used first; a question the memo cannot answer is verified
 * on the spot. Thread-safe.
 */
public final class SignaturePrecheck implements SignatureVerifier {
    /** Answers kept: the requests between the client stack's thread and the core, with room to spare. */
    static final int CAPACITY = 8192;

    private final SignatureVerifier verifier;
    private final Map<ByteBuffer, Boolean> answers = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
            return size() > CAPACITY;
        }
    };
    private final AtomicLong prechecked = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();

    public SignaturePrecheck() {
        this(SignatureVerifier.DIRECT);
    }

    SignaturePrecheck(SignatureVerifier verifier) {
        this.verifier = verifier;
    }

    /**
     * On a stack's thread, before {@code input} is enqueued: a client's request has its signature
     * verified now. Anything else, and anything malformed, is left to the core.
     */
    public void precheck(CoreInput input) {
        if (!(input instanceof CoreInput.Received r) || r.stack() != StackName.CLIENT) {
            return;
        }
        try {
            Message m = Codec.decode(r.bytes());
            if (!(m instanceof Request req) || req.identifier() == null || req.operation() == null || req.signature() == null) {
                return;
            }
            PublicKey key = Keys.decodePublic(req.identifier());
            byte[] signature = Base64.getDecoder().decode(req.signature());
            byte[] data = Codec.signingBytes(req);
            ByteBuffer k = SignatureVerifier.argumentsKey(key, data, signature);
            if (k == null) {
                return;
            }
            boolean valid = verifier.verify(key, data, signature);
            synchronized (answers) {
                answers.put(k, valid);
            }
            prechecked.incrementAndGet();
        } catch (MalformedMessageException | RuntimeException e) {
            // The core reads the same bytes and says what is wrong with them, in order.
        }
    }

    @Override
    public boolean verify(PublicKey key, byte[] data, byte[] signature) {
        ByteBuffer k = SignatureVerifier.argumentsKey(key, data, signature);
        if (k != null) {
            Boolean known;
            synchronized (answers) {
                known = answers.remove(k);
            }
            if (known != null) {
                answered.incrementAndGet();
                return known;
            }
        }
        return verifier.verify(key, data, signature);
    }

    /** Requests whose signature a stack's thread verified. */
    public long prechecked() {
        return prechecked.get();
    }

    /** Of the core's questions, those the precheck answered. */
    public long answered() {
        return answered.get();
    }
}
