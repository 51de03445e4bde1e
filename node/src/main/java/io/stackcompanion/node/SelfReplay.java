package io.stackcompanion.node;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What a node started with {@code STACK_COMPANION=2} does instead of joining the pool: replay itself
 * from its own recording ({@code <base-dir>/data/<node>/recorder}), into a work copy, with silenced
 * stacks, and print the verdict. The replayer lives in the {@code replay} module, which depends on
 * this one, so it is found through {@link java.util.ServiceLoader} (arrows stay one way).
 */
public interface SelfReplay {
    /**
     * Replays {@code node} of the pool in {@code baseDir} from its recording.
     *
     * @param log the file for the replayed node's log (new)
     * @return the replay's exit code (0 MATCH, 1 DIVERGED, 2 unusable recording, 3 a bug)
     */
    int replay(Path baseDir, String node, Path log, PrintStream out, PrintStream err);
}
