package io.stackcompanion.node.collect;

import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.config.ConfigException;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.recorder.EventCursor;
import io.stackcompanion.recorder.EventKey;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.RecorderMetadata;
import io.stackcompanion.recorder.RecordingException;
import io.stackcompanion.recorder.RecordingFormatException;
import io.stackcompanion.recorder.RecordingReader;
import io.stackcompanion.recorder.RecordingStats;
import io.stackcompanion.recorder.WriterLock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A consistent copy of one node's {@code recorder/} folder, whether the node is running or not.
 *
 * <p>Each stack recording is opened read-only (RocksDB gives a fixed view of what was committed up
 * to the open) and written out afresh, never copied file by file, so a compaction or a write-ahead
 * log being appended cannot tear it. A recording that grew while we looked is copied up to a key
 * both stacks' views are complete to, minus the last input before it when its outputs may be
 * missing, so the copy ends on a whole input where a replay can compare every output. A second
 * view checks the first saw every event before its end; if not, it tries again. {@code live} in
 * the result also counts a held RocksDB lock (a running node that was idle while copied).
 * The initial and restart states (immutable checkpoints) and the pool genesis are copied as files.
 */
final class RecorderCopy {
    private static final int ATTEMPTS = 5;
    private static final List<String> NOT_ARCHIVED = List.of("LOCK", "LOG");

    /**
     * What was copied.
     *
     * @param node          the node, from the recording's metadata
     * @param genesisHash   the pool genesis the recording belongs to
     * @param live          whether the recording was being written while copied
     * @param eventsLeftOut events after the consistent end of a live copy
     * @param endsWithStop  whether the copy ends with the node's recorded stop
     * @param nodeStack     stats of the copied node-stack recording
     * @param clientStack   stats of the copied client-stack recording
     */
    record Result(String node, String genesisHash, boolean live, long eventsLeftOut, boolean endsWithStop,
                  RecordingStats nodeStack, RecordingStats clientStack) {
    }

    private RecorderCopy() {
    }

    /**
     * Copies {@code recorder} (a node's {@code recorder/} folder) of node {@code node} into the new
     * folder {@code target}.
     *
     * @throws ArchiveException with a one-line reason when it is not a usable recording
     */
    static Result copy(Path recorder, String node, Path target) {
        Path nodeStack = recorder.resolve(NodeRecording.NODE_STACK);
        Path clientStack = recorder.resolve(NodeRecording.CLIENT_STACK);
        for (Path stack : List.of(nodeStack, clientStack)) {
            if (!Files.isRegularFile(stack.resolve("CURRENT"))) {
                throw new ArchiveException(node + ": " + stack + " holds no recording; a recording node keeps both stacks in "
                        + "data/<node>/recorder/{node,client}");
            }
        }
        refuseLinks(recorder, node);
        Path genesisFile = recorder.resolve(PoolGenesis.FILE_NAME);
        String genesisHash;
        try {
            genesisHash = PoolGenesis.read(genesisFile).hash();
        } catch (ConfigException e) {
            throw new ArchiveException(node + ": " + e.getMessage());
        }
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            FileTrees.deleteQuietly(target); // never leave a half copy behind, between attempts or after a failure
            try {
                Files.createDirectories(target);
                Optional<Views> views = copyStacks(nodeStack, clientStack, node, genesisHash, target);
                if (views.isEmpty()) {
                    continue; // the first view missed events a later one has: look again
                }
                copyFiles(recorder, target, genesisFile);
                try (RecordingReader n = RecordingReader.open(target.resolve(NodeRecording.NODE_STACK));
                     RecordingReader c = RecordingReader.open(target.resolve(NodeRecording.CLIENT_STACK))) {
                    RecordingStats ns = RecordingStats.of(n);
                    RecordingStats cs = RecordingStats.of(c);
                    boolean stop = n.lastKey().isPresent() && lastKind(n) == EventKind.STOPPED
                            && (cs.last().isEmpty() || cs.last().get().compareTo(ns.last().get()) < 0);
                    return new Result(node, genesisHash, views.get().live, views.get().total - ns.events() - cs.events(),
                            stop, ns, cs);
                }
            } catch (RecordingFormatException | ArchiveException e) {
                FileTrees.deleteQuietly(target);
                throw e instanceof ArchiveException a ? a : new ArchiveException(node + ": " + e.getMessage(), e);
            } catch (RecordingException e) {
                last = e; // a live recording's files may move under a read-only open: look again
            } catch (IOException e) {
                FileTrees.deleteQuietly(target);
                throw new ArchiveException(node + ": cannot copy " + recorder + " into " + target + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                FileTrees.deleteQuietly(target);
                throw e;
            }
        }
        FileTrees.deleteQuietly(target);
        if (last != null) {
            throw new ArchiveException(node + ": " + last.getMessage(), last);
        }
        throw new ArchiveException(node + ": the recording in " + recorder + " kept changing underneath " + ATTEMPTS
                + " consistent reads; collect again, or stop the node first");
    }

