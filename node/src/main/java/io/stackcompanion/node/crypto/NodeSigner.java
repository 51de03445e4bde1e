package io.stackcompanion.node.crypto;

import java.security.KeyPair;
import java.security.PrivateKey;

/**
 * How the core signs what it must prove to third parties (its VIEW_CHANGEs, shown to every replica in
 * the next primary's NEW_VIEW) with its node's Ed25519 key: {@link #of} in a node and in the simulator.
 * A replay has no secret key: it gives the signatures the recorded node made for the same bytes
 * (Ed25519 is deterministic), so an unchanged node replays to the same messages.
 */
@FunctionalInterface
public interface NodeSigner {
    /** The Ed25519 signature of {@code data}. */
    byte[] sign(byte[] data);

    static NodeSigner of(PrivateKey key) {
        return data -> Keys.sign(key, data);
    }

    static NodeSigner of(KeyPair keys) {
        return data -> Keys.sign(keys, data);
    }
}
