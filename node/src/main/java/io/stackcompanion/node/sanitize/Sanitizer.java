package io.stackcompanion.node.sanitize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.Version;
import io.stackcompanion.node.collect.Collector;
import io.stackcompanion.node.collect.Manifest;
import io.stackcompanion.node.collect.RecordingArchive;
import io.stackcompanion.node.config.ConfigException;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.node.recording.RecordingCheck;
import io.stackcompanion.recorder.EventCursor;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.RecorderMetadata;
import io.stackcompanion.recorder.RecordingReader;
import io.stackcompanion.recorder.RecordingStats;
import io.stackcompanion.recorder.StackCompanionException;
import io.stackcompanion.recorder.StoreDigest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code recording.sh sanitize IN OUT}: a new recording of every node under {@code IN} (a pool's
 * base dir, a node's data or recorder folder, or an archive) in which customer data is replaced by
 * keyed pseudonyms and everything derived from it is derived again (see the package). Written into
 * a temporary sibling of {@code OUT} and moved into place at the end: {@code OUT} is whole or absent.
 * Each node's recorder folder gets {@value #FILE}: the method, its version, the key's id and how
 * many values of each kind were replaced.
 */
public final class Sanitizer {
    /** Beside each sanitized node's stacks: how it was sanitized. */
    public static final String FILE = "SANITIZED.json";
    static final String METHOD = "hmac-sha256";
    /** Bumped whenever the same key and recording would give other bytes. */
    static final int VERSION = 1;

    /**
     * What was written.
     *
     * @param out      the folder or archive
     * @param nodes    the nodes sanitized
     * @param events   events rewritten
     * @param replaced distinct values replaced, per kind
     * @param keyId    names the key
     * @param seconds  time taken
     * @param manifest the archive's manifest as written; null for a folder
     */
    public record Result(Path out, List<String> nodes, long events, Map<String, Integer> replaced, String keyId, double seconds,
                         Manifest manifest) {
    }

    /** What {@value #FILE} says. */
    public record Stamp(String method, int version, String keyId, String softwareVersion, Map<String, Integer> replaced,
                        List<String> replacedWhat, List<String> kept) {
        static final List<String> REPLACED = List.of("operation keys and values (and unknown operation types)",
                "client identifiers (public keys), re-signed by client keys derived from the secret",
                "request signatures", "client addresses (host and port)",
                "everything derived from them: request and batch digests, ledger and state roots, Merkle proofs,"
                        + " txn hashes, the stores' digests; in both stacks, the initial state and every restart state");
        static final List<String> KEPT = List.of("node names (pool_genesis.json; the nodes' public keys are replaced by"
                        + " keys derived from the secret, which sign the sanitized VIEW_CHANGEs again)",
                "node-to-node messages' other fields, times, order, batch composition, views",
                "starts, stops, restarts, disconnects, timers, the node's configuration and random seed",
                "node host addresses, unless sanitized with --sanitize-hosts (node ports are kept)",
                "request ids (reqId)", "lengths of keys and values of 32 bytes or more");
    }

    private final SanitizeKey key;
    private final boolean nodeHosts;

    public Sanitizer(SanitizeKey key) {
        this(key, false);
    }

    /** @param nodeHosts whether the node host addresses in the pool genesis are replaced too */
    public Sanitizer(SanitizeKey key, boolean nodeHosts) {
        this.key = key;
        this.nodeHosts = nodeHosts;
    }

    /** A node's recorder folder to sanitize. */
    private record Source(String node, Path recorder) {
    }

    /**
     * Sanitizes {@code in} into {@code out}.
     *
     * @throws StackCompanionException with one line when the input is not a sound recording, or holds
     *                                 something that cannot be sanitized (then nothing is written)
     */
    public Result sanitize(Path in, Path out, Consumer<String> progress) {
        long started = System.nanoTime();
        boolean archiveOut = out.getFileName() != null && (out.getFileName().toString().endsWith(".tar.gz")
                || out.getFileName().toString().endsWith(".tgz"));
        checkOut(in, out);
        Path parent = out.toAbsolutePath().getParent();
        Path staging;
        try {
            staging = Files.createTempDirectory(parent, "." + out.getFileName() + ".sanitizing-");
        } catch (IOException e) {
            throw new SanitizeException("cannot write into " + parent + ": " + e.getMessage(), e);
        }
        Thread cleanup = new Thread(() -> FileTrees.deleteQuietly(staging));
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C leaves nothing half-sanitized behind
        try {
            Path base = in;
            Manifest inManifest = null;
            if (RecordingArchive.isArchive(in)) {
                base = staging.resolve("in");
                Files.createDirectories(base);
                progress.accept("checking and unpacking " + in + " ...");
                inManifest = RecordingArchive.unpack(in, base);
                if (inManifest.sanitized() != null) {
                    progress.accept("  (already sanitized with key " + inManifest.sanitized().keyId() + ": sanitizing again)");
                }
            }
            List<Source> sources = find(base);
            Path root = staging.resolve("out");
            Pseudonyms pseudonyms = new Pseudonyms(key);
            PoolFacts facts = new PoolFacts(pseudonyms);
            Set<String> nodeNames = new TreeSet<>();
            String genesisHash = null;
            for (Source s : sources) {
                RecordingCheck.Report report = RecordingCheck.verify(s.recorder);
                if (!report.ok()) {
                    throw new SanitizeException(report.firstProblem().get());
                }
                PoolGenesis genesis = readGenesis(s.recorder);
                if (nodeHosts) {
                    genesis.nodes().forEach(n -> facts.leaks.add(n.host()));
                }
                if (genesisHash != null && !genesisHash.equals(genesis.hash())) {
                    throw new SanitizeException("the recordings under " + in + " belong to different pools; sanitize one pool at a time");
                }
                genesisHash = genesis.hash();
                genesis.nodes().stream().map(NodeInfo::name).forEach(nodeNames::add);
            }
            PoolGenesis original = readGenesis(sources.get(0).recorder);
            pseudonyms.originalNodes(original);
            PoolGenesis genesis = genesis(original, pseudonyms);
            progress.accept("learning the pool's ledger from " + sources.size() + " node(s) ...");
            for (Source s : sources) {
                for (Path state : checkpoints(s.recorder)) {
                    StoreSanitizer.Content content = StoreSanitizer.read(state);
                    content.ledger().forEach(facts::learnTxn);
                    for (Map.Entry<String, byte[]> m : content.meta().entrySet()) {
                        if (m.getKey().startsWith(StoreSanitizer.PREPARED_PREFIX)) {
                            facts.learn(StoreSanitizer.prepared(m.getValue(), s.node + " " + state));
                        }
                    }
                    content.state().forEach(kv -> {
                        facts.leaks.add(new String(kv[0], java.nio.charset.StandardCharsets.UTF_8));
                        facts.leaks.add(new String(kv[1], java.nio.charset.StandardCharsets.UTF_8));
                    });
                }
                for (String stack : List.of(NodeRecording.NODE_STACK, NodeRecording.CLIENT_STACK)) {
                    try (RecordingReader r = RecordingReader.open(s.recorder.resolve(stack)); EventCursor c = r.iterator()) {
                        while (c.hasNext()) {
                            RecordedEvent e = c.next();
                            if (stack.equals(NodeRecording.CLIENT_STACK)) {
                                e.peers().forEach(facts.leaks::add);
                            }
                            if (e.kind() == EventKind.INCOMING || e.kind() == EventKind.OUTGOING || e.kind() == EventKind.STOPPED) {
                                facts.learn(EventSanitizer.decode(e, s.node + " " + stack));
                            }
                        }
                    }
                }
            }
            facts.finish();
            long events = 0;
            List<Manifest.NodeEntry> entries = new ArrayList<>();
            for (Source s : sources) {
                progress.accept("sanitizing " + s.node + " ...");
                Path target = root.resolve("data").resolve(s.node).resolve(NodeRecording.FOLDER);
                Files.createDirectories(target);
                Map<String, StoreDigest> digests = new TreeMap<>();
                for (Path state : checkpoints(s.recorder)) {
                    String relative = s.recorder.relativize(state).toString().replace('\\', '/');
                    Path to = target.resolve(relative);
                    Files.createDirectories(to.getParent());
                    StoreSanitizer.write(StoreSanitizer.read(state), to, facts, pseudonyms, s.node + " " + relative);
                    StoreSanitizer.requireNoLeak(to, facts.leaks, s.node + " " + relative);
                    digests.put(relative, StoreDigest.of(to));
                }
                EventSanitizer rewriter = new EventSanitizer(facts, pseudonyms, nodeNames, digests);
                List<RecordingStats> stats = new ArrayList<>();
                for (String stack : List.of(NodeRecording.NODE_STACK, NodeRecording.CLIENT_STACK)) {
                    String where = s.node + " " + stack;
                    try (RecordingReader r = RecordingReader.open(s.recorder.resolve(stack))) {
                        RecorderMetadata m = r.metadata();
                        events += r.copyTo(target.resolve(stack), null, e -> rewriter.rewrite(e, stack, where),
                                new RecorderMetadata(m.formatVersion(), m.nodeName(), m.stackName(), genesis.hash(), m.softwareVersion(),
                                        m.clockAnchorWallNanos(), m.createdAtNanos()));
                    }
                    StoreSanitizer.removeLogs(target.resolve(stack));
                    try (RecordingReader r = RecordingReader.open(target.resolve(stack))) {
                        stats.add(RecordingStats.of(r));
                    }
                }
                genesis.write(target.resolve(PoolGenesis.FILE_NAME));
                entries.add(entry(s, inManifest, stats));
            }
            Map<String, Integer> replaced = pseudonyms.counts();
            Stamp stamp = new Stamp(METHOD, VERSION, key.id(), Version.SOFTWARE, replaced, Stamp.REPLACED, Stamp.KEPT);
            for (Source s : sources) {
                Files.write(root.resolve("data").resolve(s.node).resolve(NodeRecording.FOLDER).resolve(FILE),
                        Codec.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(stamp));
            }
            Manifest written = null;
            if (archiveOut) {
                Manifest manifest = new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION,
                        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), "recording.sh sanitize", Version.SOFTWARE,
                        genesis.hash(), entries, List.of(), new Manifest.Sanitized(METHOD, VERSION, key.id(), replaced));
                written = RecordingArchive.write(root, manifest, out);
            } else {
                if (Files.isRegularFile(base.resolve(PoolGenesis.FILE_NAME))) {
                    genesis.write(root.resolve(PoolGenesis.FILE_NAME));
                }
                Files.move(root, out, StandardCopyOption.ATOMIC_MOVE);
            }
            return new Result(out, sources.stream().map(Source::node).toList(), events, replaced, key.id(),
                    (System.nanoTime() - started) / 1e9, written);
        } catch (IOException e) {
            throw new SanitizeException("cannot write the sanitized recording " + out + ": " + e.getMessage(), e);
        } finally {
            FileTrees.deleteQuietly(staging);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // shutting down already: the hook cleans up
            }
        }
    }

    private static void checkOut(Path in, Path out) {
        if (Files.exists(out)) {
            throw new SanitizeException(out + " already exists; pass a new folder or archive name (nothing is overwritten)");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new SanitizeException("cannot write " + out + ": " + parent + " is not a folder");
        }
        if (!Files.exists(in)) {
            throw new SanitizeException("no recording at " + in + "; pass a pool's base dir, a node's folder or an archive");
        }
        if (out.toAbsolutePath().normalize().startsWith(in.toAbsolutePath().normalize())) {
            throw new SanitizeException("the output " + out + " is inside the input " + in + "; write it elsewhere");
        }
    }

    /** The node recorder folders under {@code base}: itself, its {@code recorder/}, or {@code data/<node>/recorder}. */
    private static List<Source> find(Path base) throws IOException {
        List<Path> recorders = new ArrayList<>();
        if (isRecorder(base)) {
            recorders.add(base);
        } else if (isRecorder(base.resolve(NodeRecording.FOLDER))) {
            recorders.add(base.resolve(NodeRecording.FOLDER));
        } else if (Files.isDirectory(base.resolve("data"))) {
            try (Stream<Path> nodes = Files.list(base.resolve("data"))) {
                for (Path n : nodes.sorted().toList()) {
                    if (isRecorder(n.resolve(NodeRecording.FOLDER))) {
                        recorders.add(n.resolve(NodeRecording.FOLDER));
                    }
                }
            }
        }
        if (recorders.isEmpty()) {
            throw new SanitizeException("no recording under " + base + "; pass a pool's base dir, a node's data folder, its recorder"
                    + " folder or an archive from collect-recordings.sh");
        }
        List<Source> out = new ArrayList<>();
        for (Path r : recorders) {
            try (RecordingReader reader = RecordingReader.open(r.resolve(NodeRecording.NODE_STACK))) {
                out.add(new Source(reader.metadata().nodeName(), r));
            }
        }
        return out;
    }

    private static boolean isRecorder(Path p) {
        return Files.isDirectory(p.resolve(NodeRecording.NODE_STACK)) && Files.isDirectory(p.resolve(NodeRecording.CLIENT_STACK));
    }

    /**
     * The pool genesis of the copy: the nodes' public keys replaced by those of keys derived from the
     * secret (the sanitized VIEW_CHANGEs are signed with them), and the node hosts if asked.
     */
    private PoolGenesis genesis(PoolGenesis original, Pseudonyms p) {
        return new PoolGenesis(original.nodes().stream()
                .map(n -> new NodeInfo(n.name(), nodeHosts ? p.nodeHost(n.host()) : n.host(), n.nodePort(), n.clientPort(),
                        p.nodePublicKey(n.name()))).toList());
    }

    private static PoolGenesis readGenesis(Path recorder) {
        try {
            return PoolGenesis.read(recorder.resolve(PoolGenesis.FILE_NAME));
        } catch (ConfigException e) {
            throw new SanitizeException(e.getMessage(), e);
        }
    }

    /** The initial state and the restart states (not one being taken when the node was killed). */
    private static List<Path> checkpoints(Path recorder) throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(recorder.resolve(NodeRecording.INITIAL_STATE))) {
            out.add(recorder.resolve(NodeRecording.INITIAL_STATE));
        }
        Path restarts = recorder.resolve(NodeRecording.RESTART_STATES);
        if (Files.isDirectory(restarts)) {
            try (Stream<Path> s = Files.list(restarts)) {
                s.filter(p -> RecordingCheck.RESTART_STATE.matcher(NodeRecording.RESTART_STATES + "/" + p.getFileName()).matches())
                        .sorted().forEach(out::add);
            }
        }
        return out;
    }

    private static Manifest.NodeEntry entry(Source s, Manifest in, List<RecordingStats> stats) {
        Manifest.NodeEntry before = in == null ? null
                : in.nodes().stream().filter(n -> n.name().equals(s.node)).findFirst().orElse(null);
        return Collector.nodeEntry(s.node, before == null ? s.recorder.toString() : before.source(),
                before != null && before.live(), before == null ? 0 : before.eventsLeftOut(),
                before == null ? endsWithStop(s.recorder) : before.endsWithStop(), stats.get(0), stats.get(1));
    }

    private static boolean endsWithStop(Path recorder) {
        EventKind last = null;
        try (RecordingReader r = RecordingReader.open(recorder.resolve(NodeRecording.NODE_STACK)); EventCursor c = r.iterator()) {
            while (c.hasNext()) {
                last = c.next().kind();
            }
        }
        return last == EventKind.STOPPED;
    }

    /** What {@value #FILE} in {@code recorder} says, if the recording was sanitized. */
    public static java.util.Optional<ObjectNode> stamp(Path recorder) {
        Path f = recorder.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of((ObjectNode) Codec.mapper().readTree(f.toFile()));
        } catch (IOException | ClassCastException e) {
            throw new SanitizeException(f + " is not readable JSON (" + e.getMessage() + "); the recording was altered", e);
        }
    }
}
