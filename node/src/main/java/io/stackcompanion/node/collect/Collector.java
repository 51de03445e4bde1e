package io.stackcompanion.node.collect;

import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.Version;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.recorder.RecordingStats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Gathers node recordings from local base dirs and remote hosts into one recording archive: each
 * node's recorder folder is copied consistently into a staging folder (see {@link RecorderCopy}),
 * then archived with its manifest (see {@link RecordingArchive}). Only {@code data/<node>/recorder/}
 * is ever read; a source that fails is reported and the others are still collected.
 */
public final class Collector {
    private final List<String> sshOptions;

    /** @param sshOptions extra options for ssh and scp (e.g. from {@code SC_SSH_OPTS}) */
    public Collector(List<String> sshOptions) {
        this.sshOptions = List.copyOf(sshOptions);
    }

    /** A place to collect from: a local base dir or a remote one. */
    public sealed interface Source permits Local, Remote {
        String describe();
    }

    /** A pool's base dir on this machine. */
    public record Local(Path baseDir) implements Source {
        @Override
        public String describe() {
            return baseDir.toAbsolutePath().normalize().toString();
        }
    }

    /** A pool's base dir on another host, {@code [USER@]HOST:DIR}. */
    public record Remote(String spec) implements Source {
        /** @throws ArchiveException if {@code spec} is not {@code [USER@]HOST:DIR} */
        public Remote {
            RemoteSource.parse(spec);
        }

        @Override
        public String describe() {
            return spec;
        }
    }

    /** A source, or one node of it, that could not be collected, and why (one line). */
    public record Failure(String source, String node, String error) {
    }

    /** What was collected: the manifest written (null when nothing was) and what failed. */
    public record Outcome(Manifest manifest, long archiveBytes, List<Failure> failures) {
    }

    /** One node found in a source. */
    private record Found(Source source, String node, RemoteSource remote, RemoteSource.RemoteNode remoteNode) {
    }

