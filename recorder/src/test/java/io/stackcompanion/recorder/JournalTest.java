package io.stackcompanion.recorder;

import static io.stackcompanion.recorder.TestRecordings.T0;
import static io.stackcompanion.recorder.TestRecordings.metadata;
import static io.stackcompanion.recorder.TestRecordings.readAll;
import static io.stackcompanion.recorder.TestRecordings.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * The journal in front of RocksDB: what a user sees is one recording, whichever part of it holds an
 * event — while the writer runs, after it closed, after it died mid-append.
 */
class JournalTest {

    /** Small segments so a few hundred events roll over many of them. */
    private static final long SMALL_SEGMENT = 8 * 1024;

    @TempDir
    Path tmp;

    private final RecordingClock clock = RecordingClock.of(T0, () -> 0);

    private Recorder open(Path dir, int maxBacklog) {
        return Recorder.open(dir, metadata("node", clock), clock, SMALL_SEGMENT, maxBacklog);
    }

    private static List<String> payloads(List<RecordedEvent> events) {
        return events.stream().map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList();
    }

    private static List<String> expected(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("event-" + i);
        }
        return out;
    }

    private static List<Path> segments(Path dir) {
        return Journal.segments(dir);
    }

    @Test
    void aLiveRecordingReadsWholeAcrossRocksDbAndItsJournalAndACloseMovesEverythingIntoRocksDb() throws Exception {
        Path dir = tmp.resolve("node");
        try (Recorder recorder = open(dir, 1)) {
            for (int i = 0; i < 500; i++) {
                recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("event-" + i));
            }
            // Backlog of one segment: by now most segments were moved, the last ones not yet.
            assertThat(payloads(readAll(dir))).containsExactlyElementsOf(expected(500));
            assertThat(segments(dir)).as("the active segment is still in the journal").isNotEmpty();
            try (RecordingReader reader = RecordingReader.open(dir)) {
                assertThat(reader.lastKey()).isEqualTo(recorder.lastKey());
                assertThat(reader.countEvents()).isEqualTo(500);
            }
        }
        assertThat(segments(dir)).as("close moves the journal into RocksDB").isEmpty();
        RocksDB.loadLibrary();
        int plain = 0;
        try (RocksDB db = RocksDB.openReadOnly(dir.toString()); RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                plain++;
            }
        }
        assertThat(plain).as("plain rocksdbjni sees every event").isEqualTo(500);
        assertThat(RecordingVerifier.verify(dir).ok()).isTrue();
    }

    @Test
    void aRecordingLeftByADeadWriterOpensWithEveryEventAndTheNextWriterContinuesIt() throws Exception {
        Path orphan = orphanAfter(300);
        assertThat(segments(orphan)).isNotEmpty();
        assertThat(payloads(readAll(orphan))).containsExactlyElementsOf(expected(300));
        assertThat(RecordingVerifier.verify(orphan).ok()).isTrue();

        RecordingClock next = RecordingClock.system();
        try (Recorder recorder = Recorder.open(orphan, metadata("node", next), next, SMALL_SEGMENT, 4)) {
            assertThat(segments(orphan)).as("the new writer moved the old journal first").isEmpty();
            assertThat(recorder.lastEventAtOpen()).map(e -> new String(e.payload(), StandardCharsets.UTF_8)).contains("event-299");
            recorder.append(EventKind.UNCLEAN_STOP, List.of(), new byte[0]);
        }
        List<RecordedEvent> events = readAll(orphan);
        assertThat(events).hasSize(301);
        assertThat(events.get(300).kind()).isEqualTo(EventKind.UNCLEAN_STOP);
    }

    @Test
    void anAppendCutShortByAKillIsNotAnEventAndTheRestIsKept() throws Exception {
        Path orphan = orphanAfter(10);
        Path last = segments(orphan).get(segments(orphan).size() - 1);
        long end = TestRecordings.endOfRecords(orphan);
        // A record whose body is there but whose length word was never published, and one whose
        // length is there but whose body was cut: both are what a kill mid-append can leave.
        try (RandomAccessFile file = new RandomAccessFile(last.toFile(), "rw")) {
            file.seek(end + 8);
            file.write(utf8("half a record"));
        }
        assertThat(payloads(readAll(orphan))).containsExactlyElementsOf(expected(10));
        try (RandomAccessFile file = new RandomAccessFile(last.toFile(), "rw")) {
            file.seek(end);
            file.writeInt(200);
        }
        assertThat(payloads(readAll(orphan))).containsExactlyElementsOf(expected(10));
        assertThat(RecordingVerifier.verify(orphan).ok()).isTrue();
        try (Recorder recorder = Recorder.open(orphan, metadata("node", clock), clock, SMALL_SEGMENT, 4)) {
            assertThat(recorder.lastEventAtOpen()).map(e -> new String(e.payload(), StandardCharsets.UTF_8)).contains("event-9");
        }
        assertThat(segments(orphan)).isEmpty();
        assertThat(last.resolveSibling(last.getFileName() + ".damaged")).as("a torn tail is kept for whoever investigates").exists();
        assertThat(payloads(readAll(orphan))).containsExactlyElementsOf(expected(10));
    }

    @Test
    void aDamagedSegmentBeforeTheLastIsReportedWithItsFileAndOffsetNotSkipped() throws Exception {
        // Segments the way a killed writer leaves them: sealed ones and the active one, not yet moved.
        Path dir = TestRecordings.killedWriterJournal(tmp.resolve("node"), clock, SMALL_SEGMENT, 300);
        List<Path> segments = segments(dir);
        assertThat(segments).hasSizeGreaterThan(1);
        assertThat(payloads(readAll(dir)).subList(1, 301)).containsExactlyElementsOf(expected(300));
        Path first = segments.get(0);
        try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw")) {
            file.seek(Journal.HEADER_BYTES + 30); // inside the first record's body
            int b = file.read();
            file.seek(Journal.HEADER_BYTES + 30);
            file.write(b ^ 0x01);
        }
        RecordingVerifier.Report report = RecordingVerifier.verify(dir);
        assertThat(report.ok()).isFalse();
        assertThat(report.firstProblem()).get().asString()
                .contains(first.toString()).contains("offset " + Journal.HEADER_BYTES).contains("checksum");
        assertThatThrownBy(() -> Recorder.open(dir, metadata("node", clock), clock, SMALL_SEGMENT, 4))
                .isInstanceOf(RecordingFormatException.class).hasMessageContaining(first.toString());
        assertThat(Files.exists(first)).as("a damaged journal is never deleted").isTrue();
    }

    @Test
    void aWriterFasterThanRocksDbWaitsForItAndLosesNothing() {
        Path dir = tmp.resolve("node");
        byte[] payload = new byte[200];
        try (Recorder recorder = open(dir, 1)) {
            for (int i = 0; i < 5_000; i++) {
                payload[0] = (byte) i;
                recorder.append(EventKind.INCOMING, List.of("Beta"), payload);
            }
        }
        List<RecordedEvent> events = readAll(dir);
        assertThat(events).hasSize(5_000);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).payload()[0]).isEqualTo((byte) i);
        }
    }

    @Test
    void anEventLargerThanASegmentGetsASegmentOfItsOwn() {
        Path dir = tmp.resolve("node");
        byte[] big = new byte[(int) SMALL_SEGMENT * 3];
        big[big.length - 1] = 42;
        try (Recorder recorder = open(dir, 4)) {
            recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("small"));
            recorder.append(EventKind.INCOMING, List.of("Beta"), big);
            recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("after"));
            assertThat(readAll(dir)).extracting(e -> e.payload().length).containsExactly(5, big.length, 5);
        }
        assertThat(readAll(dir).get(1).payload()).isEqualTo(big);
    }

    /**
     * What a SIGKILL of a writer leaves after {@code n} appends ("event-0", ...): the files as they
     * are at that moment, copied while the writer is open; nothing closed, nothing moved.
     */
    private Path orphanAfter(int n) throws IOException {
        return TestRecordings.orphanAfter(tmp, clock, SMALL_SEGMENT, n);
    }
}
