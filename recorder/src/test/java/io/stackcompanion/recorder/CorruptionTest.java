package io.stackcompanion.recorder;

import static io.stackcompanion.recorder.TestRecordings.T0;
import static io.stackcompanion.recorder.TestRecordings.metadata;
import static io.stackcompanion.recorder.TestRecordings.rawPut;
import static io.stackcompanion.recorder.TestRecordings.readAll;
import static io.stackcompanion.recorder.TestRecordings.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorruptionTest {

    @TempDir
    Path tmp;

    private Path dir;
    private EventKey victim;
    private byte[] victimValue;

    @BeforeEach
    void recordThreeEvents() {
        dir = tmp.resolve("node");
        RecordingClock clock = RecordingClock.of(T0, () -> 0);
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock)) {
            recorder.append(EventKind.STARTED, List.of(), new byte[0]);
            victim = recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("{\"op\":\"COMMIT\",\"viewNo\":0}"));
            recorder.append(EventKind.STOPPED, List.of(), new byte[0]);
        }
        victimValue = EventCodec.encode(EventKind.INCOMING, List.of("Beta"), utf8("{\"op\":\"COMMIT\",\"viewNo\":0}"));
    }

    @Test
    void aTruncatedValueIsReportedWithFolderAndKey() throws Exception {
        rawPut(dir, "default", victim.toBytes(), Arrays.copyOf(victimValue, victimValue.length - 7));
        assertThatThrownBy(() -> readAll(dir))
                .isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining(victim.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void aFlippedByteIsReportedWithFolderAndKey() throws Exception {
        byte[] tampered = victimValue.clone();
        tampered[20] ^= 0x01; // inside the payload (it starts at byte 14)
        rawPut(dir, "default", victim.toBytes(), tampered);
        assertThatThrownBy(() -> readAll(dir))
                .isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("seq " + victim.seq())
                .hasMessageContaining("checksum mismatch");
        RecordingVerifier.Report report = RecordingVerifier.verify(dir);
        assertThat(report.ok()).isFalse();
        assertThat(report.eventsChecked()).isEqualTo(1);
        assertThat(report.firstProblem()).hasValueSatisfying(p -> assertThat(p).contains(dir.toString(), victim.toString()));
    }

    @Test
    void everyTruncationAndEveryByteFlipIsAFormatErrorNeverAnIndexError() {
        for (int length = 0; length < victimValue.length; length++) {
            byte[] cut = Arrays.copyOf(victimValue, length);
            assertThat(catchThrowable(() -> EventCodec.decode(victim.toBytes(), cut, dir)))
                    .as("truncated to %d bytes", length).isInstanceOf(RecordingFormatException.class);
        }
        for (int at = 0; at < victimValue.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = victimValue.clone();
                flipped[at] ^= (byte) (1 << bit);
                assertThat(catchThrowable(() -> EventCodec.decode(victim.toBytes(), flipped, dir)))
                        .as("bit %d of byte %d flipped", bit, at).isInstanceOf(RecordingFormatException.class);
            }
        }
        byte[] longer = Arrays.copyOf(victimValue, victimValue.length + 3);
        assertThat(catchThrowable(() -> EventCodec.decode(victim.toBytes(), longer, dir)))
                .isInstanceOf(RecordingFormatException.class).hasMessageContaining("unexpected bytes");
    }

    @Test
    void anUnknownKindCodeNamesTheCodeFolderAndKey() throws Exception {
        byte[] value = victimValue.clone();
        value[1] = 42;
        byte[] resealed = reseal(value);
        rawPut(dir, "default", victim.toBytes(), resealed);
        assertThatThrownBy(() -> readAll(dir))
                .isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining(victim.toString())
                .hasMessageContaining("unknown event kind code 42");
    }

    @Test
    void aValueFromANewerFormatSaysToUseANewerBuild() throws Exception {
        byte[] value = victimValue.clone();
        value[0] = 3;
        rawPut(dir, "default", victim.toBytes(), value);
        assertThatThrownBy(() -> readAll(dir))
                .isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining("event format 3, newer than this build supports (1)");
    }

    @Test
    void newerFormatMetadataIsRefusedWithAClearMessage() throws Exception {
        rawPut(dir, "meta", RecordingDb.META_KEY, utf8("{\"formatVersion\":4,\"nodeName\":\"Alpha\"}"));
        assertThatThrownBy(() -> RecordingReader.open(dir))
                .isInstanceOf(RecordingFormatException.class)
                .hasMessage("recording " + dir + ": recording format 4 is newer than this build supports (3); use a newer Stack Companion");
        RecordingClock clock = RecordingClock.of(T0, () -> 0);
        assertThatThrownBy(() -> Recorder.open(dir, metadata("node", clock), clock))
                .hasMessageContaining("recording format 4 is newer than this build supports (3)");
        assertThat(RecordingVerifier.verify(dir).firstProblem()).hasValueSatisfying(p -> assertThat(p).contains("newer"));
    }

    @Test
    void aKeyThatIsNotAnEventKeyIsReported() throws Exception {
        rawPut(dir, "default", utf8("zzz"), victimValue);
        assertThat(RecordingVerifier.verify(dir).firstProblem())
                .hasValueSatisfying(p -> assertThat(p).contains(dir.toString(), "0x7a7a7a", "not an event key"));
    }

    @Test
    void aSoundRecordingVerifies() {
        RecordingVerifier.Report report = RecordingVerifier.verify(dir);
        assertThat(report.ok()).isTrue();
        assertThat(report.eventsChecked()).isEqualTo(3);
    }

    /** Recomputes the checksum, as a newer writer would have. */
    private static byte[] reseal(byte[] value) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(value, 0, value.length - 4);
        long c = crc.getValue();
        for (int i = 0; i < 4; i++) {
            value[value.length - 1 - i] = (byte) (c >>> (8 * i));
        }
        return value;
    }
}