    /**
     * Collects {@code nodes} (every recorded node when empty) from {@code sources} into {@code out}.
     *
     * @param progress one line per node, for a terminal
     * @throws ArchiveException for input the user must fix (an unknown node, no recordings at all, a
     *                          node found twice, recordings of different pools); nothing is written then
     */
    public Outcome collect(List<Source> sources, List<String> nodes, Path out, Consumer<String> progress) throws IOException {
        List<Failure> failures = new ArrayList<>();
        Map<String, Found> found = new TreeMap<>();
        for (Source s : sources) {
            try {
                for (Found f : list(s)) {
                    Found before = found.putIfAbsent(f.node, f);
                    if (before != null) {
                        throw new ArchiveException(f.node + " has a recording in both " + before.source.describe() + " and "
                                + s.describe() + "; collect them into separate archives (--node picks nodes)");
                    }
                }
            } catch (ArchiveException e) {
                if (sources.size() == 1 && s instanceof Local) {
                    throw e;
                }
                if (e.getMessage().contains("has a recording in both")) {
                    throw e;
                }
                failures.add(new Failure(s.describe(), null, e.getMessage()));
            }
        }
        List<Found> chosen = new ArrayList<>();
        if (nodes.isEmpty()) {
            chosen.addAll(found.values());
        } else {
            for (String n : nodes.stream().distinct().sorted().toList()) {
                Found f = found.get(n);
                if (f != null) {
                    chosen.add(f);
                } else if (failures.isEmpty()) {
                    throw new ArchiveException("no recording of " + n + " in " + describe(sources)
                            + (found.isEmpty() ? "" : "; recorded nodes: " + String.join(", ", found.keySet())));
                } else {
                    failures.add(new Failure(describe(sources), n, "no recording of " + n + " in the sources that could be read"));
                }
            }
        }
        if (chosen.isEmpty() && failures.isEmpty()) {
            throw new ArchiveException("no recordings in " + describe(sources) + "; a recording node keeps them in "
                    + "data/<node>/recorder/ (run the pool with STACK_COMPANION=1)");
        }
        Path staging = Files.createTempDirectory("sc-collect-");
        Thread cleanup = new Thread(() -> FileTrees.deleteQuietly(staging));
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C leaves no staging copy of the recordings behind
        try {
            Path root = staging.resolve("archive");
            List<Manifest.NodeEntry> entries = new ArrayList<>();
            Map<String, String> genesis = new LinkedHashMap<>();
            int i = 0;
            for (Found f : chosen) {
                i++;
                progress.accept("collecting " + f.node + " (" + i + "/" + chosen.size() + ") from " + f.source.describe() + " ...");
                try {
                    RecorderCopy.Result r = copy(f, staging, root.resolve("data").resolve(f.node).resolve(NodeRecording.FOLDER));
                    genesis.put(f.node, r.genesisHash());
                    entries.add(entry(f, r));
                    progress.accept("  " + f.node + ": " + (r.nodeStack().events() + r.clientStack().events()) + " events"
                            + (r.live() ? " (live copy, " + r.eventsLeftOut() + " events at the end left out)" : ""));
                } catch (ArchiveException e) {
                    failures.add(new Failure(f.source.describe(), f.node, e.getMessage()));
                    progress.accept("  " + f.node + ": failed");
                }
            }
            if (genesis.values().stream().distinct().count() > 1) {
                throw new ArchiveException("the recordings belong to different pools (pool genesis per node: " + genesis
                        + "); collect one pool per archive (--node picks nodes)");
            }
            if (entries.isEmpty()) {
                return new Outcome(null, 0, failures);
            }
            Manifest manifest = new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION,
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), "collect-recordings", Version.SOFTWARE,
                    genesis.values().iterator().next(), entries, List.of());
            Manifest written = RecordingArchive.write(root, manifest, out);
            return new Outcome(written, Files.size(out), failures);
        } finally {
            FileTrees.deleteQuietly(staging);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // shutting down already: the hook cleans up
            }
        }
    }

    private List<Found> list(Source s) {
        List<Found> out = new ArrayList<>();
        if (s instanceof Local l) {
            Path data = l.baseDir().resolve("data");
            if (!Files.isDirectory(l.baseDir())) {
                throw new ArchiveException("no folder " + l.baseDir() + "; pass the pool's base dir with --base-dir (default ./pool)");
            }
            try (Stream<Path> dirs = Files.isDirectory(data) ? Files.list(data) : Stream.empty()) {
                for (Path d : dirs.sorted().toList()) {
                    Path recorder = d.resolve(NodeRecording.FOLDER);
                    if (Files.isRegularFile(recorder.resolve(NodeRecording.NODE_STACK).resolve("CURRENT"))) {
                        out.add(new Found(s, d.getFileName().toString(), null, null));
                    }
                }
            } catch (IOException e) {
                throw new ArchiveException("cannot read " + data + ": " + e.getMessage(), e);
            }
            if (out.isEmpty()) {
                throw new ArchiveException("no recordings under " + data + "; a recording node keeps them in "
                        + "data/<node>/recorder/ (run the pool with STACK_COMPANION=1)");
            }
        } else if (s instanceof Remote r) {
            RemoteSource remote = RemoteSource.parse(r.spec());
            List<RemoteSource.RemoteNode> nodes = remote.list(sshOptions);
            if (nodes.isEmpty()) {
                throw new ArchiveException("no recordings in " + r.spec() + " (no data/<node>/recorder/ there); is it the pool's base dir?");
            }
            for (RemoteSource.RemoteNode n : nodes) {
                out.add(new Found(s, n.name(), remote, n));
            }
        }
        return out;
    }

    private RecorderCopy.Result copy(Found f, Path staging, Path target) {
        if (f.source instanceof Local l) {
            return RecorderCopy.copy(l.baseDir().resolve("data").resolve(f.node).resolve(NodeRecording.FOLDER), f.node, target);
        }
        RemoteSource.RemoteNode n = f.remoteNode;
        if (n.running()) {
            throw new ArchiveException(f.node + " is running on " + f.remote.target() + ": a file copy of a recording being"
                    + " written could be torn, so it was not collected; stop it there (scripts/pool.sh stop " + f.node
                    + ") or run collect-recordings.sh on that host and fetch its archive");
        }
        if (n.links()) {
            throw new ArchiveException(f.node + " on " + f.remote.target() + ": data/" + f.node
                    + "/recorder holds a symbolic link, which could lead to a secret; not collected");
        }
        Path download = staging.resolve("remote").resolve(f.node).resolve(NodeRecording.FOLDER);
        try {
            f.remote.download(f.node, download, sshOptions);
            return RecorderCopy.copy(download, f.node, target);
        } finally {
            FileTrees.deleteQuietly(download.getParent());
        }
    }

    private static Manifest.NodeEntry entry(Found f, RecorderCopy.Result r) {
        return nodeEntry(f.node, f.source.describe(), r.live(), r.eventsLeftOut(), r.endsWithStop(), r.nodeStack(), r.clientStack());
    }

    /** A node's entry in {@code MANIFEST.json}, from the stats of its two copied stack recordings. */
    public static Manifest.NodeEntry nodeEntry(String node, String source, boolean live, long eventsLeftOut, boolean endsWithStop,
                                               RecordingStats nodeStack, RecordingStats clientStack) {
        List<Manifest.StackEntry> stacks = new ArrayList<>();
        Instant first = null;
        Instant last = null;
        for (RecordingStats s : List.of(nodeStack, clientStack)) {
            Map<String, Long> kinds = new LinkedHashMap<>();
            s.eventsPerKind().forEach((k, v) -> kinds.put(k.name(), v));
            stacks.add(new Manifest.StackEntry(s.metadata().stackName(), s.metadata().formatVersion(),
                    s.metadata().softwareVersion(), s.events(), kinds));
            if (s.first().isPresent() && (first == null || s.first().get().instant().isBefore(first))) {
                first = s.first().get().instant();
            }
            if (s.last().isPresent() && (last == null || s.last().get().instant().isAfter(last))) {
                last = s.last().get().instant();
            }
        }
        double span = first == null ? 0 : (java.time.Duration.between(first, last).toNanos()) / 1e9;
        return new Manifest.NodeEntry(node, source, live, eventsLeftOut, endsWithStop,
                first == null ? null : first.toString(), last == null ? null : last.toString(), span, stacks);
    }

    private static String describe(List<Source> sources) {
        return String.join(", ", sources.stream().map(Source::describe).toList());
    }
}
