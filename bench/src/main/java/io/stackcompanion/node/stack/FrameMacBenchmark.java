package io.stackcompanion.node.stack;

import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Propagate;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.tools.LoadGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What a node link's frame tag costs per frame ({@link FrameMac}: HMAC-SHA256 over the sequence number
 * and the payload, 16 bytes kept): {@code tag} is the sender's side, {@code tagAndVerify} both sides of
 * one frame (seal, then open on the receiving end of the same link). Payloads are real messages as
 * the codec encodes them: a COMMIT, a PROPAGATE of one signed request as {@code load.sh} sends it, and
 * PRE-PREPAREs of 10 and of 100 ({@code MAX_BATCH_SIZE}'s default) request digests. Score: µs per frame.
 * In this package because {@link FrameMac} is the node stack's own; nothing here is reachable from a node.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FrameMacBenchmark {
    /** The message in the frame. */
    @Param({"COMMIT", "PROPAGATE", "PRE_PREPARE_10", "PRE_PREPARE_100"})
    public String frame;

    private byte[] payload;
    private FrameMac sealer;
    private FrameMac opener;
    private FrameMac sealOnly;

    @Setup
    public void link() {
        payload = Codec.encodeForNodeStack(message(frame)); // as the node stack sends it (binary since format 1)
        SecureRandom random = new SecureRandom();
        FrameMac.Ephemeral dialer = FrameMac.Ephemeral.generate(random);
        FrameMac.Ephemeral acceptor = FrameMac.Ephemeral.generate(random);
        byte[] transcript = "a handshake's transcript".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        FrameMac.Pair dialerSide = FrameMac.derive(dialer, acceptor.publicKey(), transcript, true);
        FrameMac.Pair acceptorSide = FrameMac.derive(acceptor, dialer.publicKey(), transcript, false);
        sealer = dialerSide.sealer();
        opener = acceptorSide.opener(); // the same direction, dialer to acceptor
        sealOnly = acceptorSide.sealer();
        System.out.println(frame + ": " + payload.length + " bytes of payload");
    }

    @Benchmark
    public byte[] tag() {
        return sealOnly.seal(payload);
    }

    @Benchmark
    public byte[] tagAndVerify() throws FrameMac.Forged {
        return opener.open(sealer.seal(payload));
    }

    static Message message(String kind) {
        Random random = new Random(18);
        return switch (kind) {
            case "COMMIT" -> new Commit(0, 123_456, hex(random));
            case "PROPAGATE" -> new Propagate(List.of(signedRequest(Keys.generate(), 1)));
            case "PRE_PREPARE_10" -> prePrepare(random, 10);
            case "PRE_PREPARE_100" -> prePrepare(random, 100);
            default -> throw new IllegalArgumentException("no frame kind " + kind);
        };
    }

    private static PrePrepare prePrepare(Random random, int digests) {
        List<String> ds = new ArrayList<>();
        for (int i = 0; i < digests; i++) {
            ds.add(hex(random));
        }
        return new PrePrepare(0, 123_456, 1_795_000_000_000L, ds, 1_234_000, hex(random), hex(random));
    }

    /** A request as {@code load.sh} sends it: a PUT of a 100-character value, signed. */
    private static Request signedRequest(KeyPair keys, long reqId) {
        String identifier = Keys.encodePublic(keys.getPublic());
        Request unsigned = new Request(identifier, reqId, LoadGenerator.operation(1, (int) reqId), null);
        String signature = Base64.getEncoder().encodeToString(Keys.sign(keys.getPrivate(), Codec.signingBytes(unsigned)));
        return new Request(identifier, reqId, unsigned.operation(), signature);
    }

    private static String hex(Random random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
