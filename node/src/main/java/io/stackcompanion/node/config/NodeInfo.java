package io.stackcompanion.node.config;

import java.util.Objects;

/** One node as the pool genesis lists it: where it listens and the public key it proves it holds. */
public record NodeInfo(String name, String host, int nodePort, int clientPort, String publicKey) {
    public NodeInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(publicKey, "publicKey");
    }
}
