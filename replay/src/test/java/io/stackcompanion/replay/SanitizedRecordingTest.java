package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.recorder.EventCursor;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.RecordingReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sanitized recordings (issue 13) on the real recorded pool of {@code recordings/format3-pool.tgz}
 * (load, the primary SIGKILLed and a view change, a restart with catch-up and a restart state):
 * no customer value of the original is left in any byte of the sanitized copy, every node replays
 * to a MATCH from it, a changed configuration diverges where it diverges on the original, and the
 * pseudonyms depend on the key and on nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SanitizedRecordingTest {
    private static final List<String> NODES = List.of("Node1", "Node2", "Node3", "Node4");
    private static final Pattern CLIENT_ADDRESS = Pattern.compile("[0-9.]+:[0-9]+|\\[[0-9a-fA-F:.]+\\]:[0-9]+");

    @TempDir
    static Path dir;
    Path original;
    Path keyA;
    Path sanitized;
    Set<String> customerValues;

    @BeforeAll
    void sanitizeTheFixture() throws Exception {
        original = RecordingFixtures.unpack("format3-pool.tgz", Files.createDirectories(dir.resolve("original")));
        keyA = dir.resolve("keys/a.key");
        sanitized = dir.resolve("sanitized");
        CollectRecordingsTest.Run r = sanitize(original, sanitized, keyA);
        assertThat(r.exit()).as(r.toString()).isZero();
        customerValues = customerValues(export(original));
    }

    static CollectRecordingsTest.Run sanitize(Path in, Path out, Path key) {
        return CollectRecordingsTest.recording("sanitize", in.toString(), out.toString(), "--sanitize-key", key.toString());
    }

    static String export(Path recording) {
        CollectRecordingsTest.Run r = CollectRecordingsTest.recording("export", recording.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out();
    }

    /** Every operation key and value, client identifier, signature and client address in an export. */
    static Set<String> customerValues(String export) throws IOException {
        Set<String> values = new TreeSet<>();
        for (String line : export.lines().toList()) {
            JsonNode e = Codec.mapper().readTree(line);
            for (JsonNode peer : e.get("peers")) {
                if (CLIENT_ADDRESS.matcher(peer.asText()).matches()) {
                    values.add(peer.asText());
                }
            }
            collect(e.get("payload"), values);
        }
        return values;
    }

    private static void collect(JsonNode n, Set<String> values) throws IOException {
        if (n.isTextual() && n.asText().startsWith("{")) {
            collect(Codec.mapper().readTree(n.asText()), values); // a ledger transaction inside a catch-up reply
        }
        if (n.has("identifier")) {
            values.add(n.get("identifier").asText());
        }
        if (n.has("signature")) {
            values.add(n.get("signature").asText());
        }
        if (n.has("operation") && n.get("operation").isObject()) {
            for (String field : List.of("key", "value", "expected")) {
                if (n.get("operation").hasNonNull(field)) {
                    values.add(n.get("operation").get(field).asText());
                }
            }
        }
        if (n.has("result") && n.get("result").hasNonNull("value")) {
            values.add(n.get("result").get("value").asText()); // a GET's result in a REPLY or a ledger transaction
        }
        for (JsonNode child : n) {
            collect(child, values);
        }
    }

    @Test
    void noCustomerValueIsLeftInAnyByteOfTheCopyNorInItsExport() throws Exception {
        assertThat(customerValues).hasSizeGreaterThan(300); // 60 keys, 60 values, 6 clients, 140 signatures, 59 addresses
        List<byte[]> contents = everyByteOf(sanitized, NODES);
        assertNoneIn(contents, customerValues);
        // The key itself never travels with the recording.
        String key = Files.readAllLines(keyA).get(1);
        for (byte[] content : contents) {
            assertThat(new String(content, StandardCharsets.ISO_8859_1)).doesNotContain(key);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyA))).isEqualTo("rw-------");
    }

    /**
     * What a sanitized copy holds: its files as stored (RocksDB table files are compressed), every
     * event's peers and payload and every store key and value of {@code nodes} decompressed, and its export.
     */
    static List<byte[]> everyByteOf(Path sanitized, List<String> nodes) throws Exception {
        List<byte[]> contents = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sanitized)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                contents.add(Files.readAllBytes(f)); // as stored (RocksDB table files are compressed)
            }
        }
        for (String node : nodes) {
            Path recorder = sanitized.resolve("data").resolve(node).resolve(NodeRecording.FOLDER);
            for (String stack : List.of(NodeRecording.NODE_STACK, NodeRecording.CLIENT_STACK)) {
                contents.add(events(recorder.resolve(stack))); // decompressed: every event's peers and payload
            }
            try (Stream<Path> states = Files.walk(recorder, 2)) {
                for (Path state : states.filter(p -> Files.isRegularFile(p.resolve("CURRENT"))
                        && !p.getFileName().toString().equals(NodeRecording.NODE_STACK)
                        && !p.getFileName().toString().equals(NodeRecording.CLIENT_STACK)).toList()) {
                    contents.add(store(state)); // decompressed: every key and value of the initial and restart states
                }
            }
        }
        contents.add(export(sanitized).getBytes(StandardCharsets.UTF_8));
        return contents;
    }

    static void assertNoneIn(List<byte[]> contents, Set<String> customerValues) {
        for (byte[] content : contents) {
            String haystack = new String(content, StandardCharsets.ISO_8859_1);
            for (String value : customerValues) {
                assertThat(haystack.contains(new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)))
                        .as("customer value %s left in the sanitized copy", value).isFalse();
            }
        }
    }

    private static byte[] events(Path stack) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordingReader r = RecordingReader.open(stack); EventCursor c = r.iterator()) {
            while (c.hasNext()) {
                RecordedEvent e = c.next();
                out.write(String.join("\n", e.peers()).getBytes(StandardCharsets.UTF_8));
                out.write(e.payload());
            }
        }
        return out.toByteArray();
    }

    private static byte[] store(Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<byte[]> names;
        try (Options options = new Options()) {
            names = RocksDB.listColumnFamilies(options, dir.toString());
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
             RocksDB db = RocksDB.openReadOnly(options, dir.toString(), names.stream().map(ColumnFamilyDescriptor::new).toList(), handles)) {
            for (ColumnFamilyHandle h : handles) {
                try (RocksIterator it = db.newIterator(h)) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        out.write(it.key());
                        out.write(it.value());
                    }
                }
            }
        } finally {
            handles.forEach(ColumnFamilyHandle::close);
        }
        return out.toByteArray();
    }

    @Test
    void recordedConsensusStatesAreSanitizedTooAndStillCompareExactly() throws Exception {
        // Checkpoints every 2 batches of 2 requests: STATE events at each stable checkpoint and the stop.
        Path pool = RecordingFixtures.simulatedPool(dir.resolve("with-states"), "Node2", 15, 12, io.stackcompanion.node.config.NodeConfig
                .defaults().with(io.stackcompanion.node.config.ConfigKey.CHK_FREQ, "2").with(io.stackcompanion.node.config.ConfigKey.LOG_SIZE, "4")
                .with(io.stackcompanion.node.config.ConfigKey.MAX_BATCH_SIZE, "2"), 0);
        Path out = dir.resolve("with-states-sanitized");
        CollectRecordingsTest.Run s = sanitize(pool, out, keyA);
        assertThat(s.exit()).as(s.toString()).isZero();
        String before = export(pool);
        String after = export(out);
        assertThat(after).contains("\"kind\":\"STATE\"");
        Set<String> roots = new java.util.TreeSet<>();
        for (String line : before.lines().toList()) {
            roots.addAll(io.stackcompanion.node.message.Codec.mapper().readTree(line).findValuesAsText("ledgerRoot"));
        }
        assertThat(roots).hasSizeGreaterThan(2);
        for (String root : roots) {
            if (!root.equals(io.stackcompanion.node.crypto.Hashes.hex(io.stackcompanion.node.store.MerkleTree.emptyRoot()))) {
                assertThat(after).as("a ledger root of the customer's data").doesNotContain(root);
            }
        }
        CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", out.toString(), "--node", "Node2", "--json", "--check-state");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("--check-state: ([4-9]|\\d\\d+) of \\1 recorded states compared");
    }

    @Test
    void binaryNodeMessagesAreSanitizedIntoBinaryAndTheCopyReplaysToAMatch() throws Exception {
        // Today's nodes send node messages binary (the fixture above is JSON): each rewritten message
        // keeps the format it was recorded in, and no customer value survives in either.
        Path pool = RecordingFixtures.simulatedPool(dir.resolve("binary"), "Node2", 21, 8);
        Path out = dir.resolve("binary-sanitized");
        CollectRecordingsTest.Run s = sanitize(pool, out, keyA);
        assertThat(s.exit()).as(s.toString()).isZero();
        Path stack = Path.of("data/Node2", NodeRecording.FOLDER, NodeRecording.NODE_STACK);
        List<Boolean> before = binaryMessages(pool.resolve(stack));
        assertThat(before).contains(true);
        assertThat(binaryMessages(out.resolve(stack))).isEqualTo(before);
        // The simulated clients' short keys and values ("key", "v1") occur in any text by chance; their
        // identifiers and signatures (tens of characters) cannot.
        Set<String> values = new TreeSet<>(customerValues(export(pool)));
        values.removeIf(v -> v.length() < 16);
        assertThat(values).hasSizeGreaterThan(8);
        assertNoneIn(everyByteOf(out, List.of("Node2")), values);
        CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", out.toString(), "--node", "Node2", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    /** Per recorded message of a stack, in order: whether it is binary. */
    private static List<Boolean> binaryMessages(Path stack) throws IOException {
        List<Boolean> out = new ArrayList<>();
        try (RecordingReader r = RecordingReader.open(stack); EventCursor c = r.iterator()) {
            while (c.hasNext()) {
                RecordedEvent e = c.next();
                if (e.kind() == EventKind.INCOMING || e.kind() == EventKind.OUTGOING) {
                    out.add(Codec.isBinary(e.payload()));
                }
            }
        }
        return out;
    }

    @Test
    void everyNodeReplaysToAMatchFromTheSanitizedCopyAndItVerifiesAsComplete() {
        for (String node : NODES) {
            CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", sanitized.toString(), "--node", node, "--json");
            assertThat(r.exit()).as(node + ": " + r).isZero();
            assertThat(r.out()).contains("\"matches\":true", "\"ledgerSize\":140");
        }
        CollectRecordingsTest.Run v = CollectRecordingsTest.recording("verify", sanitized.toString());
        assertThat(v.exit()).as(v.toString()).isZero();
        assertThat(v.out().lines().filter(l -> l.endsWith("none missing)"))).hasSize(8);
        assertThat(v.out()).contains("restart-states/");
        CollectRecordingsTest.Run stats = CollectRecordingsTest.recording("stats", sanitized.toString(), "--json");
        assertThat(stats.out()).contains("sanitized: hmac-sha256 version 1", "\"operationKey\":60", "\"clientIdentifier\":6");
    }

    @Test
    void aChangedConfigurationDivergesFromTheSanitizedCopyWhereItDivergesFromTheOriginal() throws Exception {
        for (String node : NODES) {
            JsonNode o = divergence(original, node);
            JsonNode s = divergence(sanitized, node);
            assertThat(s.get("eventIndex").asLong()).as(node).isEqualTo(o.get("eventIndex").asLong());
            assertThat(s.get("stack").asText()).as(node).isEqualTo(o.get("stack").asText());
            assertThat(s.get("reason").asText()).as(node).isEqualTo(o.get("reason").asText());
            assertThat(s.path("expected").path("message").path("op").asText()).as(node)
                    .isEqualTo(o.path("expected").path("message").path("op").asText());
            assertThat(s.path("actual").path("message").path("op").asText()).as(node)
                    .isEqualTo(o.path("actual").path("message").path("op").asText());
        }
    }

    private static JsonNode divergence(Path recording, String node) throws IOException {
        CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", recording.toString(), "--node", node,
                "--set", "CHK_FREQ=5", "--json");
        assertThat(r.exit()).as(node + ": " + r).isEqualTo(1);
        List<String> lines = r.out().lines().toList();
        JsonNode d = Codec.mapper().readTree(lines.get(lines.size() - 1)).get("firstDivergence");
        assertThat(d.isObject()).as(r.out()).isTrue();
        return d;
    }

    @Test
    void theSameKeyGivesTheSameBytesAnotherKeyOtherPseudonymsAndASanitizedCopySanitizesAgainExactly() throws Exception {
        Path again = dir.resolve("again");
        assertThat(sanitize(original, again, keyA).exit()).isZero();
        String export = export(sanitized);
        assertThat(export(again)).isEqualTo(export);

        Path other = dir.resolve("other.tar.gz");
        CollectRecordingsTest.Run r = sanitize(original, other, dir.resolve("keys/b.key"));
        assertThat(r.exit()).as(r.toString()).isZero();
        Path unpacked = Files.createDirectories(dir.resolve("other-unpacked"));
        Process tar = new ProcessBuilder("tar", "-xzf", other.toString(), "-C", unpacked.toString()).inheritIO().start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(unpacked.resolve("MANIFEST.json"))).contains("\"sanitized\"", "\"method\" : \"hmac-sha256\"");
        Set<String> pseudonymsA = customerValues(export);
        Set<String> pseudonymsB = customerValues(export(unpacked));
        assertThat(pseudonymsB).hasSameSizeAs(pseudonymsA).doesNotContainAnyElementsOf(pseudonymsA);

        Path twice = dir.resolve("twice");
        r = sanitize(other, twice, keyA);
        assertThat(r.exit()).as(r.toString()).isZero();
        for (String node : List.of("Node1", "Node2")) {
            CollectRecordingsTest.Run replay = CollectRecordingsTest.replay("--recording", twice.toString(), "--node", node, "--json");
            assertThat(replay.exit()).as(node + ": " + replay).isZero();
        }
    }

    @Test
    void aPayloadItCannotDecodeIsRefusedNamingTheEventAndNothingIsWritten() throws Exception {
        Path damaged = Files.createDirectories(dir.resolve("undecodable/data/Node3/recorder"));
        Path from = original.resolve("data/Node3/recorder");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = from.relativize(f);
                if (!rel.startsWith(NodeRecording.CLIENT_STACK)) {
                    Files.createDirectories(damaged.resolve(rel).getParent());
                    Files.copy(f, damaged.resolve(rel));
                }
            }
        }
        // A client that sent bytes that are no message: they could hold anything.
        try (RecordingReader r = RecordingReader.open(from.resolve(NodeRecording.CLIENT_STACK))) {
            r.copyTo(damaged.resolve(NodeRecording.CLIENT_STACK), null, e -> e.kind() == EventKind.INCOMING
                    ? new RecordedEvent(e.timeNanos(), e.seq(), e.kind(), e.peers(), "PUT secret=42".getBytes(StandardCharsets.UTF_8))
                    : e);
        }
        Path out = dir.resolve("refused");
        CollectRecordingsTest.Run r = sanitize(dir.resolve("undecodable"), out, keyA);
        assertThat(r.exit()).isEqualTo(2);
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).contains("Node3 client", "INCOMING event at", "not a message");
        assertThat(out).doesNotExist();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("sanitizing"));
        }
    }

    @Test
    void collectRecordingsSanitizeWritesASanitizedArchiveThatReplaysAlsoWithTheNodeHostsReplaced() throws Exception {
        Path out = dir.resolve("collected/sanitized.tar.gz");
        Files.createDirectories(out.getParent());
        CollectRecordingsTest.Run r = CollectRecordingsTest.collect("--base-dir", original.toString(), "--node", "Node4", "--out",
                out.toString(), "--sanitize", "--sanitize-key", keyA.toString(), "--sanitize-hosts", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("sanitized: customer data replaced by hmac-sha256 pseudonyms", "\"sanitized\":{");
        try (Stream<Path> left = Files.list(out.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("sanitized.tar.gz");
        }
        CollectRecordingsTest.Run replay = CollectRecordingsTest.replay("--recording", out.toString(), "--node", "Node4", "--json");
        assertThat(replay.exit()).as(replay.toString()).isZero();
        assertThat(replay.out()).contains("\"matches\":true");
        Path unpacked = Files.createDirectories(dir.resolve("collected-unpacked"));
        Process tar = new ProcessBuilder("tar", "-xzf", out.toString(), "-C", unpacked.toString()).inheritIO().start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String genesis = Files.readString(unpacked.resolve("data/Node4/recorder/pool_genesis.json"));
        assertThat(genesis).contains(".invalid").doesNotContain("127.0.0.1");
    }
}
