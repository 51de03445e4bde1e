package io.stackcompanion.replay;

import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.recording.NodeRecording;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user is told about a damaged recording: the damaged file, in the recording (not a scratch
 * copy), in one line, with exit 2 from both {@code recording.sh verify} and {@code replay.sh}; and
 * an empty or half-collected recorder folder said as such.
 */
class DamagedRecordingTest {
    private static final String NODE = "Node2";

    @TempDir
    Path dir;
    private Path pool;

    @BeforeEach
    void recordNode2() throws Exception {
        pool = RecordingFixtures.simulatedPool(dir.resolve("pool"), NODE, 7, 10);
        assertThat(verify().exit()).as(verify().toString()).isZero();
        assertThat(replay().exit()).as(replay().toString()).isZero();
    }

    @Test
    void aCorruptTableFileIsNamedAndNotCalledOpenForWriting() throws Exception {
        Path table = largest(recorder().resolve(NodeRecording.CLIENT_STACK), ".sst");
        try (RandomAccessFile f = new RandomAccessFile(table.toFile(), "rw")) {
            f.seek(f.length() / 3);
            f.write(new byte[64]);
        }
        assertRefused(recorder().resolve(NodeRecording.CLIENT_STACK).toString());
        assertThat(verify().err()).doesNotContain("open for writing");
    }

    @Test
    void aStackWithoutItsCurrentFileIsReportedNotSkipped() throws Exception {
        Files.delete(recorder().resolve(NodeRecording.CLIENT_STACK).resolve("CURRENT"));
        CollectRecordingsTest.Run v = assertRefused("client-stack recording");
        assertThat(v.err()).contains("CURRENT file is missing");
        assertThat(v.out()).contains(recorder().resolve(NodeRecording.NODE_STACK) + " (");
    }

    @Test
    void anInitialStateReplacedByAnEmptyDatabaseIsRefused() throws Exception {
        Path initial = recorder().resolve(NodeRecording.INITIAL_STATE);
        FileTrees.delete(initial);
        try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, initial.toString())) {
            assertThat(db).isNotNull();
        }
        assertRefused(initial.toString());
        assertThat(verify().err()).contains("were recorded when it was taken");
    }

    @Test
    void anEmptyRecorderFolderSaysItHoldsNoRecording() throws Exception {
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty.resolve("data").resolve("Node3").resolve(NodeRecording.FOLDER));
        CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", empty.toString(), "--node", "Node3");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("error: the recorder folder").contains("holds no recording")
                .doesNotContain("it holds recordings of");
    }

    private CollectRecordingsTest.Run assertRefused(String named) {
        CollectRecordingsTest.Run v = verify();
        CollectRecordingsTest.Run r = replay();
        for (CollectRecordingsTest.Run run : new CollectRecordingsTest.Run[] {v, r}) {
            assertThat(run.exit()).as(run.toString()).isEqualTo(2);
            assertThat(run.err().strip().lines().count()).as(run.toString()).isEqualTo(1);
            assertThat(run.err()).contains(named).doesNotContain("Exception").doesNotContain("replay-");
        }
        return v;
    }

    private CollectRecordingsTest.Run verify() {
        return CollectRecordingsTest.recording("verify", pool.resolve("data").resolve(NODE).toString());
    }

    private CollectRecordingsTest.Run replay() {
        return CollectRecordingsTest.replay("--recording", pool.toString(), "--node", NODE);
    }

    private Path recorder() {
        return pool.resolve("data").resolve(NODE).resolve(NodeRecording.FOLDER);
    }

    private static Path largest(Path folder, String suffix) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix))
                    .max(Comparator.comparingLong(f -> f.toFile().length())).orElseThrow();
        }
    }
}
