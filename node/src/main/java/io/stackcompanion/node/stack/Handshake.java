package io.stackcompanion.node.stack;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The node-link handshake, four frames before any payload (D dials A, by genesis order):
 * <pre>
 *   D -> A  HELLO     version, D's name, A's name, nonce nD, ephemeral X25519 key eD
 *   A -> D  CHALLENGE A's name, nonce nA, eA, sig_A(transcript("acceptor", D, A, nD, nA, eD, eA))
 *   D -> A  RESPONSE  sig_D(transcript("dialer", D, A, nD, nA, eD, eA))
 *   A -> D  ACCEPTED                      (or REFUSED with a reason, at any step, then close)
 * </pre>
 * Each side signs both names, both fresh nonces and both ephemeral keys, so a signature proves
 * possession of the key now, to this peer, and that the ephemeral keys are the peers' own; the role
 * label stops a signature from being reflected back as the other role's. From the X25519 secret of
 * the ephemeral keys both sides derive the keys that authenticate every later frame ({@link FrameMac}).
 * Version 3: the handshake of version 2, after which node messages travel in the binary form
 * ({@code Codec.encodeForNodeStack}), which a version-2 node cannot read; so the two refuse each
 * other, naming both versions, rather than link and drop every message as malformed (a pool is
 * upgraded all at once). Version 2 had the JSON messages; version 1 had no ephemeral keys and no frame
 * tags. Version {@link #UNTAGGED_VERSION} is the same handshake for a node whose frames carry no tags,
 * which only the benchmarks make ({@link NodeStack#withoutFrameTags()}); it links with no node of version 3.
 */
final class Handshake {
    static final int VERSION = 3;
    /** A benchmark's node stack without frame tags: never a version a production node speaks. */
    static final int UNTAGGED_VERSION = 200;
    static final int NONCE_BYTES = 32;
    /** Handshake frames are tiny; anything bigger before authentication is refused. */
    static final int MAX_FRAME = 1024;
    private static final String DOMAIN = "stack-companion node link";

    static final byte HELLO = 1;
    static final byte CHALLENGE = 2;
    static final byte RESPONSE = 3;
    static final byte ACCEPTED = 4;
    static final byte REFUSED = 5;

    private Handshake() {
    }

    /** A handshake frame that does not parse. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    record Hello(int version, String dialer, String acceptor, byte[] nonce, byte[] ephemeral) {}

    record Challenge(String acceptor, byte[] nonce, byte[] ephemeral, byte[] signature) {}

    /**
     * What a side signs (and, with the role "keys", what salts the link's keys): the role, both names,
     * both nonces and both ephemeral keys, each length-prefixed.
     */
    static byte[] transcript(String role, String dialer, String acceptor, byte[] dialerNonce, byte[] acceptorNonce,
                             byte[] dialerEphemeral, byte[] acceptorEphemeral) {
        return transcript(VERSION, role, dialer, acceptor, dialerNonce, acceptorNonce, dialerEphemeral, acceptorEphemeral);
    }

    /** As {@link #transcript(String, String, String, byte[], byte[], byte[], byte[])} for handshake {@code version}. */
    static byte[] transcript(int version, String role, String dialer, String acceptor, byte[] dialerNonce, byte[] acceptorNonce,
                             byte[] dialerEphemeral, byte[] acceptorEphemeral) {
        return write(out -> {
            out.writeUTF(DOMAIN);
            out.writeByte(version);
            out.writeUTF(role);
            out.writeUTF(dialer);
            out.writeUTF(acceptor);
            bytes(out, dialerNonce);
            bytes(out, acceptorNonce);
            bytes(out, dialerEphemeral);
            bytes(out, acceptorEphemeral);
        });
    }

    static byte[] hello(String dialer, String acceptor, byte[] nonce, byte[] ephemeral) {
        return hello(VERSION, dialer, acceptor, nonce, ephemeral);
    }

    static byte[] hello(int version, String dialer, String acceptor, byte[] nonce, byte[] ephemeral) {
        return write(out -> {
            out.writeByte(HELLO);
            out.writeByte(version);
            out.writeUTF(dialer);
            out.writeUTF(acceptor);
            bytes(out, nonce);
            bytes(out, ephemeral);
        });
    }

    static byte[] challenge(String acceptor, byte[] nonce, byte[] ephemeral, byte[] signature) {
        return write(out -> {
            out.writeByte(CHALLENGE);
            out.writeUTF(acceptor);
            bytes(out, nonce);
            bytes(out, ephemeral);
            bytes(out, signature);
        });
    }

    static byte[] response(byte[] signature) {
        return write(out -> {
            out.writeByte(RESPONSE);
            bytes(out, signature);
        });
    }

    /** What a refusal says a node of {@code version} is. */
    static String describe(int version) {
        if (version == UNTAGGED_VERSION) {
            return version + " (a benchmark's node without frame tags)";
        }
        return version < VERSION ? version + " (an older version of the node: upgrade every node of the pool at once)" : String.valueOf(version);
    }

    static byte[] accepted() {
        return new byte[]{ACCEPTED};
    }

    static byte[] refused(String reason) {
        return write(out -> {
            out.writeByte(REFUSED);
            out.writeUTF(reason.length() > 300 ? reason.substring(0, 300) : reason);
        });
    }

    static byte type(byte[] frame) throws Malformed {
        if (frame.length == 0) {
            throw new Malformed("empty handshake frame");
        }
        return frame[0];
    }

    static Hello readHello(byte[] frame) throws Malformed {
        return read(frame, HELLO, in -> {
            int version = in.readUnsignedByte();
            if (version != VERSION && version != UNTAGGED_VERSION) {
                // Whatever follows is another version's: the version alone decides the refusal.
                Hello other = new Hello(version, in.readUTF(), in.readUTF(), new byte[0], new byte[0]);
                in.skipBytes(in.available());
                return other;
            }
            return new Hello(version, in.readUTF(), in.readUTF(), readBytes(in, NONCE_BYTES), readBytes(in, FrameMac.KEY_BYTES));
        });
    }

    static Challenge readChallenge(byte[] frame) throws Malformed {
        return read(frame, CHALLENGE, in -> new Challenge(in.readUTF(), readBytes(in, NONCE_BYTES), readBytes(in, FrameMac.KEY_BYTES),
                readBytes(in, 128)));
    }

    static byte[] readResponse(byte[] frame) throws Malformed {
        return read(frame, RESPONSE, in -> readBytes(in, 128));
    }

    static String readRefused(byte[] frame) throws Malformed {
        return read(frame, REFUSED, in -> in.readUTF());
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException, Malformed;
    }

    private static byte[] write(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] frame, byte expectedType, Reader<T> r) throws Malformed {
        if (frame.length > MAX_FRAME) {
            throw new Malformed("handshake frame of " + frame.length + " bytes is too large");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(frame))) {
            byte type = in.readByte();
            if (type != expectedType) {
                throw new Malformed("expected handshake message " + expectedType + ", got " + type);
            }
            T value = r.read(in);
            if (in.available() != 0) {
                throw new Malformed("trailing bytes after handshake message " + type);
            }
            return value;
        } catch (IOException e) {
            throw new Malformed("truncated or garbled handshake message: " + e.getClass().getSimpleName());
        }
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeShort(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in, int max) throws IOException, Malformed {
        int n = in.readUnsignedShort();
        if (n > max) {
            throw new Malformed("handshake field of " + n + " bytes, at most " + max + " expected");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
