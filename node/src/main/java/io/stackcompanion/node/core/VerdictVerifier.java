package io.stackcompanion.node.core;

import io.stackcompanion.node.crypto.SignatureVerdict;
import io.stackcompanion.node.crypto.SignatureVerifier;

import java.security.PublicKey;

/**
 * The core's signature checks: the verdict that came with the input being handled answers the one
 * question it names (key, data and signature, by digest), once; every other question goes to the
 * verifier underneath. The verdict's answer is that verifier's answer to the same question, so the
 * core decides the same either way; it only does not pay for the Ed25519 verification twice.
 */
final class VerdictVerifier implements SignatureVerifier {
    private final SignatureVerifier underneath;
    private SignatureVerdict offered;

    VerdictVerifier(SignatureVerifier underneath) {
        this.underneath = underneath;
    }

    /** For the input about to be handled; {@code null} clears it. */
    void offer(SignatureVerdict verdict) {
        offered = verdict;
    }

    @Override
    public boolean verify(PublicKey key, byte[] data, byte[] signature) {
        SignatureVerdict v = offered;
        if (v != null && v.answers(key, data, signature)) {
            offered = null;
            return v.valid();
        }
        return underneath.verify(key, data, signature);
    }
}
