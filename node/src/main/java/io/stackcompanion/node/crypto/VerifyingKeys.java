package io.stackcompanion.node.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Arrays;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The public keys {@link Keys#verify} has seen lately, decoded once: a client signs many requests
 * with one key, and decoding the key's point is a square root. Bounded ({@link #CAPACITY} keys, the
 * least recently used one goes first); what it holds changes how fast an answer comes, never the
 * answer, since an entry is a pure function of the key's 32 bytes.
 */
final class VerifyingKeys {
    static final int CAPACITY = 4096;

    /**
     * One key. {@code point}: Bouncy Castle's decoding with exactly the checks its
     * {@code Ed25519.verify} makes of a key's bytes ({@code validatePublicKeyPartialExport}: y &lt; p,
     * on the curve, not one of the 8 small-order points; a key with a small-order component passes,
     * as it does there), or null if it fails them. {@code fastKey}: the JDK's key of the same
     * bytes, for AWS-LC, or null if the JDK will not make one.
     */
    record Entry(Ed25519.PublicPoint point, PublicKey fastKey) {
    }

    private static final Lru<ByteBuffer, Entry> CACHE = new Lru<>(CAPACITY);

    // p = 2^255 - 19 and L = 2^252 + 27742317777372353535851937790883648493, little-endian.
    private static final byte[] P = le("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed");
    private static final byte[] L = le("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed");

    private VerifyingKeys() {
    }

    /** The entry of the 32 bytes at {@code offset} of {@code encoded}, decoding them on a miss. */
    static Entry get(byte[] encoded, int offset) {
        byte[] raw = Arrays.copyOfRange(encoded, offset, offset + Ed25519.PUBLIC_KEY_SIZE);
        return CACHE.get(ByteBuffer.wrap(raw), id -> decode(raw));
    }

    static int size() {
        return CACHE.size();
    }

    private static Entry decode(byte[] raw) {
        Ed25519.PublicPoint point;
        try {
            point = Ed25519.validatePublicKeyPartialExport(raw, 0);
        } catch (RuntimeException e) {
            point = null;
        }
        if (point == null) {
            return new Entry(null, null);
        }
        PublicKey fastKey;
        try {
            fastKey = Ed25519Der.publicFromRaw(raw);
        } catch (GeneralSecurityException | RuntimeException e) {
            fastKey = null; // Bouncy Castle alone for this key
        }
        return new Entry(point, fastKey);
    }

    /**
     * Whether R and S are encoded as Bouncy Castle requires, so that an AWS-LC acceptance can be
     * taken as is: S &lt; L, R's y &lt; p, and not x = 0 with the sign bit set (y = 1 or p - 1). Any
     * other signature goes to Bouncy Castle alone.
     */
    static boolean strictRAndS(byte[] signature) {
        if (!lessThan(signature, Ed25519.PUBLIC_KEY_SIZE, L, 0xFF)) {
            return false;
        }
        if (!lessThan(signature, 0, P, 0x7F)) {
            return false;
        }
        if ((signature[31] & 0x80) != 0) {
            boolean one = signature[0] == 1;
            boolean minusOne = (signature[0] & 0xFF) == 0xEC;
            for (int i = 1; i < 31 && (one || minusOne); i++) {
                one &= signature[i] == 0;
                minusOne &= signature[i] == (byte) 0xFF;
            }
            one &= (signature[31] & 0x7F) == 0;
            minusOne &= (signature[31] & 0x7F) == 0x7F;
            return !one && !minusOne;
        }
        return true;
    }

    /** The 32 little-endian bytes at {@code off}, the top byte masked by {@code topMask}, are below {@code bound}. */
    private static boolean lessThan(byte[] bytes, int off, byte[] bound, int topMask) {
        for (int i = 31; i >= 0; i--) {
            int b = (i == 31 ? bytes[off + i] & topMask : bytes[off + i] & 0xFF);
            int c = bound[i] & 0xFF;
            if (b != c) {
                return b < c;
            }
        }
        return false;
    }

    private static byte[] le(String bigEndianHex) {
        byte[] b = java.util.HexFormat.of().parseHex(bigEndianHex);
        for (int i = 0, j = b.length - 1; i < j; i++, j--) {
            byte t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
        return b;
    }
}
