package io.stackcompanion.node.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;

/**
 * How the core checks a client's Ed25519 signature: {@link #DIRECT} ({@link Keys#verify}) in a node
 * and in a replay. The answer must be that of {@link Keys#verify} for the same arguments (a pure
 * function of its arguments); an implementation may only be faster, e.g. the simulator's memo, which
 * verifies the bytes that its four simulated nodes all receive once rather than four times, or a live
 * node's check of a client's request on the client stack's thread, before the core needs the answer.
 */
@FunctionalInterface
public interface SignatureVerifier {
    /** {@link Keys#verify}, every time. */
    SignatureVerifier DIRECT = Keys::verify;

    /** True only if {@code signature} is a valid Ed25519 signature of {@code data} by {@code key}. */
    boolean verify(PublicKey key, byte[] data, byte[] signature);

    /**
     * The three arguments of {@link #verify} as one memo key, compared in full: the algorithm, then
     * each part with its length, so no two different argument lists make the same key. Null when an
     * argument is missing (such a call is never remembered).
     */
    static ByteBuffer argumentsKey(PublicKey key, byte[] data, byte[] signature) {
        byte[] encoded = key == null ? null : key.getEncoded();
        if (encoded == null || signature == null || data == null) {
            return null;
        }
        byte[] algorithm = key.getAlgorithm().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(16 + algorithm.length + encoded.length + data.length + signature.length)
                .putInt(algorithm.length).put(algorithm)
                .putInt(encoded.length).put(encoded)
                .putInt(signature.length).put(signature)
                .putInt(data.length).put(data)
                .flip();
    }
}
