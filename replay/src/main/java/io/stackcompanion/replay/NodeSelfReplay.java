package io.stackcompanion.replay;

import io.stackcompanion.node.SelfReplay;

import java.io.PrintStream;
import java.nio.file.Path;

/** {@code STACK_COMPANION=2}: the node replays itself, as {@code replay.sh --recording BASE --node NAME --log LOG} would. */
public final class NodeSelfReplay implements SelfReplay {
    @Override
    public int replay(Path baseDir, String node, Path log, PrintStream out, PrintStream err) {
        return ReplayMain.run(new String[]{"--recording", baseDir.toString(), "--node", node, "--log", log.toString()},
                out, err, false);
    }
}
