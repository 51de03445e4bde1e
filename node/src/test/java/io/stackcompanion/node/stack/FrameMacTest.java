package io.stackcompanion.node.stack;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node link's frame tags: what a man in the middle can no longer do to the frames between two nodes. */
class FrameMacTest {
    private final SecureRandom random = new SecureRandom();
    private final FrameMac.Ephemeral dialerKey = FrameMac.Ephemeral.generate(random);
    private final FrameMac.Ephemeral acceptorKey = FrameMac.Ephemeral.generate(random);
    private final byte[] transcript = "the handshake's transcript".getBytes(StandardCharsets.UTF_8);
    private final FrameMac.Pair dialer = FrameMac.derive(dialerKey, acceptorKey.publicKey(), transcript, true);
    private final FrameMac.Pair acceptor = FrameMac.derive(acceptorKey, dialerKey.publicKey(), transcript, false);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void framesSealedOnOneSideOpenOnTheOtherInOrderBothWays() throws FrameMac.Forged {
        for (int i = 0; i < 3; i++) {
            byte[] frame = dialer.sealer().seal(bytes("COMMIT " + i));
            assertThat(frame).hasSize(("COMMIT " + i).length() + FrameMac.TAG_BYTES);
            assertThat(acceptor.opener().open(frame)).isEqualTo(bytes("COMMIT " + i));
            assertThat(dialer.opener().open(acceptor.sealer().seal(bytes("PREPARE " + i)))).isEqualTo(bytes("PREPARE " + i));
        }
        assertThat(acceptor.opener().open(dialer.sealer().seal(new byte[0]))).isEmpty();
    }

    @Test
    void anAlteredInjectedDroppedReplayedOrReflectedFrameFailsAuthentication() throws FrameMac.Forged {
        byte[] first = dialer.sealer().seal(bytes("PRE-PREPARE 1"));
        byte[] altered = first.clone();
        altered[3] ^= 1;
        assertThatThrownBy(() -> acceptor.opener().open(altered)).isInstanceOf(FrameMac.Forged.class)
                .hasMessageContaining("frame 0 of the link fails authentication");
        assertThatThrownBy(() -> acceptor.opener().open(bytes("injected without a tag at all")))
                .isInstanceOf(FrameMac.Forged.class);
        assertThatThrownBy(() -> acceptor.opener().open(new byte[3])).isInstanceOf(FrameMac.Forged.class).hasMessageContaining("no room");
        assertThat(acceptor.opener().open(first)).isEqualTo(bytes("PRE-PREPARE 1"));
        assertThatThrownBy(() -> acceptor.opener().open(first)).as("replayed").isInstanceOf(FrameMac.Forged.class);

        dialer.sealer().seal(bytes("dropped on the way"));
        byte[] third = dialer.sealer().seal(bytes("COMMIT 1"));
        assertThatThrownBy(() -> acceptor.opener().open(third)).as("after a dropped frame").isInstanceOf(FrameMac.Forged.class);

        FrameMac.Pair d = FrameMac.derive(dialerKey, acceptorKey.publicKey(), transcript, true);
        assertThatThrownBy(() -> d.opener().open(d.sealer().seal(bytes("reflected back to its sender"))))
                .isInstanceOf(FrameMac.Forged.class);
    }

    @Test
    void anotherTranscriptOrAnotherKeyGivesKeysThatDoNotOpen() {
        FrameMac.Pair otherTranscript = FrameMac.derive(acceptorKey, dialerKey.publicKey(), bytes("another handshake"), false);
        assertThatThrownBy(() -> otherTranscript.opener().open(dialer.sealer().seal(bytes("x")))).isInstanceOf(FrameMac.Forged.class);
        FrameMac.Ephemeral mitm = FrameMac.Ephemeral.generate(random);
        FrameMac.Pair withMitm = FrameMac.derive(acceptorKey, mitm.publicKey(), transcript, false);
        FrameMac.Pair fresh = FrameMac.derive(dialerKey, acceptorKey.publicKey(), transcript, true);
        assertThatThrownBy(() -> withMitm.opener().open(fresh.sealer().seal(bytes("x")))).isInstanceOf(FrameMac.Forged.class);
    }

    @Test
    void aSmallOrderOrMisSizedPeerKeyGivesNoKeys() {
        assertThat(FrameMac.derive(dialerKey, new byte[FrameMac.KEY_BYTES], transcript, true)).as("the all-zero point").isNull();
        assertThat(FrameMac.derive(dialerKey, new byte[5], transcript, true)).isNull();
    }
}
