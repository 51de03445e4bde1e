package io.stackcompanion.bench;

import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Request;

import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Ed25519 as the node uses it ({@link Keys}, Bouncy Castle): every node verifies every client
 * request once, so {@code verify} bounds a node's ordered writes per core. Score: operations per
 * second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SignatureBenchmark {
    private KeyPair keys;
    private PublicKey publicKey;
    private byte[] signingBytes;
    private byte[] signature;

    @Setup
    public void sign() {
        keys = Keys.generate();
        Request request = CodecBenchmark.signedRequest(keys, 1);
        // The node decodes the identifier and signature from the request, as here.
        publicKey = Keys.decodePublic(request.identifier());
        signingBytes = Codec.signingBytes(request);
        signature = Base64.getDecoder().decode(request.signature());
        if (!Keys.verify(publicKey, signingBytes, signature)) {
            throw new IllegalStateException("the benchmark's signature does not verify");
        }
    }

    @Benchmark
    public boolean verify() {
        return Keys.verify(publicKey, signingBytes, signature);
    }

    @Benchmark
    public byte[] signRequest() {
        return Keys.sign(keys.getPrivate(), signingBytes);
    }
}
