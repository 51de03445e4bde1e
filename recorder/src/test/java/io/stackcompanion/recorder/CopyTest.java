package io.stackcompanion.recorder;

import static io.stackcompanion.recorder.TestRecordings.SECOND;
import static io.stackcompanion.recorder.TestRecordings.T0;
import static io.stackcompanion.recorder.TestRecordings.metadata;
import static io.stackcompanion.recorder.TestRecordings.readAll;
import static io.stackcompanion.recorder.TestRecordings.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RecordingReader#copyTo}: a byte-exact copy of a prefix, also of a recording still being written. */
class CopyTest {

    @TempDir
    Path tmp;

    @Test
    void aCopyHoldsTheSameEventsAndMetadataAndNoWriteAheadLog() {
        Path dir = tmp.resolve("node");
        TestRecordings.ManualNanos mono = new TestRecordings.ManualNanos();
        RecordingClock clock = RecordingClock.of(T0, mono);
        EventKey third;
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock)) {
            recorder.append(EventKind.STARTED, List.of(), new byte[0]);
            mono.advance(SECOND);
            recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("one"));
            third = recorder.append(EventKind.OUTGOING, List.of("Beta", "Gamma"), utf8("two"));
            recorder.append(EventKind.STOPPED, List.of(), new byte[0]);
        }
        try (RecordingReader reader = RecordingReader.open(dir)) {
            assertThat(reader.copyTo(tmp.resolve("all"), null)).isEqualTo(4);
            assertThat(reader.copyTo(tmp.resolve("prefix"), third)).isEqualTo(2);
            assertThatThrownBy(() -> reader.copyTo(tmp.resolve("all"), null)).isInstanceOf(RecordingException.class)
                    .hasMessageContaining("already exists");
        }
        assertThat(readAll(tmp.resolve("all"))).isEqualTo(readAll(dir));
        assertThat(readAll(tmp.resolve("prefix"))).isEqualTo(readAll(dir).subList(0, 2));
        try (RecordingReader copy = RecordingReader.open(tmp.resolve("all")); RecordingReader original = RecordingReader.open(dir)) {
            assertThat(copy.metadata()).isEqualTo(original.metadata());
        }
        assertThat(RecordingVerifier.verify(tmp.resolve("prefix")).ok()).isTrue();
    }

    @Test
    void aCopyOfALiveRecordingHoldsEverythingCommittedBeforeTheReaderOpened() throws Exception {
        Path dir = tmp.resolve("node");
        RecordingClock clock = RecordingClock.of(T0, new TestRecordings.ManualNanos());
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock)) {
            for (int i = 0; i < 1000; i++) {
                recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("event " + i));
            }
            try (RecordingReader reader = RecordingReader.open(dir)) {
                recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("after the reader opened"));
                assertThat(reader.copyTo(tmp.resolve("copy"), null)).isEqualTo(1000);
            }
        }
        assertThat(readAll(tmp.resolve("copy"))).hasSize(1000);
        try (var files = Files.list(tmp.resolve("copy"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".log")).filter(f -> f.toFile().length() > 0)).isEmpty();
        }
    }
}
