package io.stackcompanion.node.stack;

import io.stackcompanion.node.crypto.Keys;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a handshake signature binds: a signature made for one link, role, nonce or ephemeral key
 * proves nothing on another.
 */
class HandshakeTest {
    private final KeyPair node2 = Keys.generate();
    private final byte[] nD = filled(1, Handshake.NONCE_BYTES);
    private final byte[] nA = filled(2, Handshake.NONCE_BYTES);
    private final byte[] eD = filled(3, FrameMac.KEY_BYTES);
    private final byte[] eA = filled(4, FrameMac.KEY_BYTES);

    @Test
    void anAcceptorSignatureCannotBeReflectedAsADialerResponse() {
        byte[] acceptorSig = Keys.sign(node2.getPrivate(), Handshake.transcript("acceptor", "Node1", "Node2", nD, nA, eD, eA));
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("acceptor", "Node1", "Node2", nD, nA, eD, eA), acceptorSig)).isTrue();
        // Node2 signing as acceptor for Node1 does not let anyone answer Node2's challenge as "Node2 the dialer".
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("dialer", "Node1", "Node2", nD, nA, eD, eA), acceptorSig)).isFalse();
    }

    @Test
    void aSignatureIsBoundToBothNamesBothNoncesAndBothEphemeralKeys() {
        byte[] sig = Keys.sign(node2.getPrivate(), Handshake.transcript("dialer", "Node2", "Node3", nD, nA, eD, eA));
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("dialer", "Node2", "Node4", nD, nA, eD, eA), sig)).isFalse();
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("dialer", "Node2", "Node3", nA, nD, eD, eA), sig)).isFalse();
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("dialer", "Node2", "Node3", nD, filled(5, 32), eD, eA), sig)).isFalse();
        // A man in the middle who swaps in his own ephemeral key is caught by the signature.
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("dialer", "Node2", "Node3", nD, nA, eD, filled(9, 32)), sig)).isFalse();
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("dialer", "Node2", "Node3", nD, nA, eA, eD), sig)).isFalse();
        // Length prefixes keep "Node2"+"Node31" apart from "Node23"+"Node1".
        assertThat(Handshake.transcript("dialer", "Node2", "Node31", nD, nA, eD, eA))
                .isNotEqualTo(Handshake.transcript("dialer", "Node23", "Node1", nD, nA, eD, eA));
    }

    @Test
    void handshakeFramesRoundTripAndGarbageIsMalformed() throws Handshake.Malformed {
        Handshake.Hello hello = Handshake.readHello(Handshake.hello("Node1", "Node2", nD, eD));
        assertThat(hello.version()).isEqualTo(Handshake.VERSION);
        assertThat(hello.dialer()).isEqualTo("Node1");
        assertThat(hello.acceptor()).isEqualTo("Node2");
        assertThat(hello.nonce()).isEqualTo(nD);
        assertThat(hello.ephemeral()).isEqualTo(eD);
        Handshake.Challenge challenge = Handshake.readChallenge(Handshake.challenge("Node2", nA, eA, new byte[64]));
        assertThat(challenge.ephemeral()).isEqualTo(eA);
        assertThat(challenge.signature()).hasSize(64);
        assertThat(Handshake.readRefused(Handshake.refused("no"))).isEqualTo("no");

        byte[] truncated = java.util.Arrays.copyOf(Handshake.hello("Node1", "Node2", nD, eD), 10);
        assertThatThrownBy(() -> Handshake.readHello(truncated)).isInstanceOf(Handshake.Malformed.class);
        assertThatThrownBy(() -> Handshake.readChallenge(Handshake.hello("Node1", "Node2", nD, eD)))
                .isInstanceOf(Handshake.Malformed.class).hasMessageContaining("expected handshake message 2");
        assertThatThrownBy(() -> Handshake.readResponse(new byte[2000])).isInstanceOf(Handshake.Malformed.class);
        assertThatThrownBy(() -> Handshake.type(new byte[0])).isInstanceOf(Handshake.Malformed.class);
    }

    @Test
    void aVersionOneHelloReadsAsVersionOneSoItIsRefusedByVersion() throws Handshake.Malformed {
        // What a node of the previous version sends: version 1, the names and a nonce, no ephemeral key.
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeByte(Handshake.HELLO);
            out.writeByte(1);
            out.writeUTF("Node1");
            out.writeUTF("Node2");
            out.writeShort(Handshake.NONCE_BYTES);
            out.write(nD);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Handshake.Hello old = Handshake.readHello(bytes.toByteArray());
        assertThat(old.version()).isEqualTo(1);
        assertThat(old.dialer()).isEqualTo("Node1");
    }

    private static byte[] filled(int value, int length) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
