package io.stackcompanion.bench;

import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Request;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.SodiumJava;
import com.goterl.lazysodium.utils.LibraryLoader;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Ed25519 as the node uses it: every node verifies every client request once, so {@code verify}
 * bounds a node's ordered writes per core; a client signs every request. The implementations side
 * by side, on one request as {@code load.sh} sends it. Score: microseconds per operation.
 * <ul>
 *   <li>{@code verify}: {@link Keys#verify}, as the node calls it (AWS-LC where it loads, else
 *       Bouncy Castle with the key's point cached);</li>
 *   <li>{@code verifyBadSignature}: {@link Keys#verify} of a signature with one bit changed, which
 *       AWS-LC rejects and Bouncy Castle then decides;</li>
 *   <li>{@code decodeKeyAndVerify}: what the node does per request: the key from its base64
 *       identifier ({@link Keys#decodePublic}), then {@link Keys#verify};</li>
 *   <li>{@code verifyBcBytes}: Bouncy Castle's {@code Ed25519.verify} on the key's 32 bytes, which
 *       decodes the key's point every call ({@link Keys#verify} before its key cache);</li>
 *   <li>{@code verifyBcCachedPoint}: Bouncy Castle with the key's point decoded once
 *       ({@code validatePublicKeyPartialExport}, the same checks as the line above);</li>
 *   <li>{@code verifyJdk}: the JDK's own provider (SunEC), {@code initVerify} and {@code verify};</li>
 *   <li>{@code verifySodium}: libsodium's {@code crypto_sign_verify_detached} (lazysodium-java,
 *       the libsodium inside its jar);</li>
 *   <li>{@code verifyAccp}: Amazon Corretto Crypto Provider (AWS-LC) through JCA, given the JDK's key.</li>
 * </ul>
 * A benchmark whose library is not available on this machine fails alone; the others still run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SignatureBenchmark {
    private KeyPair keys;
    private PublicKey publicKey;
    private byte[] rawPublicKey;
    private Ed25519.PublicPoint publicPoint;
    private byte[] signingBytes;
    private byte[] signature;
    private byte[] badSignature;
    private String identifier;
    private byte[] rawSecret; // libsodium's 64-byte secret key: seed then public key
    private byte[] seed;

    private Signature jdkVerifier;
    private Signature jdkSigner;
    private SodiumJava sodium;
    private LazySodiumJava lazySodium;
    private Provider accp;
    private PublicKey accpPublicKey;
    private Signature accpVerifier;
    private Signature accpSigner;

    @Setup
    public void sign() throws GeneralSecurityException {
        keys = Keys.generate();
        Request request = CodecBenchmark.signedRequest(keys, 1);
        // The node decodes the identifier and signature from the request, as here.
        publicKey = Keys.decodePublic(request.identifier());
        signingBytes = Codec.signingBytes(request);
        signature = Base64.getDecoder().decode(request.signature());
        identifier = request.identifier();
        badSignature = signature.clone();
        badSignature[40] ^= 1;
        check("rejection", !Keys.verify(publicKey, signingBytes, badSignature));
        byte[] encoded = publicKey.getEncoded();
        rawPublicKey = Arrays.copyOfRange(encoded, encoded.length - Ed25519.PUBLIC_KEY_SIZE, encoded.length);
        publicPoint = Ed25519.validatePublicKeyPartialExport(rawPublicKey, 0);
        seed = ((java.security.interfaces.EdECPrivateKey) keys.getPrivate()).getBytes().orElseThrow();
        rawSecret = new byte[64];
        System.arraycopy(seed, 0, rawSecret, 0, 32);
        System.arraycopy(rawPublicKey, 0, rawSecret, 32, 32);
        check("Keys.verify", Keys.verify(publicKey, signingBytes, signature));
        check("BC cached point", verifyBcCachedPoint());
        check("BC sign", Arrays.equals(signBc(), signature));

        jdkVerifier = Signature.getInstance("Ed25519", "SunEC");
        jdkSigner = Signature.getInstance("Ed25519", "SunEC");
        check("SunEC", verifyJdk());

        try {
            sodium = new SodiumJava(LibraryLoader.Mode.BUNDLED_ONLY);
            lazySodium = new LazySodiumJava(sodium);
            check("libsodium", verifySodium());
            check("libsodium sign", Arrays.equals(signSodium(), signature));
        } catch (RuntimeException | LinkageError e) {
            System.err.println("libsodium (lazysodium-java) is not available here: " + e);
            sodium = null;
        }

        try {
            accp = AmazonCorrettoCryptoProvider.INSTANCE;
            ((AmazonCorrettoCryptoProvider) accp).assertHealthy();
            // ACCP 2.5.0 has an Ed25519 Signature but no Ed25519 KeyFactory: it takes the JDK's key.
            accpPublicKey = publicKey;
            accpVerifier = Signature.getInstance("Ed25519", accp);
            accpSigner = Signature.getInstance("Ed25519", accp);
            check("ACCP", verifyAccp());
            check("ACCP sign", Arrays.equals(signAccp(), signature));
        } catch (RuntimeException | LinkageError | GeneralSecurityException e) {
            System.err.println("Amazon Corretto Crypto Provider is not available here: " + e);
            accp = null;
        }
    }

    private static void check(String what, boolean ok) {
        if (!ok) {
            throw new IllegalStateException("the benchmark's signature does not verify (or sign alike) with " + what);
        }
    }

    @Benchmark
    public boolean verify() {
        return Keys.verify(publicKey, signingBytes, signature);
    }

    @Benchmark
    public boolean verifyBadSignature() {
        return Keys.verify(publicKey, signingBytes, badSignature);
    }

    @Benchmark
    public boolean decodeKeyAndVerify() {
        return Keys.verify(Keys.decodePublic(identifier), signingBytes, signature);
    }

    @Benchmark
    public boolean verifyBcBytes() {
        return Ed25519.verify(signature, 0, rawPublicKey, 0, signingBytes, 0, signingBytes.length);
    }

    @Benchmark
    public boolean verifyBcCachedPoint() {
        return Ed25519.verify(signature, 0, publicPoint, signingBytes, 0, signingBytes.length);
    }

    @Benchmark
    public boolean verifyJdk() throws GeneralSecurityException {
        jdkVerifier.initVerify(publicKey);
        jdkVerifier.update(signingBytes);
        return jdkVerifier.verify(signature);
    }

    @Benchmark
    public boolean verifySodium() {
        return sodium.crypto_sign_verify_detached(signature, signingBytes, signingBytes.length, rawPublicKey) == 0;
    }

    @Benchmark
    public boolean verifyAccp() throws GeneralSecurityException {
        accpVerifier.initVerify(accpPublicKey);
        accpVerifier.update(signingBytes);
        return accpVerifier.verify(signature);
    }

    /** {@link Keys#sign(java.security.PrivateKey, byte[])}: derives the public key every call. */
    @Benchmark
    public byte[] signRequest() {
        return Keys.sign(keys.getPrivate(), signingBytes);
    }

    /** {@link Keys#sign(KeyPair, byte[])}, as the client signs: the public key is given. */
    @Benchmark
    public byte[] signWithKeyPair() {
        return Keys.sign(keys, signingBytes);
    }

    /** Bouncy Castle with the public key given ({@link Keys#sign(KeyPair, byte[])} where AWS-LC does not load). */
    @Benchmark
    public byte[] signBc() {
        byte[] out = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(seed, 0, rawPublicKey, 0, signingBytes, 0, signingBytes.length, out, 0);
        return out;
    }

    @Benchmark
    public byte[] signJdk() throws GeneralSecurityException {
        jdkSigner.initSign(keys.getPrivate());
        jdkSigner.update(signingBytes);
        return jdkSigner.sign();
    }

    @Benchmark
    public byte[] signSodium() {
        byte[] out = new byte[Ed25519.SIGNATURE_SIZE];
        lazySodium.cryptoSignDetached(out, signingBytes, signingBytes.length, rawSecret);
        return out;
    }

    @Benchmark
    public byte[] signAccp() throws GeneralSecurityException {
        accpSigner.initSign(keys.getPrivate());
        accpSigner.update(signingBytes);
        return accpSigner.sign();
    }
}