    private static EventKind lastKind(RecordingReader r) {
        EventKind kind = null;
        try (EventCursor c = r.iterator(r.lastKey().orElseThrow().timeNanos())) {
            while (c.hasNext()) {
                kind = c.next().kind();
            }
        }
        return kind;
    }

    private record Views(boolean live, long total) {
    }

    /** Copies both stacks from one pair of views; empty when a second view shows the first missed events. */
    private static Optional<Views> copyStacks(Path nodeStack, Path clientStack, String node, String genesisHash, Path target) {
        boolean lockedBefore = WriterLock.held(nodeStack) || WriterLock.held(clientStack);
        // Node stack first: the core commits the node stack's events of an input before the client stack's.
        try (RecordingReader n1 = RecordingReader.open(nodeStack); RecordingReader c1 = RecordingReader.open(clientStack)) {
            checkMetadata(n1.metadata(), node, genesisHash, nodeStack);
            checkMetadata(c1.metadata(), node, genesisHash, clientStack);
            Optional<EventKey> lastN = n1.lastKey();
            Optional<EventKey> lastC = c1.lastKey();
            long countN = n1.countEvents();
            long countC = c1.countEvents();
            Optional<EventKey> lastN2;
            Optional<EventKey> lastC2;
            try (RecordingReader n2 = RecordingReader.open(nodeStack); RecordingReader c2 = RecordingReader.open(clientStack)) {
                if (countUpTo(n2, lastN) != countN || countUpTo(c2, lastC) != countC) {
                    return Optional.empty();
                }
                lastN2 = n2.lastKey();
                lastC2 = c2.lastKey();
            }
            boolean nodeQuiet = lastN2.equals(lastN);
            boolean clientQuiet = lastC2.equals(lastC);
            boolean live = lockedBefore || !nodeQuiet || !clientQuiet || WriterLock.held(nodeStack)
                    || WriterLock.held(clientStack);
            EventKey end = null;
            if (!nodeQuiet || !clientQuiet) {
                end = consistentEnd(n1, c1, completeUpTo(lastN, lastC, nodeQuiet, clientQuiet));
            }
            n1.copyTo(target.resolve(NodeRecording.NODE_STACK), end);
            c1.copyTo(target.resolve(NodeRecording.CLIENT_STACK), end);
            return Optional.of(new Views(live, countN + countC));
        }
    }

