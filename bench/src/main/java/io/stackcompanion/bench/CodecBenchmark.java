package io.stackcompanion.bench;

import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Propagate;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.tools.LoadGenerator;

import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The node's message codec ({@link Codec}, Jackson): a PROPAGATE carrying one signed client
 * request as the load generator sends it, and a PRE-PREPARE of a full batch (100 request digests).
 * Score: messages per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBenchmark {
    private Propagate propagate;
    private PrePrepare prePrepare;
    private byte[] propagateBytes;
    private byte[] prePrepareBytes;

    @Setup
    public void messages() {
        propagate = new Propagate(List.of(signedRequest(Keys.generate(), 1)));
        Random random = new Random(7);
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            digests.add(BenchData.hex(random, 64));
        }
        prePrepare = new PrePrepare(0, 1234, 1_795_000_000_000L, digests, 123_400,
                BenchData.hex(random, 64), BenchData.hex(random, 64));
        propagateBytes = Codec.encode(propagate);
        prePrepareBytes = Codec.encode(prePrepare);
    }

    /** A request as {@code load.sh} sends it: a PUT of a 100-character value, signed. */
    static Request signedRequest(KeyPair keys, long reqId) {
        String identifier = Keys.encodePublic(keys.getPublic());
        Request unsigned = new Request(identifier, reqId, LoadGenerator.operation(1, (int) reqId), null);
        String signature = Base64.getEncoder().encodeToString(Keys.sign(keys.getPrivate(), Codec.signingBytes(unsigned)));
        return new Request(identifier, reqId, unsigned.operation(), signature);
    }

    @Benchmark
    public byte[] encodePropagate() {
        return Codec.encode(propagate);
    }

    @Benchmark
    public Message decodePropagate() throws MalformedMessageException {
        return Codec.decode(propagateBytes);
    }

    @Benchmark
    public byte[] encodePrePrepare() {
        return Codec.encode(prePrepare);
    }

    @Benchmark
    public Message decodePrePrepare() throws MalformedMessageException {
        return Codec.decode(prePrepareBytes);
    }

    /** A request's digest (SHA-256 of its signing bytes): computed for every request on every node. */
    @Benchmark
    public String requestDigest() {
        return Codec.digest(propagate.requests().get(0));
    }
}
