package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.collect.Manifest;
import io.stackcompanion.node.collect.RecordingArchive;
import io.stackcompanion.node.config.ConfigKey;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.pool.LocalPool;
import io.stackcompanion.node.pool.LocalPoolExtension;
import io.stackcompanion.node.scripts.Scripts;
import io.stackcompanion.node.tools.CollectMain;
import io.stackcompanion.recorder.RecordingVerifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * collect-recordings.sh end to end: a recorded pool of real nodes is collected into an archive that
 * replay.sh replays to a match, that holds no key material, and that replay.sh refuses, naming the
 * file, once any byte of it changed.
 */
class CollectRecordingsTest {
    static final NodeConfig RECORDING = NodeConfig.defaults().with(ConfigKey.STACK_COMPANION, "1");

    @RegisterExtension
    static final LocalPoolExtension pools = new LocalPoolExtension();
    @TempDir
    static Path shared;
    static Path poolDir;
    static Path archive;
    static LocalPool pool;

    @TempDir
    Path tmp;

    @BeforeAll
    static void recordAPoolAndCollectIt() throws Exception {
        pool = pools.start(4, RECORDING);
        poolDir = pool.baseDir();
        ReplayEndToEndTest.order(List.of(pool.newClient(), pool.newClient()), 100);
        pool.awaitLedgerSize(100, Duration.ofSeconds(60)); // clients return at f+1 replies; a replica may lag
        pool.close();
        archive = shared.resolve("rec.tar.gz");
        Scripts.Result r = Scripts.run(120, "collect-recordings.sh", "--base-dir", poolDir.toString(), "--out", archive.toString(), "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    @Test
    void theCollectedArchiveReplaysToAMatchWithReplaySh() throws Exception {
        Scripts.Result r = Scripts.run(180, "replay.sh", "--recording", archive.toString(), "--node", "Node2", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode verdict = Codec.mapper().readTree(r.lastLine());
        assertThat(verdict.get("matches").asBoolean()).as(r.toString()).isTrue();
        assertThat(verdict.get("ledgerSize").asLong()).isEqualTo(100);
    }

    @Test
    void aNodeStartedWithStackCompanion2ReplaysItselfFromItsOwnRecording() throws Exception {
        Path nodeLog = poolDir.resolve("data/Node2/node.log");
        byte[] logBefore = Files.exists(nodeLog) ? Files.readAllBytes(nodeLog) : null;
        Scripts.Result r = Scripts.run(300, java.util.Map.of("STACK_COMPANION", "2"), "pool.sh", "start", "Node2",
                "--base-dir", poolDir.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout() + r.stderr()).contains("STACK_COMPANION=2: replaying Node2",
                "MATCH: the replay reproduced the recording exactly");
        assertThat(poolDir.resolve("run/Node2.pid")).doesNotExist();
        try (java.util.stream.Stream<Path> files = Files.list(poolDir.resolve("data/Node2"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(f -> f.matches("replay-\\d{8}-\\d{6}\\.log"));
        }
        if (logBefore != null) {
            assertThat(Files.readAllBytes(nodeLog)).as("the original node.log is left alone").isEqualTo(logBefore);
        }
        // The recording is only read: it still verifies, and replays again to the same verdict.
        Scripts.Result verify = Scripts.run(120, "recording.sh", "verify", poolDir.resolve("data/Node2").toString());
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
    }

    @Test
    void aNodeTheArchiveDoesNotHoldIsNamedAgainstTheArchive() throws Exception {
        ReplayEndToEndTest.Run r = ReplayEndToEndTest.replay("--recording", archive.toString(), "--node", "Node9");
        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.errors().strip()).isEqualTo("error: no recording of Node9 under " + archive
                + "; it holds recordings of [Node1, Node2, Node3, Node4]");
    }

    @Test
    void theManifestChecksOutAndDescribesEveryNode() throws Exception {
        Path into = tmp.resolve("unpacked");
        Files.createDirectories(into);
        Manifest m = RecordingArchive.unpack(archive, into);
        assertThat(m.poolGenesisHash()).isEqualTo(pool.genesis().hash());
        assertThat(m.nodes()).extracting(Manifest.NodeEntry::name).containsExactly("Node1", "Node2", "Node3", "Node4");
        for (Manifest.NodeEntry n : m.nodes()) {
            assertThat(n.live()).isFalse();
            assertThat(n.endsWithStop()).isTrue();
            assertThat(n.eventsLeftOut()).isZero();
            assertThat(n.stacks()).extracting(Manifest.StackEntry::stack).containsExactly("node", "client");
            assertThat(n.stacks().get(0).eventsPerKind()).containsKeys("STARTED", "STOPPED", "INITIAL_STATE", "OUTGOING");
            for (String stack : List.of("node", "client")) {
                Path recording = into.resolve("data").resolve(n.name()).resolve("recorder").resolve(stack);
                assertThat(RecordingVerifier.verify(recording).ok()).isTrue();
            }
        }
        assertThat(m.files()).extracting(Manifest.FileEntry::path)
                .allMatch(p -> p.matches("data/Node[1-4]/recorder/(node|client|initial-state)/[^/]+|data/Node[1-4]/recorder/pool_genesis.json"));
        for (Manifest.FileEntry f : m.files()) {
            assertThat(Files.size(into.resolve(f.path()))).isEqualTo(f.size());
        }
    }

    @Test
    void theArchiveHoldsNoPrivateKeyMaterial() throws Exception {
        byte[] everything;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
            everything = in.readAllBytes(); // every header, name and content byte of the archive
        }
        for (String node : pool.names()) {
            Path keyFile = poolDir.resolve("data").resolve(node).resolve("keys").resolve("node.key");
            String base64 = Files.readString(keyFile).trim();
            byte[] der = Base64.getDecoder().decode(base64);
            byte[] seed = java.util.Arrays.copyOfRange(der, der.length - 32, der.length);
            assertThat(indexOf(everything, base64.getBytes(StandardCharsets.US_ASCII))).as(node + " key, base64").isNegative();
            assertThat(indexOf(everything, der)).as(node + " key, PKCS#8").isNegative();
            assertThat(indexOf(everything, seed)).as(node + " key, raw seed").isNegative();
        }
        assertThat(indexOf(everything, "keys/".getBytes(StandardCharsets.US_ASCII))).isNegative();
    }

    @Test
    void oneChangedByteInAnyFileIsRefusedNamingTheFile() throws Exception {
        Path into = tmp.resolve("x");
        Files.createDirectories(into);
        Manifest m = RecordingArchive.unpack(archive, into);
        List<String> victims = new ArrayList<>();
        victims.add(m.files().stream().map(Manifest.FileEntry::path).filter(p -> p.startsWith("data/Node2/recorder/node/") && p.endsWith(".sst"))
                .findFirst().orElseThrow());
        victims.add("data/Node2/recorder/pool_genesis.json");
        victims.add(m.files().stream().map(Manifest.FileEntry::path).filter(p -> p.startsWith("data/Node2/recorder/initial-state/"))
                .filter(p -> p.contains("MANIFEST-")).findFirst().orElseThrow());
        victims.add("data/Node1/recorder/client/CURRENT");
        victims.add(RecordingArchive.MANIFEST);
        for (String victim : victims) {
            Path tampered = tamper(victim);
            Run r = replay("--recording", tampered.toString(), "--node", "Node2");
            assertThat(r.exit).as(victim + ": " + r.err).isEqualTo(2);
            assertThat(r.err.strip()).as(victim).startsWith("error: recording archive " + tampered + ": " + victim + " does not match its checksum in ")
                    .endsWith("; the archive was damaged or altered in transit");
            assertThat(r.err.strip().lines()).hasSize(1);
            assertThat(r.out).doesNotContain("MATCH");
        }
        // and as a real process: one line on stderr, no stack trace
        Path tampered = tamper(victims.get(0));
        Scripts.Result r = Scripts.run(120, "replay.sh", "--recording", tampered.toString(), "--node", "Node2");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr().strip()).isEqualTo("error: recording archive " + tampered + ": " + victims.get(0)
                + " does not match its checksum in MANIFEST.json; the archive was damaged or altered in transit");
    }

    @Test
    void anUnlistedFileAnEscapingPathOrATruncatedArchiveIsRefused() throws Exception {
        Path dir = unpackWithTar(archive, tmp.resolve("extra"));
        Files.writeString(dir.resolve("data/Node2/recorder/node/000099.sst"), "smuggled");
        Path extra = tar(dir, tmp.resolve("extra.tar.gz"));
        Run r = replay("--recording", extra.toString(), "--node", "Node2");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("data/Node2/recorder/node/000099.sst is in the archive but not listed in MANIFEST.json");

        Path sub = Files.createDirectories(tmp.resolve("evil/sub"));
        Files.writeString(tmp.resolve("evil/escape.txt"), "outside");
        Path evil = tmp.resolve("evil.tar.gz");
        exec(sub, "tar", "-czPf", evil.toString(), "../escape.txt");
        r = replay("--recording", evil.toString(), "--node", "Node2");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("entry '../escape.txt' points outside the archive's folder; refusing to unpack it");

        Path truncated = tmp.resolve("truncated.tar.gz");
        byte[] bytes = Files.readAllBytes(archive);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        r = replay("--recording", truncated.toString(), "--node", "Node2");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err.strip()).startsWith("error: recording archive " + truncated + " is damaged or truncated").doesNotContain("\tat ");
    }

    @Test
    void badInputGetsOneLineExitTwoAndWritesNothing() throws Exception {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Path empty = Files.createDirectories(tmp.resolve("empty-pool"));
        Files.writeString(tmp.resolve("a-file"), "x");
        List<List<String>> cases = List.of(
                List.of("--base-dir", poolDir.toString()),
                List.of("--base-dir", poolDir.toString(), "--node", "Node9", "--out", out.resolve("a.tar.gz").toString()),
                List.of("--base-dir", empty.toString(), "--out", out.resolve("b.tar.gz").toString()),
                List.of("--base-dir", poolDir.toString(), "--out", tmp.resolve("a-file").resolve("c.tar.gz").toString()),
                List.of("--base-dir", poolDir.toString(), "--out", out.resolve("d.zip").toString()),
                List.of("--base-dir", poolDir.toString(), "--out", archive.toString()),
                List.of("--from", "not a host:dir", "--out", out.resolve("e.tar.gz").toString()));
        List<String> expected = List.of("needs --out FILE", "no recording of Node9 in ", "no recordings under ",
                "a-file is not a folder", "name the archive *.tar.gz or *.tgz", "already exists", "is not a host name");
        for (int i = 0; i < cases.size(); i++) {
            Run r = collect(cases.get(i).toArray(String[]::new));
            assertThat(r.exit).as(cases.get(i) + ": " + r.err).isEqualTo(2);
            assertThat(r.err.strip().lines()).as(cases.get(i) + ": " + r.err).hasSize(1);
            assertThat(r.err).startsWith("error: ").contains(expected.get(i));
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s).isEmpty();
        }
        Scripts.Result real = Scripts.run(60, "collect-recordings.sh", "--base-dir", poolDir.toString(), "--node", "Node9",
                "--out", out.resolve("f.tar.gz").toString());
        assertThat(real.exitCode()).isEqualTo(2);
        assertThat(real.stderr().strip()).isEqualTo("error: no recording of Node9 in " + poolDir.toAbsolutePath()
                + "; recorded nodes: Node1, Node2, Node3, Node4");
    }

