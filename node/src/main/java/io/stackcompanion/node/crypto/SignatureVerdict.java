package io.stackcompanion.node.crypto;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The answer to one signature check made off the core thread, as it travels with the input to the
 * core and into the recording: whether it verified, and what was verified, as the SHA-256 of
 * {@link SignatureVerifier#argumentsKey} (key, data and signature in full). The core takes it only
 * for that very question; on disk it is {@link #BYTES} bytes: 1 or 0, then the digest.
 */
public record SignatureVerdict(byte[] of, boolean valid) {
    public static final int BYTES = 1 + 32;

    public SignatureVerdict {
        if (of == null || of.length != 32) {
            throw new IllegalArgumentException("a signature verdict names what it answers by 32 bytes");
        }
    }

    /** The digest a verdict on these arguments carries, or null if an argument is missing. */
    public static byte[] digest(java.security.PublicKey key, byte[] data, byte[] signature) {
        ByteBuffer k = SignatureVerifier.argumentsKey(key, data, signature);
        return k == null ? null : Hashes.sha256(k.array());
    }

    /** True if this verdict answers exactly that question. */
    public boolean answers(java.security.PublicKey key, byte[] data, byte[] signature) {
        return Arrays.equals(of, digest(key, data, signature));
    }

    public byte[] toBytes() {
        byte[] b = new byte[BYTES];
        b[0] = (byte) (valid ? 1 : 0);
        System.arraycopy(of, 0, b, 1, 32);
        return b;
    }

    /** @throws IllegalArgumentException if {@code b} is not {@link #BYTES} bytes starting 0 or 1 */
    public static SignatureVerdict fromBytes(byte[] b) {
        if (b == null || b.length != BYTES || (b[0] != 0 && b[0] != 1)) {
            throw new IllegalArgumentException("a signature verdict is " + BYTES + " bytes, the first 0 or 1; got "
                    + (b == null ? "none" : b.length + " bytes"));
        }
        return new SignatureVerdict(Arrays.copyOfRange(b, 1, BYTES), b[0] == 1);
    }

    /**
     * A VERIFIED event's payload: the verdicts for one input, {@link #BYTES} each, one after the other
     * (a client's REQUEST has one; a PROPAGATE one per request verified; recordings before PROPAGATEs
     * had verdicts hold exactly one).
     */
    public static byte[] toBytes(List<SignatureVerdict> verdicts) {
        byte[] b = new byte[verdicts.size() * BYTES];
        for (int i = 0; i < verdicts.size(); i++) {
            System.arraycopy(verdicts.get(i).toBytes(), 0, b, i * BYTES, BYTES);
        }
        return b;
    }

    /** @throws IllegalArgumentException if {@code b} is not one or more verdicts of {@link #BYTES} bytes each */
    public static List<SignatureVerdict> listFromBytes(byte[] b) {
        if (b == null || b.length == 0 || b.length % BYTES != 0) {
            throw new IllegalArgumentException("a VERIFIED event holds one or more signature verdicts of " + BYTES
                    + " bytes each; got " + (b == null ? "none" : b.length + " bytes"));
        }
        SignatureVerdict[] verdicts = new SignatureVerdict[b.length / BYTES];
        for (int i = 0; i < verdicts.length; i++) {
            verdicts[i] = fromBytes(Arrays.copyOfRange(b, i * BYTES, (i + 1) * BYTES));
        }
        return List.of(verdicts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignatureVerdict v && v.valid == valid && Arrays.equals(v.of, of);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(of) + Boolean.hashCode(valid);
    }

    @Override
    public String toString() {
        return "SignatureVerdict[" + (valid ? "valid" : "invalid") + " " + Hashes.hex(of).substring(0, 12) + "]";
    }
}
