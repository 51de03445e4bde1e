package io.stackcompanion.sim.world;

import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.crypto.SignatureVerifier;

import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The simulated pool's signature checks: {@link Keys#verify}, remembered. Every simulated node
 * receives the same signed request (from the client, then in PROPAGATEs) and verifies the same
 * bytes; here only the first of them pays for the Ed25519 verification (about 150 µs, most of a
 * simulation's time otherwise). The answer is a pure function of the key, the data and the
 * signature, all three the key of the memo (compared in full), so a hit answers exactly what the
 * verification would: runs, traces and recordings are the same with or without it. A replay never
 * uses it (its core verifies for real). Bounded: the least recently used answer goes first.
 * One pool's, so one thread's: not thread-safe.
 */
public final class VerificationMemo implements SignatureVerifier {
    /** Answers kept: requests in flight at once are far fewer (a request is verified by the nodes within milliseconds). */
    static final int CAPACITY = 4096;

    private final Map<ByteBuffer, Boolean> answers = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
            return size() > CAPACITY;
        }
    };
    private long hits;
    private long misses;

    @Override
    public boolean verify(PublicKey key, byte[] data, byte[] signature) {
        ByteBuffer k = SignatureVerifier.argumentsKey(key, data, signature);
        if (k == null) {
            return Keys.verify(key, data, signature);
        }
        Boolean known = answers.get(k);
        if (known != null) {
            hits++;
            return known;
        }
        misses++;
        boolean valid = Keys.verify(key, data, signature);
        answers.put(k, valid);
        return valid;
    }

    /** Checks answered from the memo. */
    public long hits() {
        return hits;
    }

    /** Checks that ran the Ed25519 verification. */
    public long misses() {
        return misses;
    }
}
