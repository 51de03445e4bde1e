package io.stackcompanion.node.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 keys as the JDK has them. Public keys travel as base64 of their X.509 encoding; secret keys
 * are stored as PKCS#8 in files only their owner can read.
 *
 * <p>Every request is verified on every node, so {@link #verify} is the node's hottest path. Its
 * answer is exactly Bouncy Castle's RFC 8032 {@code Ed25519.verify} on the key's 32 bytes, on every
 * machine (replays of old recordings and the nodes of one pool depend on it): strict encodings of
 * R, A and S (S &lt; L), no small-order A, the cofactored equation. It is computed faster in two
 * ways that cannot change it: the key's point is decoded once and kept ({@link VerifyingKeys}), and
 * where AWS-LC loads ({@link AwsLcEd25519}, Linux x86_64; in the background, Bouncy Castle until
 * then), an AWS-LC acceptance is taken as is
 * (AWS-LC is stricter: whatever it accepts of a key Bouncy Castle accepts, Bouncy Castle accepts)
 * and anything else is asked of Bouncy Castle, so an invalid signature costs both. Signing gives
 * the same bytes either way (Ed25519 signatures are deterministic).
 */
public final class Keys {
    private static final String ALG = "Ed25519";
    /** How many decoded public keys {@link #decodePublic} keeps. */
    static final int DECODED_CAPACITY = 4096;
    private static final Lru<String, PublicKey> DECODED = new Lru<>(DECODED_CAPACITY);
    // AWS-LC once it has loaded (about a second, more on a busy machine), null until then and where it
    // does not load: a node or client does not wait for it to start, and the answers are the same.
    private static volatile AwsLcEd25519 fast;
    static final Thread FAST_LOADER = new Thread(() -> fast = AwsLcEd25519.INSTANCE, "ed25519-aws-lc-load");

    static {
        FAST_LOADER.setDaemon(true);
        FAST_LOADER.start();
    }

    private Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALG).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    public static String encodePublic(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /**
     * The key of a base64 X.509 encoding. Keys decoded lately are kept ({@link #DECODED_CAPACITY}, the least
     * recently used goes first): every client request names its signer's key, and the JDK's decoding (a provider
     * lookup, a DER parse, and a re-encoding when the key is used) were in about a tenth of the client stack
     * thread's profile samples. A kept key is the JDK's immutable key of the same string; what is not a key is never kept.
     *
     * @throws IllegalArgumentException if {@code base64} is not an Ed25519 public key
     */
    public static PublicKey decodePublic(String base64) {
        return DECODED.get(base64, Keys::decodePublicUncached);
    }

    private static PublicKey decodePublicUncached(String base64) {
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            PublicKey key = KeyFactory.getInstance(ALG).generatePublic(new X509EncodedKeySpec(der));
            key.getEncoded(); // the JDK encodes once, on first use, and keeps the bytes: done here, not on a hot path
            return key;
        } catch (IllegalArgumentException | InvalidKeySpecException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + abbreviate(base64), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] data) {
        byte[] seed = seedOf(key);
        AwsLcEd25519 fast = Keys.fast;
        if (fast != null) {
            try {
                return fast.sign(key, data);
            } catch (GeneralSecurityException | RuntimeException e) {
                // AWS-LC would not take this key: Bouncy Castle signs it, with the same result
            }
        }
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(seed, 0, data, 0, data.length, signature, 0);
        return signature;
    }

    /**
     * The same signature as {@link #sign(PrivateKey, byte[])} with {@code keys}' secret key, about twice
     * as fast: Ed25519 signing derives the public key from the secret one unless it is given, and
     * here it is (a client signs every request).
     */
    public static byte[] sign(KeyPair keys, byte[] data) {
        byte[] seed = seedOf(keys.getPrivate());
        if (fast != null) {
            return sign(keys.getPrivate(), data); // AWS-LC derives the public key faster than Bouncy Castle signs with it
        }
        byte[] encoded = keys.getPublic().getEncoded();
        if (encoded == null || encoded.length < Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + keys.getPublic().getAlgorithm());
        }
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        // X.509 SubjectPublicKeyInfo of Ed25519 ends with the 32-byte public key.
        Ed25519.sign(seed, 0, encoded, encoded.length - Ed25519.PUBLIC_KEY_SIZE, data, 0, data.length, signature, 0);
        return signature;
    }

    /**
     * True only if {@code signature} is a valid Ed25519 signature of {@code data} by {@code key}:
     * exactly when Bouncy Castle's {@code Ed25519.verify} says so (see the class comment).
     */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        byte[] encoded = key.getEncoded();
        if (signature == null || signature.length != Ed25519.SIGNATURE_SIZE || encoded == null
                || encoded.length < Ed25519.PUBLIC_KEY_SIZE || !"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())) {
            return false;
        }
        // X.509 SubjectPublicKeyInfo of Ed25519 ends with the 32-byte public key.
        VerifyingKeys.Entry vk = VerifyingKeys.get(encoded, encoded.length - Ed25519.PUBLIC_KEY_SIZE);
        if (vk.point() == null) {
            return false; // Bouncy Castle rejects this key with any signature
        }
        AwsLcEd25519 fast = Keys.fast;
        if (fast != null && vk.fastKey() != null && VerifyingKeys.strictRAndS(signature)) {
            try {
                if (fast.verify(vk.fastKey(), data, signature)) {
                    return true; // AWS-LC's acceptance is Bouncy Castle's (class comment)
                }
            } catch (GeneralSecurityException | RuntimeException e) {
                // not an acceptance: Bouncy Castle decides
            }
        }
        try {
            return Ed25519.verify(signature, 0, vk.point(), data, 0, data.length);
        } catch (RuntimeException e) {
            return false; // a malformed key or signature is simply not a valid signature
        }
    }

    /** Which Ed25519 code signs and verifies first in this JVM, for a log line. */
    public static String implementation() {
        AwsLcEd25519 fast = Keys.fast;
        return fast != null ? fast.version() + ", Bouncy Castle for what it rejects" : "Bouncy Castle";
    }

    private static byte[] seedOf(PrivateKey key) {
        if (key instanceof EdECPrivateKey ed) {
            return ed.getBytes().orElseThrow(() -> new IllegalArgumentException("the Ed25519 secret key has no seed"));
        }
        throw new IllegalArgumentException("not an Ed25519 secret key: " + key.getAlgorithm());
    }

    /** Writes a secret key readable by its owner only (0600), creating the folder (0700). */
    public static void writePrivate(Path file, PrivateKey key) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system; nothing more we can do
        }
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, Base64.getEncoder().encode(key.getEncoded()), StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public static PrivateKey readPrivate(Path file) throws IOException {
        byte[] der = Base64.getDecoder().decode(Files.readString(file).trim());
        try {
            return KeyFactory.getInstance(ALG).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IOException("not an Ed25519 secret key: " + file, e);
        }
    }


    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() <= 16 ? s : s.substring(0, 16) + "...";
    }
}
