package io.stackcompanion.node.sanitize;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret that makes pseudonyms: 32 random bytes in a file only its owner may read, made on first
 * use and never copied into a recording. Every pseudonym is HMAC-SHA256 under it, so it cannot be
 * reversed or checked against a guessed value without the file; the same key gives the same
 * pseudonyms, so two sanitizations of one recording agree and equal values stay equal.
 *
 * <p>File: line 1 {@value #HEADER}, line 2 the key in base64.
 */
public final class SanitizeKey {
    static final String HEADER = "stack-companion-sanitize-key v1";
    private static final int BYTES = 32;
    private final byte[] secret;
    private final Mac mac;

    private SanitizeKey(byte[] secret) {
        this.secret = secret.clone();
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(this.secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    /** A key from its bytes (tests). */
    static SanitizeKey of(byte[] secret) {
        return new SanitizeKey(secret);
    }

    /**
     * Reads the key in {@code file}, or makes a new one there (owner-only, 0600) when it does not exist.
     *
     * @throws SanitizeException if the file is not a key, or others may read it
     */
    public static SanitizeKey loadOrCreate(Path file) {
        Path f = file.toAbsolutePath().normalize();
        if (!Files.exists(f)) {
            create(f);
        }
        try {
            if (Files.isDirectory(f)) {
                throw new SanitizeException("--sanitize-key " + file + " is a folder; pass the key file (it is made on first use)");
            }
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
                if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                    throw new SanitizeException("the sanitize key " + file + " may be read by others ("
                            + PosixFilePermissions.toString(perms) + "); make it owner-only: chmod 600 " + file);
                }
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: nothing to check
            }
            List<String> lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
            if (lines.size() < 2 || !lines.get(0).strip().equals(HEADER)) {
                throw new SanitizeException(file + " is not a sanitize key file (its first line is not '" + HEADER
                        + "'); pass another file, or a new name to make one");
            }
            byte[] secret = Base64.getDecoder().decode(lines.get(1).strip());
            if (secret.length != BYTES) {
                throw new SanitizeException("the sanitize key " + file + " holds " + secret.length + " bytes, not " + BYTES
                        + "; it was damaged: restore it from where you keep it");
            }
            return new SanitizeKey(secret);
        } catch (IOException | IllegalArgumentException e) {
            throw new SanitizeException("cannot read the sanitize key " + file + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path f) {
        byte[] secret = new byte[BYTES];
        new SecureRandom().nextBytes(secret);
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, HEADER + "\n" + Base64.getEncoder().encodeToString(secret) + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE); // never replaces a key made meanwhile
            } catch (FileAlreadyExistsException e) {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new SanitizeException("cannot make the sanitize key " + f + ": " + e.getMessage(), e);
        }
    }

    /** HMAC-SHA256 of {@code label}, a zero byte, then {@code data}: labels keep kinds of values apart. */
    synchronized byte[] mac(String label, byte[] data) {
        mac.update(label.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        return mac.doFinal(data);
    }

    byte[] mac(String label, String data) {
        return mac(label, data.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code length} bytes of HMAC output for {@code label} and {@code data} (counter mode), for
     * pseudonyms longer than one MAC.
     */
    byte[] expand(String label, byte[] data, int length) {
        byte[] out = new byte[length];
        for (int block = 0, at = 0; at < length; block++) {
            byte[] in = new byte[data.length + 4];
            in[0] = (byte) (block >>> 24);
            in[1] = (byte) (block >>> 16);
            in[2] = (byte) (block >>> 8);
            in[3] = (byte) block;
            System.arraycopy(data, 0, in, 4, data.length);
            byte[] m = mac(label, in);
            int n = Math.min(m.length, length - at);
            System.arraycopy(m, 0, out, at, n);
            at += n;
        }
        return out;
    }

    /** A name for this key that reveals nothing of it: two sanitized copies with equal ids used the same key. */
    public String id() {
        return HexFormat.of().formatHex(mac("key-id", new byte[0])).substring(0, 16);
    }
}
