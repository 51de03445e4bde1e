package io.stackcompanion.node.crypto;

import java.security.PublicKey;

/**
 * How the core checks a client's Ed25519 signature: {@link #DIRECT} ({@link Keys#verify}) in a node
 * and in a replay. The answer must be that of {@link Keys#verify} for the same arguments (a pure
 * function of its arguments); an implementation may only be faster, e.g. the simulator's memo, which
 * verifies the bytes that its four simulated nodes all receive once rather than four times.
 */
@FunctionalInterface
public interface SignatureVerifier {
    /** {@link Keys#verify}, every time. */
    SignatureVerifier DIRECT = Keys::verify;

    /** True only if {@code signature} is a valid Ed25519 signature of {@code data} by {@code key}. */
    boolean verify(PublicKey key, byte[] data, byte[] signature);
}
