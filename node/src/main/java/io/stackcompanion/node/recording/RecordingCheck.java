package io.stackcompanion.node.recording;

import io.stackcompanion.node.config.ConfigException;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.recorder.EventCursor;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.RecordingException;
import io.stackcompanion.recorder.RecordingReader;
import io.stackcompanion.recorder.RecordingVerifier;
import io.stackcompanion.recorder.StoreDigest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks one node's whole recording ({@code data/<node>/recorder/}): both stack recordings (see
 * {@link RecordingVerifier}: nothing missing, nothing altered), the pool genesis, the initial state
 * and every restart state a STARTED event names (present, readable, and holding what was recorded
 * when the checkpoint was taken). What {@code recording.sh verify} reports and what a replay
 * requires before it starts.
 */
public final class RecordingCheck {
    /** How STARTED names a restart state: its folder under the recorder folder. */
    public static final Pattern RESTART_STATE = Pattern.compile(Pattern.quote(NodeRecording.RESTART_STATES) + "/[0-9]{20}");

    private RecordingCheck() {
    }

    /**
     * One checkpoint beside the recording.
     *
     * @param folder  where it is
     * @param keys    keys found (-1 when it could not be read)
     * @param problem why it is unusable, if it is
     * @param note    what could not be checked, if anything
     */
    public record State(Path folder, long keys, Optional<String> problem, Optional<String> note) {
    }

    /**
     * The outcome for one node.
     *
     * @param recorder the node's recorder folder
     * @param stacks   each stack recording's report
     * @param states   the initial state and the restart states
     * @param problems every problem found, first one first (a damaged stack hides its states' checks)
     */
    public record Report(Path recorder, List<RecordingVerifier.Report> stacks, List<State> states, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }

        public Optional<String> firstProblem() {
            return problems.stream().findFirst();
        }
    }

    /** Checks the node recording in {@code recorder}; reports, never throws for a damaged recording. */
    public static Report verify(Path recorder) {
        List<String> problems = new ArrayList<>();
        List<RecordingVerifier.Report> stacks = new ArrayList<>();
        for (String stack : List.of(NodeRecording.NODE_STACK, NodeRecording.CLIENT_STACK)) {
            Path dir = recorder.resolve(stack);
            if (!Files.isRegularFile(dir.resolve("CURRENT"))) {
                problems.add("the recording in " + recorder + " has no " + stack + "-stack recording (" + dir + " is "
                        + (Files.isDirectory(dir) ? "not a RocksDB database: its CURRENT file is missing" : "missing")
                        + "); collect both stacks of the node, or keep a copy and move the damaged recording away");
                continue;
            }
            RecordingVerifier.Report report = RecordingVerifier.verify(dir);
            stacks.add(report);
            report.firstProblem().ifPresent(problems::add);
        }
        try {
            PoolGenesis genesis = PoolGenesis.read(recorder.resolve(PoolGenesis.FILE_NAME));
            for (RecordingVerifier.Report stack : stacks) {
                if (stack.ok()) {
                    requireGenesis(stack.folder(), genesis, recorder).ifPresent(problems::add);
                }
            }
        } catch (ConfigException e) {
            problems.add(e.getMessage());
        } catch (RecordingException e) {
            problems.add(e.getMessage());
        }
        List<State> states = new ArrayList<>();
        boolean nodeStackSound = stacks.stream().anyMatch(r -> r.folder().endsWith(NodeRecording.NODE_STACK) && r.ok());
        if (nodeStackSound) {
            try {
                checkStates(recorder, states);
            } catch (RecordingException e) {
                problems.add(e.getMessage());
            }
            states.stream().map(State::problem).flatMap(Optional::stream).forEach(problems::add);
        }
        return new Report(recorder, stacks, states, problems);
    }

    private static Optional<String> requireGenesis(Path stack, PoolGenesis genesis, Path recorder) {
        try (RecordingReader reader = RecordingReader.open(stack)) {
            String recorded = reader.metadata().poolGenesisHash();
            if (!recorded.equals(genesis.hash())) {
                return Optional.of("the recording in " + stack + " belongs to pool genesis " + recorded + " but "
                        + recorder.resolve(PoolGenesis.FILE_NAME) + " has hash " + genesis.hash()
                        + ": the recording folder was mixed with another pool's, or the file was altered");
            }
            return Optional.empty();
        }
    }

    /** The checkpoints the node stack's INITIAL_STATE and STARTED events name, each checked against its recorded digest. */
    private static void checkStates(Path recorder, List<State> states) {
        try (RecordingReader reader = RecordingReader.open(recorder.resolve(NodeRecording.NODE_STACK));
             EventCursor cursor = reader.iterator()) {
            while (cursor.hasNext()) {
                RecordedEvent event = cursor.next();
                if (event.kind() == EventKind.INITIAL_STATE) {
                    states.add(check(recorder.resolve(NodeRecording.INITIAL_STATE), "the initial state", startInfo(event, recorder).stateDigest()));
                } else if (event.kind() == EventKind.STARTED) {
                    NodeRecording.StartInfo info = startInfo(event, recorder);
                    if (info.restartState() == null) {
                        continue;
                    }
                    if (!RESTART_STATE.matcher(info.restartState()).matches()) {
                        states.add(new State(recorder, -1, Optional.of("the STARTED event at " + event.key() + " of " + recorder
                                + " names '" + info.restartState() + "' as its restart state, which is not a folder under "
                                + NodeRecording.RESTART_STATES + "/: the recording was altered"), Optional.empty()));
                        continue;
                    }
                    states.add(check(recorder.resolve(info.restartState()), "the restart state named by the STARTED event at " + event.key(),
                            info.stateDigest()));
                }
            }
        }
    }

    private static State check(Path dir, String what, StoreDigest recorded) {
        if (!Files.isDirectory(dir)) {
            return new State(dir, -1, Optional.of(what + " (" + dir + ") is missing: the replay cannot start there exactly; "
                    + "collect the whole recorder folder"), Optional.empty());
        }
        StoreDigest found;
        try {
            found = StoreDigest.of(dir);
        } catch (RecordingException e) {
            return new State(dir, -1, Optional.of(e.getMessage()), Optional.empty());
        }
        if (recorded == null) {
            return new State(dir, found.keys(), Optional.empty(), Optional.of(what + " was recorded before digests: it is readable,"
                    + " whether it holds what was taken cannot be checked"));
        }
        return new State(dir, found.keys(), Optional.ofNullable(recorded.mismatch(found, dir)), Optional.empty());
    }

    private static NodeRecording.StartInfo startInfo(RecordedEvent event, Path recorder) {
        try {
            return Codec.mapper().readValue(event.payload(), NodeRecording.StartInfo.class);
        } catch (IOException e) {
            throw new RecordingException("the " + event.kind() + " event at " + event.key() + " of " + recorder
                    + " has an unreadable payload (" + e.getMessage().lines().findFirst().orElse("") + "): the recording was altered");
        }
    }
}
