package io.stackcompanion.sim.world;

import io.stackcompanion.node.crypto.Keys;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;

import static org.assertj.core.api.Assertions.assertThat;

class VerificationMemoTest {
    private static final byte[] DATA = "PUT k1 v1".getBytes(StandardCharsets.UTF_8);

    @Test
    void answersAsTheVerificationDoesAndVerifiesTheSameBytesOnce() {
        KeyPair kp = Keys.generate();
        KeyPair other = Keys.generate();
        byte[] sig = Keys.sign(kp, DATA);
        byte[] tampered = sig.clone();
        tampered[5] ^= 1;
        byte[] otherData = "PUT k1 v2".getBytes(StandardCharsets.UTF_8);
        VerificationMemo memo = new VerificationMemo();
        for (int round = 0; round < 2; round++) { // the second round from the memo
            assertThat(memo.verify(kp.getPublic(), DATA, sig)).isTrue();
            assertThat(memo.verify(kp.getPublic(), DATA, tampered)).isFalse();
            assertThat(memo.verify(kp.getPublic(), otherData, sig)).isFalse();
            assertThat(memo.verify(other.getPublic(), DATA, sig)).isFalse();
            assertThat(memo.verify(kp.getPublic(), DATA, new byte[3])).isFalse();
        }
        assertThat(memo.misses()).isEqualTo(5);
        assertThat(memo.hits()).isEqualTo(5);
    }

    @Test
    void keepsABoundedNumberOfAnswers() {
        KeyPair kp = Keys.generate();
        VerificationMemo memo = new VerificationMemo();
        byte[] first = "op 0".getBytes(StandardCharsets.UTF_8);
        byte[] firstSig = Keys.sign(kp, first);
        memo.verify(kp.getPublic(), first, firstSig);
        for (int i = 1; i <= VerificationMemo.CAPACITY; i++) {
            memo.verify(kp.getPublic(), ("op " + i).getBytes(StandardCharsets.UTF_8), firstSig); // false, remembered
        }
        long misses = memo.misses();
        assertThat(memo.verify(kp.getPublic(), first, firstSig)).isTrue(); // the eldest went: verified again
        assertThat(memo.misses()).isEqualTo(misses + 1);
    }
}
