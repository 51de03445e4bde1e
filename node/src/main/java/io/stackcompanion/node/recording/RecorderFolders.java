package io.stackcompanion.node.recording;

import io.stackcompanion.node.config.PoolGenesis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds node recorder folders ({@code data/<node>/recorder}) under a folder the user named. */
public final class RecorderFolders {
    private RecorderFolders() {
    }

    /** Every node recorder folder under {@code dir} (including {@code dir} itself), sorted by path. */
    public static List<Path> find(Path dir) throws IOException {
        if (isRecorder(dir)) {
            return List.of(dir);
        }
        try (Stream<Path> walk = Files.walk(dir, 4)) {
            return walk.filter(RecorderFolders::isRecorder).sorted().toList();
        }
    }

    /** Whether {@code p} is a node's {@code recorder/} folder: one of its stacks or its pool genesis is there. */
    public static boolean isRecorder(Path p) {
        return p.getFileName() != null && p.getFileName().toString().equals(NodeRecording.FOLDER) && Files.isDirectory(p)
                && (Files.isDirectory(p.resolve(NodeRecording.NODE_STACK)) || Files.isDirectory(p.resolve(NodeRecording.CLIENT_STACK))
                || Files.isRegularFile(p.resolve(PoolGenesis.FILE_NAME)));
    }
}
