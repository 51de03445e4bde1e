package io.stackcompanion.node.sanitize;

import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.crypto.Keys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sanitize key file and the pseudonyms made under it. */
class SanitizeKeyTest {
    @TempDir
    Path dir;

    @Test
    void theKeyIsMadeOnFirstUseForItsOwnerOnlyAndReadBackTheSame() throws Exception {
        Path file = dir.resolve("keys/sanitize.key");
        SanitizeKey made = SanitizeKey.loadOrCreate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readAllLines(file).get(0)).isEqualTo(SanitizeKey.HEADER);
        assertThat(SanitizeKey.loadOrCreate(file).id()).isEqualTo(made.id());
        assertThat(SanitizeKey.loadOrCreate(dir.resolve("other.key")).id()).isNotEqualTo(made.id());
    }

    @Test
    void aKeyOthersMayReadOrAFileThatIsNoKeyIsRefused() throws Exception {
        Path file = dir.resolve("sanitize.key");
        SanitizeKey.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> SanitizeKey.loadOrCreate(file)).isInstanceOf(SanitizeException.class)
                .hasMessageContaining("may be read by others").hasMessageContaining("chmod 600");
        Path notAKey = dir.resolve("notes.txt");
        Files.writeString(notAKey, "hello\n");
        Files.setPosixFilePermissions(notAKey, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> SanitizeKey.loadOrCreate(notAKey)).isInstanceOf(SanitizeException.class)
                .hasMessageContaining("is not a sanitize key file");
    }

    @Test
    void pseudonymsKeepEqualityAndSizeAndARequestIsSignedAgainByItsPseudonymousClient() {
        Pseudonyms p = new Pseudonyms(SanitizeKey.of(new byte[32]));
        Pseudonyms other = new Pseudonyms(SanitizeKey.of(new byte[] {1, 2, 3}));
        String value = "a value of more than thirty-two bytes, say forty-four";
        assertThat(p.text(Pseudonyms.VALUE, value)).hasSize(value.length()).isEqualTo(p.text(Pseudonyms.VALUE, value))
                .isNotEqualTo(other.text(Pseudonyms.VALUE, value)).doesNotContain("value");
        assertThat(p.text(Pseudonyms.KEY, "k1")).hasSize(32).isNotEqualTo(p.text(Pseudonyms.KEY, "k2"));
        assertThat(p.text(Pseudonyms.KEY, "")).isEmpty();

        KeyPair client = Keys.generate();
        Request signed = new Request(Keys.encodePublic(client.getPublic()), 7, Operation.put("k", "v"), null);
        Request original = new Request(signed.identifier(), 7, signed.operation(),
                Base64.getEncoder().encodeToString(Keys.sign(client.getPrivate(), io.stackcompanion.node.message.Codec.signingBytes(signed))));
        Request sanitized = p.request(original);
        assertThat(sanitized.identifier()).isNotEqualTo(original.identifier());
        assertThat(Keys.verify(Keys.decodePublic(sanitized.identifier()), io.stackcompanion.node.message.Codec.signingBytes(sanitized),
                Base64.getDecoder().decode(sanitized.signature()))).isTrue();
        Request forged = new Request(original.identifier(), 8, original.operation(), original.signature());
        Request sanitizedForged = p.request(forged);
        assertThat(Keys.verify(Keys.decodePublic(sanitizedForged.identifier()),
                io.stackcompanion.node.message.Codec.signingBytes(sanitizedForged),
                Base64.getDecoder().decode(sanitizedForged.signature()))).isFalse();
        assertThat(p.address("10.1.2.3:5000")).startsWith(p.address("10.1.2.3:5001").substring(0, 19))
                .isNotEqualTo(p.address("10.1.2.3:5001")).doesNotContain("10.1.2.3");
    }
}
