package io.stackcompanion.replay;

import io.stackcompanion.node.config.ConfigException;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.node.recording.RecordingCheck;
import io.stackcompanion.recorder.RecorderMetadata;
import io.stackcompanion.recorder.RecordingReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A node's recording on disk, found and checked before anything is replayed: both stacks'
 * recordings, the pool genesis they belong to, and the initial state.
 *
 * @param folder       the node's {@code recorder/} folder
 * @param node         the node's name
 * @param genesis      the pool the recording belongs to
 * @param initialState the RocksDB checkpoint the first run starts from; null: start at genesis
 */
public record RecordingSource(Path folder, String node, PoolGenesis genesis, Path initialState) {
    /**
     * Finds node {@code node}'s recording under {@code dir}: a folder holding
     * {@code data/<node>/recorder} (a pool's base dir or an unpacked archive), a node's data folder,
     * or its {@code recorder/} folder itself.
     *
     * @throws ReplayException with a one-line message when it is missing, another node's, or damaged
     */
    public static RecordingSource find(Path dir, String node) {
        if (!Files.isDirectory(dir)) {
            throw new ReplayException("no folder " + dir + "; pass a pool's base dir, an unpacked recording archive or a node's recorder folder");
        }
        Path folder = candidates(dir, node).stream()
                .filter(p -> Files.isDirectory(p.resolve(NodeRecording.NODE_STACK)) || Files.isDirectory(p.resolve(NodeRecording.CLIENT_STACK)))
                .findFirst()
                .orElse(null);
        if (folder == null) {
            Path own = dir.resolve("data").resolve(node).resolve(NodeRecording.FOLDER);
            List<String> others = recordedNodes(dir).stream().filter(n -> !n.equals(node)).toList();
            throw new ReplayException(Files.isDirectory(own)
                    ? "the recorder folder " + own + " holds no recording (no " + NodeRecording.NODE_STACK + "/ or "
                    + NodeRecording.CLIENT_STACK + "/ in it); was the node run with STACK_COMPANION=1, and collected whole?"
                    : "no recording of " + node + " under " + dir + (others.isEmpty() ? "" : "; it holds recordings of " + others));
        }
        // Damage is refused here, naming the file in the recording, before anything is copied or replayed.
        RecordingCheck.Report check = RecordingCheck.verify(folder);
        if (!check.ok()) {
            throw new ReplayException(check.firstProblem().get());
        }
        Path genesisFile = folder.resolve(PoolGenesis.FILE_NAME);
        PoolGenesis genesis;
        try {
            genesis = PoolGenesis.read(genesisFile);
        } catch (ConfigException e) {
            throw new ReplayException(e.getMessage());
        }
        for (String stack : List.of(NodeRecording.NODE_STACK, NodeRecording.CLIENT_STACK)) {
            try (RecordingReader r = RecordingReader.open(folder.resolve(stack))) {
                RecorderMetadata m = r.metadata();
                if (!m.nodeName().equals(node)) {
                    throw new ReplayException("the recording in " + folder.resolve(stack) + " is of node " + m.nodeName()
                            + ", not " + node + "; replay it with --node " + m.nodeName());
                }
                if (!m.poolGenesisHash().equals(genesis.hash())) {
                    throw new ReplayException("the recording in " + folder.resolve(stack) + " belongs to pool genesis "
                            + m.poolGenesisHash() + " but " + genesisFile + " has hash " + genesis.hash()
                            + "; the recording folder was mixed with another pool's");
                }
            }
        }
        if (genesis.node(node).isEmpty()) {
            throw new ReplayException("node " + node + " is not in the pool genesis " + genesisFile);
        }
        Path initial = folder.resolve(NodeRecording.INITIAL_STATE);
        return new RecordingSource(folder, node, genesis, Files.isDirectory(initial) ? initial : null);
    }

    /**
     * The checkpoint a STARTED event names as the store that start opened ({@code
     * restart-states/<seq>}), or null when it names none or the folder is not in the recording.
     *
     * @throws ReplayException when the name is not a restart state's (a tampered recording)
     */
    public Path restartState(String relative) {
        if (relative == null) {
            return null;
        }
        if (!RecordingCheck.RESTART_STATE.matcher(relative).matches()) {
            throw new ReplayException("a STARTED event of " + folder + " names '" + relative + "' as its restart state, which is "
                    + "not a folder under " + NodeRecording.RESTART_STATES + "/; the recording was altered");
        }
        Path p = folder.resolve(relative);
        return Files.isRegularFile(p.resolve("CURRENT")) ? p : null;
    }

    public Path nodeStack() {
        return folder.resolve(NodeRecording.NODE_STACK);
    }

    public Path clientStack() {
        return folder.resolve(NodeRecording.CLIENT_STACK);
    }

    private static List<Path> candidates(Path dir, String node) {
        return List.of(dir.resolve("data").resolve(node).resolve(NodeRecording.FOLDER),
                dir.resolve(node).resolve(NodeRecording.FOLDER),
                dir.resolve(NodeRecording.FOLDER),
                dir);
    }

    /** Names of nodes with a recording under {@code dir}/data, for the error message. */
    private static List<String> recordedNodes(Path dir) {
        Path data = dir.resolve("data");
        if (!Files.isDirectory(data)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(data)) {
            return s.filter(p -> Files.isDirectory(p.resolve(NodeRecording.FOLDER)))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