    /**
     * The last key up to which both first views are complete. Views were opened node, client, node,
     * client. Each view holds every event of its stack up to its last key. A stack whose two views
     * end alike was quiet while we looked, so it holds every event staged before its first view
     * (an input is handled and committed in far less time than four opens and two scans take): then
     * the busy stack's first view bounds the copy. With both stacks busy, the smaller last key does.
     */
    private static Optional<EventKey> completeUpTo(Optional<EventKey> lastN, Optional<EventKey> lastC,
                                                   boolean nodeQuiet, boolean clientQuiet) {
        if (nodeQuiet) {
            return lastC;
        }
        if (clientQuiet) {
            return lastN;
        }
        if (lastN.isEmpty() || lastC.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(lastN.get().compareTo(lastC.get()) < 0 ? lastN.get() : lastC.get());
    }

    /**
     * Where a copy of a live recording ends (exclusive): after every event up to {@code upTo}, except
     * the last input before it, whose outputs may not all have been committed when we looked, unless
     * it is a stop (which has none). The copy thus ends on a whole input, where a replay can compare
     * every output.
     */
    private static EventKey consistentEnd(RecordingReader n, RecordingReader c, Optional<EventKey> upTo) {
        if (upTo.isEmpty()) {
            return new EventKey(0, 0);
        }
        EventKey complete = upTo.get();
        RecordedEvent boundary = null;
        for (RecordingReader r : List.of(n, c)) {
            try (EventCursor cursor = r.iterator()) {
                while (cursor.hasNext()) {
                    RecordedEvent e = cursor.next();
                    if (e.key().compareTo(complete) > 0) {
                        break;
                    }
                    if (e.kind() != EventKind.OUTGOING && (boundary == null || e.key().compareTo(boundary.key()) > 0)) {
                        boundary = e;
                    }
                }
            }
        }
        if (boundary == null) {
            return new EventKey(0, 0);
        }
        return switch (boundary.kind()) {
            case STOPPED, UNCLEAN_STOP, INITIAL_STATE -> new EventKey(complete.timeNanos(), complete.seq() + 1);
            default -> boundary.key();
        };
    }

    private static long countUpTo(RecordingReader r, Optional<EventKey> last) {
        if (last.isEmpty()) {
            return 0;
        }
        long count = 0;
        try (EventCursor cursor = r.iterator()) {
            while (cursor.hasNext()) {
                if (cursor.next().key().compareTo(last.get()) > 0) {
                    break;
                }
                count++;
            }
        }
        return count;
    }

    private static void checkMetadata(RecorderMetadata m, String node, String genesisHash, Path stack) {
        if (!m.nodeName().equals(node)) {
            throw new ArchiveException(stack + " holds a recording of node " + m.nodeName() + ", not " + node
                    + "; a node's recording belongs in data/" + m.nodeName() + "/recorder");
        }
        if (!m.poolGenesisHash().equals(genesisHash)) {
            throw new ArchiveException(stack + " belongs to pool genesis " + m.poolGenesisHash() + " but the "
                    + PoolGenesis.FILE_NAME + " beside it has hash " + genesisHash + "; the recorder folder was mixed with another pool's");
        }
    }

    /** The initial- and restart-state checkpoints and the genesis: written once, never changed, so copied as files. */
    private static void copyFiles(Path recorder, Path target, Path genesisFile) throws IOException {
        for (String checkpoints : List.of(NodeRecording.INITIAL_STATE, NodeRecording.RESTART_STATES)) {
            Path from = recorder.resolve(checkpoints);
            if (!Files.isDirectory(from)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path p : walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                    Path relative = from.relativize(p);
                    if (checkpoints.equals(NodeRecording.RESTART_STATES) && relative.getName(0).toString().endsWith(".tmp")) {
                        continue; // a checkpoint being taken (or abandoned by a crash): not part of the recording
                    }
                    Path to = target.resolve(checkpoints).resolve(relative.toString());
                    Files.createDirectories(to.getParent());
                    Files.copy(p, to);
                }
            }
        }
        for (String stack : List.of(NodeRecording.NODE_STACK, NodeRecording.CLIENT_STACK)) {
            try (Stream<Path> files = Files.list(target.resolve(stack))) {
                for (Path f : files.toList()) {
                    String name = f.getFileName().toString();
                    if (NOT_ARCHIVED.contains(name) || name.startsWith("LOG.old")) {
                        Files.delete(f); // RocksDB's lock and info log of our copy: no use to a replay
                    }
                }
            }
        }
        Files.copy(genesisFile, target.resolve(PoolGenesis.FILE_NAME)); // last: marks the copy complete
    }

    private static void refuseLinks(Path recorder, String node) {
        try (Stream<Path> walk = Files.walk(recorder)) {
            Optional<Path> link = walk.filter(Files::isSymbolicLink).findFirst();
            if (link.isPresent()) {
                throw new ArchiveException(node + ": " + link.get() + " is a symbolic link; a recorder folder holds none,"
                        + " and following one could pick up a secret, so it is not collected");
            }
        } catch (IOException e) {
            throw new ArchiveException(node + ": cannot read " + recorder + ": " + e.getMessage(), e);
        }
    }
}
