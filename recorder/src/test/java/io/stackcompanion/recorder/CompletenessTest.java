package io.stackcompanion.recorder;

import static io.stackcompanion.recorder.TestRecordings.T0;
import static io.stackcompanion.recorder.TestRecordings.metadata;
import static io.stackcompanion.recorder.TestRecordings.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording proves its own completeness: events missing anywhere, in RocksDB or in the journal,
 * are an error naming the file, never "ok" with fewer events (as they were before chains and seals:
 * a bad record in the middle of a segment ended it, a deleted segment or a truncated MANIFEST left a
 * shorter recording that verified).
 */
class CompletenessTest {
    private static final long SMALL_SEGMENT = 8 * 1024;

    @TempDir
    Path tmp;
    private final RecordingClock clock = RecordingClock.of(T0, () -> 0);

    @Test
    void aClosedRecordingVerifiesAsCompleteAndACopyOfItToo() {
        Path dir = closedRecording(2_000);
        RecordingVerifier.Report report = RecordingVerifier.verify(dir);
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.sealed()).isTrue();
        assertThat(report.eventsChecked()).isEqualTo(2_000);
        assertThat(Seal.read(dir).orElseThrow().tables()).as("one table per journal segment").hasSizeGreaterThan(5);

        Path copy = tmp.resolve("copy");
        try (RecordingReader reader = RecordingReader.open(dir)) {
            assertThat(reader.copyTo(copy, null)).isEqualTo(2_000);
        }
        RecordingVerifier.Report copied = RecordingVerifier.verify(copy);
        assertThat(copied.ok()).as(copied.toString()).isTrue();
        assertThat(copied.sealed()).isTrue();
        assertThat(copied.eventsChecked()).isEqualTo(2_000);
    }

    @Test
    void aBadRecordInTheMiddleOfTheLastSegmentIsDamageNamingFileAndOffset() throws Exception {
        Path orphan = TestRecordings.orphanAfter(tmp, clock, 1 << 20, 300);
        Path segment = lastSegment(orphan);
        long offset = Journal.HEADER_BYTES + 10L * Journal.recordBytes(16 + 30); // somewhere in the 10th or so record
        flip(segment, offset + 20);
        RecordingVerifier.Report report = RecordingVerifier.verify(orphan);
        assertThat(report.ok()).as("records after the bad one must not be dropped silently").isFalse();
        assertThat(report.firstProblem()).get().asString().contains(segment.toString(), "at offset", "damage, not a torn last write");
        assertThatThrownBy(() -> Recorder.open(orphan, metadata("node", clock), clock, 1 << 20))
                .isInstanceOf(RecordingFormatException.class).hasMessageContaining(segment.toString());
    }

    @Test
    void aTornLastRecordIsSaidWithTheBytesLostAndTheRestVerifies() throws Exception {
        Path orphan = TestRecordings.orphanAfter(tmp, clock, 1 << 20, 300);
        Path segment = lastSegment(orphan);
        long end = TestRecordings.endOfRecords(orphan);
        // The last record's body: an OS crash that lost its last page would leave it so.
        flip(segment, end - 6);
        RecordingVerifier.Report report = RecordingVerifier.verify(orphan);
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.eventsChecked()).isEqualTo(299);
        assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("bytes of a last append that was never finished"));
    }

    @Test
    void aDeletedJournalSegmentIsAnErrorNotAShorterRecording() throws Exception {
        Path orphan = TestRecordings.orphanAfter(tmp, clock, SMALL_SEGMENT, 500);
        Path segment = lastSegment(orphan);
        Files.delete(segment);
        RecordingVerifier.Report report = RecordingVerifier.verify(orphan);
        assertThat(report.ok()).isFalse();
        assertThat(report.firstProblem()).get().asString().contains(segment.toString(), "is missing", "events are lost");
    }

    @Test
    void aSegmentThatDoesNotContinueTheRecordingIsRefusedByTheNextWriter() throws Exception {
        Path orphan = TestRecordings.orphanAfter(tmp, clock, SMALL_SEGMENT, 500);
        Path last = lastSegment(orphan);
        // A segment whose predecessor was lost: it claims more events before it than the recording has.
        Path later = last.resolveSibling(String.format("%020d.seg", Journal.number(last) + 1));
        Files.move(last, later);
        try (RandomAccessFile f = new RandomAccessFile(later.toFile(), "rw")) {
            f.seek(0);
            f.write(Journal.header(10_000, 12345));
        }
        assertThatThrownBy(() -> Recorder.open(orphan, metadata("node", clock), clock, SMALL_SEGMENT, 4))
                .isInstanceOf(RecordingFormatException.class).hasMessageContaining(later.toString());
    }

    @Test
    void aTruncatedManifestIsAnErrorNamingWhatIsMissing() throws Exception {
        Path dir = closedRecording(2_000);
        Path manifest;
        try (Stream<Path> files = Files.list(dir)) {
            manifest = files.filter(f -> f.getFileName().toString().startsWith("MANIFEST-")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(manifest.toFile(), "rw")) {
            f.setLength(Math.min(f.length(), 400));
        }
        RecordingVerifier.Report report = RecordingVerifier.verify(dir);
        assertThat(report.ok()).as("fewer events is never ok").isFalse();
        assertThat(report.firstProblem()).get().asString().contains(dir.toString());
    }

    @Test
    void aLostOrAlteredSealIsAnError() throws Exception {
        Path dir = closedRecording(300);
        Path seal = dir.resolve(Seal.FILE);
        String text = Files.readString(seal);
        Files.writeString(seal, text.replaceFirst("\"events\":(\\d)", "\"events\":9$1"));
        assertThat(RecordingVerifier.verify(dir).firstProblem()).get().asString().contains(seal.toString(), "is damaged");
        Files.delete(seal);
        assertThat(RecordingVerifier.verify(dir).firstProblem()).get().asString().contains("has no seal.json");
    }

    @Test
    void aTableFileRemovedFromTheRecordingIsNamed() throws Exception {
        Path dir = closedRecording(2_000);
        Seal seal = Seal.read(dir).orElseThrow();
        Seal.Table second = seal.tables().get(1);
        // The seal names a table RocksDB never had: exactly what a lost table file and a MANIFEST
        // rolled back to before it look like.
        Seal tampered = new Seal(seal.sealVersion(), List.of(seal.tables().get(0), new Seal.Table(second.segment(), second.firstKey(),
                second.lastKey(), second.events(), second.chain(), second.bytes() + 1)), seal.journalFrom(), seal.journalTo(), true);
        tampered.write(dir);
        RecordingVerifier.Report report = RecordingVerifier.verify(dir);
        assertThat(report.ok()).isFalse();
        assertThat(report.firstProblem()).get().asString().contains(".sst", "the seal says " + (second.bytes() + 1));
    }

    private Path closedRecording(int events) {
        Path dir = tmp.resolve("closed");
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock, SMALL_SEGMENT * 2, 4)) {
            for (int i = 0; i < events; i++) {
                recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("event-" + i));
            }
        }
        return dir;
    }

    private static Path lastSegment(Path recording) {
        List<Path> segments = Journal.segments(recording);
        assertThat(segments).isNotEmpty();
        return segments.get(segments.size() - 1);
    }

    private static void flip(Path file, long offset) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x20);
        }
    }
}
