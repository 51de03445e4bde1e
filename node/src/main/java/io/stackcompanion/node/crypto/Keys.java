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
 * are stored as PKCS#8 in files only their owner can read. Signing and verifying use Bouncy Castle's
 * RFC 8032 implementation, which gives the same signatures as the JDK's about ten times faster
 * (every request is verified on every node, so this is the node's hottest path).
 */
public final class Keys {
    private static final String ALG = "Ed25519";

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

    /** @throws IllegalArgumentException if {@code base64} is not an Ed25519 public key */
    public static PublicKey decodePublic(String base64) {
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return KeyFactory.getInstance(ALG).generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | InvalidKeySpecException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + abbreviate(base64), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] data) {
        byte[] seed = seedOf(key);
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
        byte[] encoded = keys.getPublic().getEncoded();
        if (encoded == null || encoded.length < Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + keys.getPublic().getAlgorithm());
        }
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        // X.509 SubjectPublicKeyInfo of Ed25519 ends with the 32-byte public key.
        Ed25519.sign(seed, 0, encoded, encoded.length - Ed25519.PUBLIC_KEY_SIZE, data, 0, data.length, signature, 0);
        return signature;
    }

    /** True only if {@code signature} is a valid Ed25519 signature of {@code data} by {@code key}. */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        byte[] encoded = key.getEncoded();
        if (signature == null || signature.length != Ed25519.SIGNATURE_SIZE || encoded == null
                || encoded.length < Ed25519.PUBLIC_KEY_SIZE || !"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())) {
            return false;
        }
        // X.509 SubjectPublicKeyInfo of Ed25519 ends with the 32-byte public key.
        int offset = encoded.length - Ed25519.PUBLIC_KEY_SIZE;
        try {
            return Ed25519.verify(signature, 0, encoded, offset, data, 0, data.length);
        } catch (RuntimeException e) {
            return false; // a malformed key or signature is simply not a valid signature
        }
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