    @Test
    void aKeyPlantedInARecorderFolderIsNeverArchived() throws Exception {
        Path copy = tmp.resolve("planted");
        copyTree(poolDir, copy);
        Files.copy(copy.resolve("data/Node1/keys/node.key"), copy.resolve("data/Node1/recorder/initial-state/000123.sst"));
        Path out = tmp.resolve("planted.tar.gz");
        Run r = collect("--base-dir", copy.toString(), "--out", out.toString());
        assertThat(r.exit).as(r.err).isEqualTo(2);
        assertThat(r.err.strip()).isEqualTo("error: refusing to archive data/Node1/recorder/initial-state/000123.sst:"
                + " it holds what looks like a secret key (PKCS#8 Ed25519)");
        assertThat(out).doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("planted.tar.gz"));
        }

        Files.delete(copy.resolve("data/Node1/recorder/initial-state/000123.sst"));
        Files.createSymbolicLink(copy.resolve("data/Node1/recorder/initial-state/key"), copy.resolve("data/Node1/keys/node.key"));
        r = collect("--base-dir", copy.toString(), "--out", out.toString(), "--json");
        assertThat(r.exit).as(r.err).isEqualTo(1); // the other nodes are collected
        assertThat(r.err).contains("data/Node1/recorder/initial-state/key is a symbolic link");
        JsonNode summary = Codec.mapper().readTree(r.out.strip().lines().reduce((a, b) -> b).orElseThrow());
        assertThat(summary.get("nodes")).extracting(n -> n.get("name").asText()).containsExactly("Node2", "Node3", "Node4");
        assertThat(summary.get("failed").get(0).get("node").asText()).isEqualTo("Node1");
    }

    // --- helpers

    /** The archive with one byte of {@code victim} changed, repacked with GNU tar. */
    private Path tamper(String victim) throws Exception {
        String slug = victim.replaceAll("[^A-Za-z0-9]", "_");
        Path dir = unpackWithTar(archive, tmp.resolve("t-" + slug));
        Path file = dir.resolve(victim);
        byte[] b = Files.readAllBytes(file);
        int at = b.length / 2;
        b[at] = (byte) (b[at] == '0' ? '1' : (b[at] ^ 0x01));
        Files.write(file, b);
        return tar(dir, tmp.resolve("t-" + slug + ".tar.gz"));
    }

    static Path unpackWithTar(Path archive, Path into) throws Exception {
        Files.createDirectories(into);
        exec(into, "tar", "-xzf", archive.toString());
        return into;
    }

    static Path tar(Path dir, Path out) throws Exception {
        exec(dir, "tar", "-czf", out.toString(), ".");
        return out;
    }

    static void exec(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + output).isZero();
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    record Run(int exit, String out, String err) {
    }

    static Run replay(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ReplayMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code recording.sh ARGS} in this JVM. */
    static Run recording(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = io.stackcompanion.node.tools.RecordingMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run collect(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = CollectMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
