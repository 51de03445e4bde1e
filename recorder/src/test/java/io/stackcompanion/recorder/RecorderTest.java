package io.stackcompanion.recorder;

import static io.stackcompanion.recorder.TestRecordings.SECOND;
import static io.stackcompanion.recorder.TestRecordings.T0;
import static io.stackcompanion.recorder.TestRecordings.metadata;
import static io.stackcompanion.recorder.TestRecordings.readAll;
import static io.stackcompanion.recorder.TestRecordings.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

class RecorderTest {

    @TempDir
    Path tmp;

    @Test
    void appendedEventsReadBackInOrderWithAllTheirParts() {
        TestRecordings.ManualNanos mono = new TestRecordings.ManualNanos();
        RecordingClock clock = RecordingClock.of(T0, mono);
        Path dir = tmp.resolve("node");
        EventKey first;
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock)) {
            first = recorder.append(EventKind.STARTED, List.of(), new byte[0]);
            mono.advance(SECOND);
            recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("{\"op\":\"PREPARE\"}"));
            recorder.append(EventKind.OUTGOING, List.of("Beta", "Gamma", "Délta"), new byte[] {0, (byte) 0xFF});
        }
        List<RecordedEvent> events = readAll(dir);
        assertThat(events).extracting(RecordedEvent::kind)
                .containsExactly(EventKind.STARTED, EventKind.INCOMING, EventKind.OUTGOING);
        assertThat(events.get(0).key()).isEqualTo(first);
        assertThat(events.get(1).timeNanos()).isEqualTo(T0 + SECOND);
        assertThat(events.get(1).payload()).isEqualTo(utf8("{\"op\":\"PREPARE\"}"));
        assertThat(events.get(2).peers()).containsExactly("Beta", "Gamma", "Délta");
        assertThat(events.get(2).payload()).containsExactly(0, 0xFF);
        assertThat(readAll(dir)).as("events compare by content").isEqualTo(events);
        try (RecordingReader reader = RecordingReader.open(dir)) {
            assertThat(reader.metadata().nodeName()).isEqualTo("Alpha");
            assertThat(reader.metadata().stackName()).isEqualTo("node");
            assertThat(reader.metadata().formatVersion()).isEqualTo(EventCodec.FORMAT_VERSION);
            assertThat(reader.countEvents()).isEqualTo(3);
            assertThat(reader.firstKey()).contains(first);
            assertThat(reader.lastKey()).contains(events.get(2).key());
        }
    }

    @Test
    void twoRecordersSharingAClockInterleaveExactly() {
        RecordingClock clock = RecordingClock.of(T0, () -> 0); // all at one instant: only seq orders them
        List<String> appendOrder = new ArrayList<>();
        try (Recorder node = Recorder.open(tmp.resolve("node"), metadata("node", clock), clock);
                Recorder client = Recorder.open(tmp.resolve("client"), metadata("client", clock), clock)) {
            for (int i = 0; i < 20; i++) {
                Recorder target = i % 3 == 0 ? client : node;
                String label = (target == client ? "client-" : "node-") + i;
                target.append(EventKind.INCOMING, List.of("peer"), utf8(label));
                appendOrder.add(label);
            }
        }
        List<RecordedEvent> merged = new ArrayList<>(readAll(tmp.resolve("node")));
        merged.addAll(readAll(tmp.resolve("client")));
        merged.sort(Comparator.comparing(RecordedEvent::key));
        assertThat(merged).extracting(e -> new String(e.payload())).containsExactlyElementsOf(appendOrder);
    }

    @Test
    void reopeningContinuesAfterTheLastKeyEvenWhenTheWallClockWentBack() {
        Path dir = tmp.resolve("node");
        RecordingClock firstRun = RecordingClock.of(T0, () -> 0);
        EventKey lastOfFirstRun;
        try (Recorder recorder = Recorder.open(dir, metadata("node", firstRun), firstRun)) {
            recorder.append(EventKind.STARTED, List.of(), new byte[0]);
            lastOfFirstRun = recorder.append(EventKind.TIMER_FIRED, List.of(), utf8("t1"));
        }
        RecordingClock secondRun = RecordingClock.of(T0 - 3600 * SECOND, () -> 0); // wall clock an hour behind
        try (Recorder recorder = Recorder.open(dir, metadata("node", secondRun), secondRun)) {
            assertThat(recorder.lastEventAtOpen()).map(RecordedEvent::kind).contains(EventKind.TIMER_FIRED);
            assertThat(recorder.metadata().createdAtNanos()).as("original metadata kept").isEqualTo(T0);
            EventKey next = recorder.append(EventKind.UNCLEAN_STOP, List.of(), new byte[0]);
            assertThat(next).isGreaterThan(lastOfFirstRun);
        }
        assertThat(readAll(dir)).extracting(RecordedEvent::kind)
                .containsExactly(EventKind.STARTED, EventKind.TIMER_FIRED, EventKind.UNCLEAN_STOP);
    }

    @Test
    void appendAtTheTimeTheCoreSawKeepsThatTime() {
        TestRecordings.ManualNanos mono = new TestRecordings.ManualNanos();
        RecordingClock clock = RecordingClock.of(T0, mono);
        try (Recorder recorder = Recorder.open(tmp.resolve("node"), metadata("node", clock), clock)) {
            long seen = clock.now();
            mono.advance(SECOND);
            EventKey in = recorder.append(seen, EventKind.INCOMING, List.of("Beta"), utf8("x"));
            EventKey out = recorder.append(seen, EventKind.OUTGOING, List.of("Beta"), utf8("y"));
            assertThat(in.timeNanos()).isEqualTo(seen).isEqualTo(out.timeNanos());
            assertThat(out).isGreaterThan(in);
            recorder.append(EventKind.TIMER_FIRED, List.of(), new byte[0]);
            assertThatThrownBy(() -> recorder.append(seen, EventKind.OUTGOING, List.of(), new byte[0]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before the last recorded event");
        }
    }

    @Test
    void iteratorFromATimeStartsInTheMiddle() {
        TestRecordings.ManualNanos mono = new TestRecordings.ManualNanos();
        RecordingClock clock = RecordingClock.of(T0, mono);
        Path dir = tmp.resolve("node");
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock)) {
            for (int i = 0; i < 10; i++) {
                recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("m" + i));
                recorder.append(EventKind.OUTGOING, List.of("Beta"), utf8("r" + i));
                mono.advance(SECOND);
            }
        }
        try (RecordingReader reader = RecordingReader.open(dir); EventCursor cursor = reader.iterator(T0 + 7 * SECOND)) {
            List<String> payloads = new ArrayList<>();
            cursor.forEachRemaining(e -> payloads.add(new String(e.payload())));
            assertThat(payloads).containsExactly("m7", "r7", "m8", "r8", "m9", "r9");
        }
        try (RecordingReader reader = RecordingReader.open(dir); EventCursor cursor = reader.iterator(T0 + 7 * SECOND + 1)) {
            assertThat(cursor.next().payload()).isEqualTo(utf8("m8"));
        }
    }

    @Test
    void refusesToContinueAnotherNodesRecording() {
        RecordingClock clock = RecordingClock.of(T0, () -> 0);
        Path dir = tmp.resolve("node");
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock)) {
            recorder.append(EventKind.STARTED, List.of(), new byte[0]);
        }
        RecorderMetadata beta = RecorderMetadata.create("Beta", "node", "genesis-abc", "test", clock);
        assertThatThrownBy(() -> Recorder.open(dir, beta, clock))
                .isInstanceOf(RecordingException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("node Alpha").hasMessageContaining("node Beta");
    }

    @Test
    void aSecondWriterOnTheSameFolderGetsAClearError() {
        RecordingClock clock = RecordingClock.of(T0, () -> 0);
        Path dir = tmp.resolve("node");
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock)) {
            assertThatThrownBy(() -> Recorder.open(dir, metadata("node", clock), clock))
                    .isInstanceOf(RecordingException.class)
                    .hasMessageContaining(dir.toString()).hasMessageContaining("already open for writing");
            recorder.append(EventKind.STARTED, List.of(), new byte[0]); // the first writer is unharmed
        }
        assertThat(readAll(dir)).hasSize(1);
    }

    @Test
    void readerOpensBesideALiveWriterAndSeesEventsUpToItsOpen() {
        RecordingClock clock = RecordingClock.of(T0, () -> 0);
        Path dir = tmp.resolve("node");
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock)) {
            recorder.append(EventKind.STARTED, List.of(), new byte[0]);
            recorder.append(EventKind.CONNECTED, List.of("Beta"), new byte[0]);
            try (RecordingReader reader = RecordingReader.open(dir)) {
                recorder.append(EventKind.DISCONNECTED, List.of("Beta"), new byte[0]);
                assertThat(reader.countEvents()).isEqualTo(2);
            }
            assertThat(readAll(dir)).hasSize(3);
        }
    }

    @Test
    void plainRocksDbReadOnlyOpenIteratesEventsOnly() throws Exception {
        RecordingClock clock = RecordingClock.of(T0, () -> 0);
        Path dir = tmp.resolve("node");
        List<EventKey> written = new ArrayList<>();
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock)) {
            for (int i = 0; i < 5; i++) {
                written.add(recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("m" + i)));
            }
        }
        RocksDB.loadLibrary();
        List<EventKey> seen = new ArrayList<>();
        try (RocksDB db = RocksDB.openReadOnly(dir.toString()); RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                assertThat(it.key()).hasSize(16);
                assertThat(it.value()[1]).isEqualTo((byte) EventKind.INCOMING.code());
                seen.add(EventKey.fromBytes(it.key()));
            }
        }
        assertThat(seen).isEqualTo(written);
        assertThat(Arrays.equals(written.get(0).toBytes(), new EventKey(T0, 0).toBytes())).isTrue();
    }

    @Test
    void anotherRocksDbDatabaseIsNeitherReadNorWrittenAsARecording() throws Exception {
        Path other = tmp.resolve("other");
        RocksDB.loadLibrary();
        try (org.rocksdb.Options options = new org.rocksdb.Options().setCreateIfMissing(true);
                RocksDB db = RocksDB.open(options, other.toString())) {
            db.put(utf8("k"), utf8("v"));
        }
        RecordingClock clock = RecordingClock.of(T0, () -> 0);
        assertThatThrownBy(() -> Recorder.open(other, metadata("node", clock), clock))
                .isInstanceOf(RecordingFormatException.class).hasMessageContaining("not a Stack Companion recording");
        assertThatThrownBy(() -> RecordingReader.open(other))
                .isInstanceOf(RecordingFormatException.class).hasMessageContaining("not a Stack Companion recording");
    }

    @Test
    void readingAFolderWithoutARecordingSaysSo() {
        assertThatThrownBy(() -> RecordingReader.open(tmp.resolve("nothing")))
                .isInstanceOf(RecordingException.class)
                .hasMessageContaining("no recording at " + tmp.resolve("nothing"));
    }
}
