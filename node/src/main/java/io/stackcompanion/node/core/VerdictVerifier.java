package io.stackcompanion.node.core;

import io.stackcompanion.node.crypto.SignatureVerdict;
import io.stackcompanion.node.crypto.SignatureVerifier;

import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;

/**
 * The core's signature checks: the verdicts that came with the input being handled answer the
 * questions they name (key, data and signature, by digest); every other question goes to the
 * verifier underneath. A verdict's answer is that verifier's answer to the same question, so the
 * core decides the same either way; it only does not pay for the Ed25519 verification twice.
 */
final class VerdictVerifier implements SignatureVerifier {
    private final SignatureVerifier underneath;
    private List<SignatureVerdict> offered = List.of();

    VerdictVerifier(SignatureVerifier underneath) {
        this.underneath = underneath;
    }

    /** For the input about to be handled; an empty list clears them. */
    void offer(List<SignatureVerdict> verdicts) {
        offered = verdicts;
    }

    @Override
    public boolean verify(PublicKey key, byte[] data, byte[] signature) {
        if (!offered.isEmpty()) {
            byte[] of = SignatureVerdict.digest(key, data, signature);
            for (SignatureVerdict v : offered) {
                if (Arrays.equals(v.of(), of)) {
                    return v.valid();
                }
            }
        }
        return underneath.verify(key, data, signature);
    }
}
