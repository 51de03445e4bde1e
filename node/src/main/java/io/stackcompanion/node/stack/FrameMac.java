package io.stackcompanion.node.stack;

import org.bouncycastle.math.ec.rfc7748.X25519;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Every frame of a node link after its handshake carries a tag: the first {@link #TAG_BYTES} bytes of
 * HMAC-SHA256 over its sequence number on the link (one counter per direction, from 0) and its
 * payload, with a key for that direction. The keys come from an X25519 exchange of ephemeral keys
 * that both sides signed with their genesis keys in the handshake, so a man in the middle can neither
 * learn them nor substitute his own: he cannot alter, inject, drop, reorder or replay a frame without
 * the receiver noticing (it then closes the link). One instance seals or opens one direction of one
 * link, on that link's event loop.
 */
final class FrameMac {
    static final int TAG_BYTES = 16;
    static final int KEY_BYTES = X25519.POINT_SIZE;
    private static final String HMAC = "HmacSHA256";

    /** A frame whose tag does not verify. */
    static final class Forged extends Exception {
        Forged(String message) {
            super(message);
        }
    }

    /** An ephemeral X25519 key pair, one per handshake. */
    record Ephemeral(byte[] secret, byte[] publicKey) {
        static Ephemeral generate(SecureRandom random) {
            byte[] secret = new byte[X25519.SCALAR_SIZE];
            X25519.generatePrivateKey(random, secret);
            byte[] pub = new byte[X25519.POINT_SIZE];
            X25519.generatePublicKey(secret, 0, pub, 0);
            return new Ephemeral(secret, pub);
        }
    }

    /** The two directions of one link: frames this side sends, and frames it receives. */
    record Pair(FrameMac sealer, FrameMac opener) {
    }

    private final Mac mac;
    private long seq;

    private FrameMac(byte[] key) {
        try {
            mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }

    /**
     * The keys of a link from this side's ephemeral key, the peer's ephemeral public key and the
     * handshake's {@code transcript} (names, nonces and both ephemeral keys), or null if the peer's key is
     * not a valid X25519 point (a small-order point gives an all-zero secret).
     */
    static Pair derive(Ephemeral mine, byte[] peerPublic, byte[] transcript, boolean dialer) {
        if (peerPublic.length != KEY_BYTES) {
            return null;
        }
        byte[] shared = new byte[X25519.POINT_SIZE];
        if (!X25519.calculateAgreement(mine.secret(), 0, peerPublic, 0, shared, 0)) {
            return null;
        }
        byte[] prk = hmac(sha256(transcript), shared); // HKDF-extract, salted with the transcript
        byte[] dialerToAcceptor = hmac(prk, label("dialer to acceptor"));
        byte[] acceptorToDialer = hmac(prk, label("acceptor to dialer"));
        Arrays.fill(shared, (byte) 0);
        return dialer ? new Pair(new FrameMac(dialerToAcceptor), new FrameMac(acceptorToDialer))
                : new Pair(new FrameMac(acceptorToDialer), new FrameMac(dialerToAcceptor));
    }

    /** {@code payload} followed by its tag, as the next frame in this direction. */
    byte[] seal(byte[] payload) {
        byte[] frame = Arrays.copyOf(payload, payload.length + TAG_BYTES);
        System.arraycopy(tag(seq++, payload, payload.length), 0, frame, payload.length, TAG_BYTES);
        return frame;
    }

    /** The payload of {@code frame} if its tag is right for the next frame in this direction. */
    byte[] open(byte[] frame) throws Forged {
        if (frame.length < TAG_BYTES) {
            throw new Forged("a frame of " + frame.length + " bytes has no room for its tag");
        }
        int n = frame.length - TAG_BYTES;
        byte[] expected = tag(seq, frame, n);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(frame, n, frame.length))) {
            throw new Forged("frame " + seq + " of the link fails authentication (altered, injected, dropped, reordered or replayed on the way)");
        }
        seq++;
        return Arrays.copyOf(frame, n);
    }

    private byte[] tag(long seqNo, byte[] bytes, int length) {
        for (int i = 7; i >= 0; i--) {
            mac.update((byte) (seqNo >>> (8 * i)));
        }
        mac.update(bytes, 0, length);
        return Arrays.copyOf(mac.doFinal(), TAG_BYTES);
    }

    private static byte[] label(String s) {
        byte[] b = ("stack-companion node link: " + s).getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(b, b.length + 1);
        out[b.length] = 1; // HKDF-expand, first block
        return out;
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac m = Mac.getInstance(HMAC);
            m.init(new SecretKeySpec(key, HMAC));
            return m.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
