package io.stackcompanion.bench;

import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Prepare;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The node's message codec ({@link Codec}): each node-stack message of the hot path in both wire
 * forms side by side, JSON (Jackson; what the node stack sent before the binary form, and what the
 * client stack still speaks) and binary ({@link Codec#encodeBinary}). The messages: a PROPAGATE
 * carrying one signed client request as the load generator sends it, a PREPARE, a COMMIT, and
 * PRE-PREPAREs of 10 and of 100 request digests (a full batch). Score: messages per second.
 * {@link #main} prints the bytes per message in each form.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBenchmark {
    private Propagate propagate;

    /** One message, in both forms. */
    @State(Scope.Benchmark)
    public static class Msg {
        @Param({"PROPAGATE", "PREPARE", "COMMIT", "PREPREPARE_10", "PREPREPARE_100"})
        public String kind;
        Message message;
        byte[] json;
        byte[] binary;

        @Setup
        public void make() {
            message = CodecBenchmark.message(kind);
            json = Codec.encode(message);
            binary = Codec.encodeBinary(message);
        }
    }

    @Setup
    public void messages() {
        propagate = (Propagate) message("PROPAGATE");
    }

    /** The message {@code kind} names (the same on every call: the load generator's key, a fixed seed). */
    static Message message(String kind) {
        Random random = new Random(7);
        String digest = BenchData.hex(random, 64);
        return switch (kind) {
            case "PROPAGATE" -> new Propagate(List.of(signedRequest(Keys.generate(), 1)));
            case "PREPARE" -> new Prepare(3, 1234, digest);
            case "COMMIT" -> new Commit(3, 1234, digest);
            case "PREPREPARE_10" -> prePrepare(random, 10);
            case "PREPREPARE_100" -> prePrepare(random, 100);
            default -> throw new IllegalArgumentException("no message " + kind);
        };
    }

    private static PrePrepare prePrepare(Random random, int digests) {
        List<String> reqDigests = new ArrayList<>();
        for (int i = 0; i < digests; i++) {
            reqDigests.add(BenchData.hex(random, 64));
        }
        return new PrePrepare(0, 1234, 1_795_000_000_000L, reqDigests, 123_400, BenchData.hex(random, 64), BenchData.hex(random, 64));
    }

    /** A request as {@code load.sh} sends it: a PUT of a 100-character value, signed. */
    static Request signedRequest(KeyPair keys, long reqId) {
        String identifier = Keys.encodePublic(keys.getPublic());
        Request unsigned = new Request(identifier, reqId, LoadGenerator.operation(1, (int) reqId), null);
        String signature = Base64.getEncoder().encodeToString(Keys.sign(keys.getPrivate(), Codec.signingBytes(unsigned)));
        return new Request(identifier, reqId, unsigned.operation(), signature);
    }

    @Benchmark
    public byte[] encodeJson(Msg m) {
        return Codec.encode(m.message);
    }

    @Benchmark
    public byte[] encodeBinary(Msg m) {
        return Codec.encodeBinary(m.message);
    }

    @Benchmark
    public Message decodeJson(Msg m) throws MalformedMessageException {
        return Codec.decode(m.json);
    }

    @Benchmark
    public Message decodeBinary(Msg m) throws MalformedMessageException {
        return Codec.decode(m.binary);
    }

    /** A request's digest (SHA-256 of its signing bytes): computed for every request on every node. */
    @Benchmark
    public String requestDigest() {
        return Codec.digest(propagate.requests().get(0));
    }

    /** Bytes per message in each form: {@code java -cp BENCH_CLASSPATH io.stackcompanion.bench.CodecBenchmark}. */
    public static void main(String[] args) {
        System.out.printf("%-16s %8s %8s %7s%n", "message", "json", "binary", "ratio");
        for (String kind : List.of("PROPAGATE", "PREPARE", "COMMIT", "PREPREPARE_10", "PREPREPARE_100")) {
            Message m = message(kind);
            int json = Codec.encode(m).length;
            int binary = Codec.encodeBinary(m).length;
            System.out.printf("%-16s %8d %8d %7.2f%n", kind, json, binary, (double) binary / json);
        }
    }
}
