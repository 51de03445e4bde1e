package io.stackcompanion.node.stack;

import io.stackcompanion.node.crypto.Keys;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a handshake signature binds: a signature made for one link, role or nonce proves nothing on another. */
class HandshakeTest {
    private final KeyPair node2 = Keys.generate();
    private final byte[] nD = filled(1);
    private final byte[] nA = filled(2);

    @Test
    void anAcceptorSignatureCannotBeReflectedAsADialerResponse() {
        byte[] acceptorSig = Keys.sign(node2.getPrivate(), Handshake.transcript("acceptor", "Node1", "Node2", nD, nA));
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("acceptor", "Node1", "Node2", nD, nA), acceptorSig)).isTrue();
        // Node2 signing as acceptor for Node1 does not let anyone answer Node2's challenge as "Node2 the dialer".
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("dialer", "Node1", "Node2", nD, nA), acceptorSig)).isFalse();
    }

    @Test
    void aSignatureIsBoundToBothNamesAndBothNonces() {
        byte[] sig = Keys.sign(node2.getPrivate(), Handshake.transcript("dialer", "Node2", "Node3", nD, nA));
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("dialer", "Node2", "Node4", nD, nA), sig)).isFalse();
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("dialer", "Node2", "Node3", nA, nD), sig)).isFalse();
        assertThat(Keys.verify(node2.getPublic(), Handshake.transcript("dialer", "Node2", "Node3", nD, filled(3)), sig)).isFalse();
        // Length prefixes keep "Node2"+"Node31" apart from "Node23"+"Node1".
        assertThat(Handshake.transcript("dialer", "Node2", "Node31", nD, nA))
                .isNotEqualTo(Handshake.transcript("dialer", "Node23", "Node1", nD, nA));
    }

    @Test
    void handshakeFramesRoundTripAndGarbageIsMalformed() throws Handshake.Malformed {
        Handshake.Hello hello = Handshake.readHello(Handshake.hello("Node1", "Node2", nD));
        assertThat(hello.dialer()).isEqualTo("Node1");
        assertThat(hello.acceptor()).isEqualTo("Node2");
        assertThat(hello.nonce()).isEqualTo(nD);
        assertThat(Handshake.readRefused(Handshake.refused("no"))).isEqualTo("no");

        byte[] truncated = java.util.Arrays.copyOf(Handshake.hello("Node1", "Node2", nD), 10);
        assertThatThrownBy(() -> Handshake.readHello(truncated)).isInstanceOf(Handshake.Malformed.class);
        assertThatThrownBy(() -> Handshake.readChallenge(Handshake.hello("Node1", "Node2", nD)))
                .isInstanceOf(Handshake.Malformed.class).hasMessageContaining("expected handshake message 2");
        assertThatThrownBy(() -> Handshake.readResponse(new byte[2000])).isInstanceOf(Handshake.Malformed.class);
        assertThatThrownBy(() -> Handshake.type(new byte[0])).isInstanceOf(Handshake.Malformed.class);
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[Handshake.NONCE_BYTES];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
