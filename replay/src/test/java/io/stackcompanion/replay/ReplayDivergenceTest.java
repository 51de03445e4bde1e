package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.config.ConfigKey;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.pool.LocalPool;
import io.stackcompanion.node.pool.LocalPoolExtension;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.Recorder;
import io.stackcompanion.recorder.RecorderMetadata;
import io.stackcompanion.recorder.RecordingClock;
import io.stackcompanion.recorder.RecordingReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static io.stackcompanion.replay.ReplayEndToEndTest.order;
import static io.stackcompanion.replay.ReplayEndToEndTest.replay;
import static org.assertj.core.api.Assertions.assertThat;

/** A replay that does not reproduce the recording says where and how; a bad recording is one line. */
class ReplayDivergenceTest {
    @RegisterExtension
    static final LocalPoolExtension pools = new LocalPoolExtension();
    /** A real pool's recording, made once for the class; each test gets its own copy to read or damage. */
    private static Path recorded;
    @TempDir
    Path copies;
    private Path dir;

    @BeforeAll
    static void record() throws Exception {
        LocalPool pool = pools.start(4, NodeConfig.defaults().with(ConfigKey.STACK_COMPANION, "1"));
        order(List.of(pool.newClient()), 40);
        pool.close();
        recorded = pool.baseDir();
    }

    @BeforeEach
    void copyTheRecording() throws Exception {
        dir = copies.resolve("pool");
        io.stackcompanion.node.FileTrees.copy(recorded, dir);
    }

    @Test
    void changedBehaviourIsReportedAtTheFirstDivergingMessage(@TempDir Path sim) throws Exception {
        // As if the developer changed the code: a replica that accepts no batch time stops preparing.
        // Recorded in the simulator, whose links take 1-3 ms: every PRE-PREPARE arrives at least a
        // millisecond after its pp_time, so a tolerance of 0 refuses each one (on a real loopback
        // pool one may arrive within the same millisecond, and the replay would rightly match).
        Path pool = RecordingFixtures.simulatedPool(sim.resolve("pool"), "Node2", 11, 10);
        ReplayEndToEndTest.Run r = replay("--recording", pool.toString(), "--node", "Node2", "--json",
                "--set", "PP_TIME_TOLERANCE_MS=0");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        JsonNode v = r.verdict();
        assertThat(v.get("matches").asBoolean()).isFalse();
        JsonNode d = v.get("firstDivergence");
        assertThat(d.get("eventIndex").asLong()).isPositive();
        assertThat(d.get("recordedTime").asText()).endsWith("Z");
        assertThat(d.get("expected").get("message").get("op").asText()).isEqualTo("PREPARE");
        assertThat(r.output()).contains("DIVERGED at event " + d.get("eventIndex").asLong());
    }

    @Test
    void aMessageTheRecordedNodeSentButTheReplayDoesNotIsADivergence() throws Exception {
        Path client = dir.resolve("data/Node3/recorder/client");
        RecorderMetadata meta;
        long last;
        try (RecordingReader r = RecordingReader.open(client)) {
            meta = r.metadata();
            last = r.lastKey().orElseThrow().timeNanos();
        }
        RecordingClock clock = RecordingClock.of(last + 1_000_000, System::nanoTime);
        try (Recorder rec = Recorder.open(client, meta, clock)) {
            rec.append(EventKind.OUTGOING, List.of("127.0.0.1:1"), Codec.encode(new Reply("someone", 1, 99, "ab")));
        }
        ReplayEndToEndTest.Run r = replay("--recording", dir.toString(), "--node", "Node3", "--json");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        JsonNode d = r.verdict().get("firstDivergence");
        assertThat(d.get("reason").asText()).contains("the replayed node sent nothing");
        assertThat(d.get("expected").get("message").get("seqNo").asLong()).isEqualTo(99);
        assertThat(d.get("stack").asText()).isEqualTo("CLIENT");
    }

    @Test
    void aRecordingOfAnotherNodeIsAOneLineError() {
        Path node1 = dir.resolve("data/Node1/recorder");
        ReplayEndToEndTest.Run r = replay("--recording", node1.toString(), "--node", "Node2");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errors().strip()).startsWith("error: ").contains("is of node Node1, not Node2")
                .contains("--node Node1").doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void anUnknownNodeNamesTheNodesThatWereRecorded() {
        ReplayEndToEndTest.Run r = replay("--recording", dir.toString(), "--node", "Node9");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errors().strip()).isEqualTo("error: no recording of Node9 under " + dir
                + "; it holds recordings of [Node1, Node2, Node3, Node4]");
    }

    @Test
    void aTruncatedRecordingIsAOneLineError() throws Exception {
        Path node = dir.resolve("data/Node2/recorder/node");
        List<Path> files;
        try (var s = Files.list(node)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".sst") || p.getFileName().toString().endsWith(".log"))
                    .sorted(Comparator.comparingLong(ReplayDivergenceTest::size).reversed()).toList();
        }
        assertThat(files).isNotEmpty();
        try (RandomAccessFile f = new RandomAccessFile(files.get(0).toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        ReplayEndToEndTest.Run r = replay("--recording", dir.toString(), "--node", "Node2", "--json");
        assertThat(r.exit()).as(r.output()).isIn(1, 2);
        if (r.exit() == 2) {
            assertThat(r.errors().strip()).startsWith("error: ").doesNotContain("\n").doesNotContain("\tat ");
        } else {
            // RocksDB dropped the torn tail of its log: the replay must notice the missing events.
            assertThat(r.verdict().get("matches").asBoolean()).isFalse();
        }
    }

    @Test
    void aRecordingFromANewerFormatIsAOneLineError() throws Exception {
        Path node = dir.resolve("data/Node4/recorder/node");
        RocksDB.loadLibrary();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions o = new DBOptions()) {
            List<ColumnFamilyDescriptor> cfs = List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                    new ColumnFamilyDescriptor("meta".getBytes(StandardCharsets.UTF_8)));
            try (RocksDB db = RocksDB.open(o, node.toString(), cfs, handles)) {
                byte[] key = "metadata".getBytes(StandardCharsets.UTF_8);
                String meta = new String(db.get(handles.get(1), key), StandardCharsets.UTF_8);
                db.put(handles.get(1), key, meta.replaceFirst("\"formatVersion\":\\d+", "\"formatVersion\":7")
                        .getBytes(StandardCharsets.UTF_8));
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
        ReplayEndToEndTest.Run r = replay("--recording", dir.toString(), "--node", "Node4");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errors().strip()).startsWith("error: ").contains("format 7 is newer than this build supports")
                .doesNotContain("\n");
    }

    @Test
    void theRecordingIsOnlyRead() throws Exception {
        Path rec = dir.resolve("data/Node2/recorder");
        long before = treeSize(rec);
        List<String> names = fileNames(rec);
        assertThat(replay("--recording", dir.toString(), "--node", "Node2").exit()).isZero();
        assertThat(fileNames(rec)).isEqualTo(names);
        assertThat(treeSize(rec)).isEqualTo(before);
        assertThat(rec.resolve(NodeRecording.INITIAL_STATE)).isDirectory();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static long treeSize(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("LOG"))
                    .mapToLong(ReplayDivergenceTest::size).sum();
        }
    }

    private static List<String> fileNames(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            return s.map(q -> p.relativize(q).toString()).filter(n -> !n.contains("LOG")).sorted().toList();
        }
    }
}
