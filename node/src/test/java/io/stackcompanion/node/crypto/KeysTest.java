package io.stackcompanion.node.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeysTest {
    private static final byte[] DATA = "the request".getBytes(StandardCharsets.UTF_8);

    @Test
    void signaturesInteroperateWithTheJdkProviderBothWays() throws Exception {
        KeyPair kp = Keys.generate();
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initVerify(kp.getPublic());
        jdk.update(DATA);
        assertThat(jdk.verify(Keys.sign(kp.getPrivate(), DATA))).isTrue();

        Signature jdkSign = Signature.getInstance("Ed25519");
        jdkSign.initSign(kp.getPrivate());
        jdkSign.update(DATA);
        assertThat(Keys.verify(kp.getPublic(), DATA, jdkSign.sign())).isTrue();
    }

    @Test
    void signingWithTheKeyPairGivesTheSignatureOfTheSecretKeyAlone() throws Exception {
        KeyPair kp = Keys.generate();
        byte[] sig = Keys.sign(kp, DATA);
        assertThat(sig).isEqualTo(Keys.sign(kp.getPrivate(), DATA));
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initSign(kp.getPrivate());
        jdk.update(DATA);
        assertThat(sig).isEqualTo(jdk.sign()); // Ed25519 signatures are deterministic
    }

    @Test
    void aTamperedMessageSignatureOrKeyDoesNotVerify() {
        KeyPair kp = Keys.generate();
        byte[] sig = Keys.sign(kp.getPrivate(), DATA);
        byte[] otherData = "the request!".getBytes(StandardCharsets.UTF_8);
        assertThat(Keys.verify(kp.getPublic(), otherData, sig)).isFalse();
        sig[10] ^= 1;
        assertThat(Keys.verify(kp.getPublic(), DATA, sig)).isFalse();
        sig[10] ^= 1;
        assertThat(Keys.verify(Keys.generate().getPublic(), DATA, sig)).isFalse();
        assertThat(Keys.verify(kp.getPublic(), DATA, new byte[3])).isFalse();
    }

    @Test
    void publicKeysRoundTripThroughTheirTextForm() {
        KeyPair kp = Keys.generate();
        assertThat(Keys.decodePublic(Keys.encodePublic(kp.getPublic()))).isEqualTo(kp.getPublic());
        assertThatThrownBy(() -> Keys.decodePublic("bm90IGEga2V5")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not an Ed25519 public key");
    }

    @Test
    void keptKeysAreTheKeysOfTheirTextEvenPastTheCapacityAndNonKeysAreNeverKept() {
        KeyPair first = Keys.generate();
        String text = Keys.encodePublic(first.getPublic());
        byte[] sig = Keys.sign(first.getPrivate(), DATA);
        assertThat(Keys.decodePublic(text)).isSameAs(Keys.decodePublic(text)); // kept
        // more keys than are kept: the first is pushed out, then decoded again, still the same key
        for (int i = 0; i < Keys.DECODED_CAPACITY + 10; i++) {
            KeyPair kp = Keys.generate();
            assertThat(Keys.decodePublic(Keys.encodePublic(kp.getPublic()))).isEqualTo(kp.getPublic());
        }
        PublicKey again = Keys.decodePublic(text);
        assertThat(again).isEqualTo(first.getPublic());
        assertThat(Keys.verify(again, DATA, sig)).isTrue();
        for (int i = 0; i < 2; i++) { // a failure is never kept as an answer
            assertThatThrownBy(() -> Keys.decodePublic("bm90IGEga2V5")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void secretKeysAreStoredForTheirOwnerOnly(@TempDir Path dir) throws Exception {
        KeyPair kp = Keys.generate();
        Path file = dir.resolve("keys").resolve("node.key");
        Keys.writePrivate(file, kp.getPrivate());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        byte[] sig = Keys.sign(Keys.readPrivate(file), DATA);
        assertThat(Keys.verify(kp.getPublic(), DATA, sig)).isTrue();
    }
}
