package io.stackcompanion.recorder;

import static io.stackcompanion.recorder.TestRecordings.T0;
import static io.stackcompanion.recorder.TestRecordings.metadata;
import static io.stackcompanion.recorder.TestRecordings.readAll;
import static io.stackcompanion.recorder.TestRecordings.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal when things go wrong: damaged segments, interrupted threads, a segment that cannot
 * be handed over. Nothing acknowledged is lost, nothing damaged passes silently.
 */
class JournalFailureTest {

    private static final long SMALL_SEGMENT = 8 * 1024;

    @TempDir
    Path tmp;

    private final RecordingClock clock = RecordingClock.of(T0, () -> 0);

    /** Two sealed segments and an active one, as a killed writer leaves them. */
    private Path journalOfThreeSegments() {
        Path dir = TestRecordings.killedWriterJournal(tmp.resolve("node"), clock, SMALL_SEGMENT, 300);
        assertThat(Journal.segments(dir)).hasSizeGreaterThan(2);
        return dir;
    }

    @Test
    void aHugeCorruptedLengthInASealedSegmentIsAFormatErrorNotAnOutOfMemoryError() throws Exception {
        Path dir = journalOfThreeSegments();
        Path first = Journal.segments(dir).get(0);
        try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw")) {
            file.seek(Journal.HEADER_BYTES);
            file.writeInt(0x7F000000); // one flipped byte in a length word
        }
        assertThatThrownBy(() -> readAll(dir)).isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining(first.toString());
    }

    @Test
    void aZeroedLengthInsideASealedSegmentIsCorruptionNotItsEnd() throws Exception {
        Path dir = journalOfThreeSegments();
        Path first = Journal.segments(dir).get(0);
        try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw")) {
            file.seek(Journal.HEADER_BYTES);
            file.writeInt(0); // e.g. a page that never reached the disk
        }
        assertThatThrownBy(() -> readAll(dir)).isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining(first.toString());
    }

    @Test
    void anInterruptedThreadStillAppendsEveryEventAndKeepsItsInterrupt() {
        // e.g. an executor's shutdownNow while the core appends: channel operations (creating, cutting
        // a segment) would fail on an interrupted thread, and a failed seal could strand a segment.
        Path dir = tmp.resolve("node");
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock, SMALL_SEGMENT, 1)) {
            for (int i = 0; i < 3_000; i++) {
                Thread.currentThread().interrupt();
                recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("event-" + i));
                assertThat(Thread.interrupted()).as("the interrupt is the caller's").isTrue();
            }
            recorder.awaitIngested();
            assertThat(readAll(dir)).as("live reader").hasSize(3_000);
        }
        assertThat(readAll(dir)).hasSize(3_000);
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock, SMALL_SEGMENT, 4)) {
            assertThat(recorder.lastEventAtOpen()).map(e -> new String(e.payload())).contains("event-2999");
        }
    }

    @Test
    void aSegmentThatCouldNotBeHandedOverIsRetriedBeforeAnyLaterOne() {
        Path journal = Journal.folder(tmp.resolve("node"));
        List<Path> handed = new ArrayList<>();
        int[] refusals = {2};
        JournalWriter writer = new JournalWriter(journal, 0, SMALL_SEGMENT, segment -> {
            if (refusals[0]-- > 0) {
                throw new RecordingException("ingestion refused (test)");
            }
            handed.add(segment);
        });
        int acknowledged = 0;
        int failed = 0;
        for (int i = 0; i < 600; i++) {
            try {
                writer.append(new EventKey(T0 + i, i).toBytes(), EventCodec.encode(EventKind.INCOMING, List.of("Beta"), utf8("event-" + i)));
                acknowledged++;
            } catch (RecordingException e) {
                failed++; // not acknowledged: the append that met the refusal
            }
        }
        writer.close();
        assertThat(failed).isEqualTo(2);
        assertThat(handed).as("in order, none skipped").isSorted().containsExactlyElementsOf(Journal.segments(tmp.resolve("node")));
        assertThat(handed.get(0).getFileName().toString()).startsWith("00000000000000000001");
        long records = 0;
        for (Journal.OpenSegment segment : Journal.openAll(tmp.resolve("node"), false)) {
            Journal.SegmentReader reader = segment.reader(false);
            while (reader.next() != null) {
                records++;
            }
            try {
                segment.channel().close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        assertThat(records).as("every acknowledged record, each once").isEqualTo(acknowledged);
    }
}
