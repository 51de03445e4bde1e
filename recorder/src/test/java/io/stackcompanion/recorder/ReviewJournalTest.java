package io.stackcompanion.recorder;

import static io.stackcompanion.recorder.TestRecordings.T0;
import static io.stackcompanion.recorder.TestRecordings.metadata;
import static io.stackcompanion.recorder.TestRecordings.readAll;
import static io.stackcompanion.recorder.TestRecordings.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review findings on the journal: each test fails on the code as merged. */
class ReviewJournalTest {

    private static final long SMALL_SEGMENT = 8 * 1024;

    @TempDir
    Path tmp;

    private final RecordingClock clock = RecordingClock.of(T0, () -> 0);

    /** Two sealed segments and an active one, as a killed writer leaves them. */
    private Path journalOfThreeSegments() {
        Path dir = tmp.resolve("node");
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock, SMALL_SEGMENT, 4)) {
            recorder.append(EventKind.STARTED, List.of(), new byte[0]);
        }
        List<Path> sealed = new ArrayList<>();
        try (JournalWriter journal = new JournalWriter(Journal.folder(dir), 0, SMALL_SEGMENT, sealed::add)) {
            for (int i = 0; i < 300; i++) {
                journal.append(new EventKey(T0 + 1_000 + i, 1_000 + i).toBytes(),
                        EventCodec.encode(EventKind.INCOMING, List.of("Beta"), utf8("event-" + i)));
            }
        }
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
    void anInterruptedRollLeavesARecordingThatStillOpensAndReads() {
        Path dir = tmp.resolve("node");
        long acknowledged = 0;
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock, SMALL_SEGMENT, 4)) {
            Thread.currentThread().interrupt(); // e.g. an executor's shutdownNow while the core appends
            try {
                recorder.append(EventKind.STARTED, List.of(), new byte[0]); // FileChannel.map: ClosedByInterruptException
            } catch (RecordingException expected) {
                // not acknowledged; the failed roll left a zero-byte segment 1
            } finally {
                Thread.interrupted();
            }
            for (int i = 0; i < 500; i++) {
                recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("event-" + i));
                acknowledged++;
            }
            // A live reader (or the recovery after a SIGKILL now) meets the zero-byte segment 1 before
            // the active one: "shorter than its header", the recording is reported corrupted.
            assertThat((long) readAll(dir).size()).as("live reader").isEqualTo(acknowledged);
        }
        assertThat((long) readAll(dir).size()).isEqualTo(acknowledged);
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock, SMALL_SEGMENT, 4)) {
            assertThat(recorder.lastKey()).isPresent();
        }
    }

    @Test
    void aSegmentWhoseSealFailedIsNotLostWhenLaterSegmentsAreIngested() {
        Path dir = tmp.resolve("node");
        long acknowledged = 0;
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock, SMALL_SEGMENT, 4)) {
            recorder.append(EventKind.STARTED, List.of(), new byte[0]);
            acknowledged++;
            // Interrupted core thread: appends into the mapping succeed (acknowledged); the next roll's
            // truncate throws ClosedByInterruptException, leaving that segment out of the ingester's queue.
            boolean failed = false;
            for (int i = 0; i < 5_000 && !failed; i++) {
                Thread.currentThread().interrupt();
                try {
                    recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("event-" + i));
                    acknowledged++;
                } catch (RecordingException e) {
                    failed = true;
                }
            }
            Thread.interrupted();
            assertThat(failed).isTrue();
            for (int i = 0; i < 2_000; i++) {
                recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("after-" + i));
                acknowledged++;
            }
            recorder.awaitIngested();
            assertThat((long) readAll(dir).size()).as("live reader").isEqualTo(acknowledged);
        }
        assertThat((long) readAll(dir).size()).as("after close").isEqualTo(acknowledged);
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock, SMALL_SEGMENT, 4)) {
            // reopening recovers the journal
        }
        assertThat((long) readAll(dir).size()).as("after reopen").isEqualTo(acknowledged);
    }
}
