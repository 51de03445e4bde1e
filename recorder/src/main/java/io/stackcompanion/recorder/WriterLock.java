package io.stackcompanion.recorder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether a process holds RocksDB's lock on a recording, i.e. a writer has it open. On Linux {@code
 * /proc/locks} lists every POSIX lock with its file's inode (asking with a lock of our own would
 * release the lock RocksDB holds if the writer is in this very process); elsewhere this says no.
 */
public final class WriterLock {
    private static final Path PROC_LOCKS = Path.of("/proc/locks");

    private WriterLock() {}

    /** Whether the recording in {@code recording} (a stack's folder) is open for writing by some process. */
    public static boolean held(Path recording) {
        Path lockFile = recording.resolve("LOCK");
        if (!Files.isRegularFile(lockFile) || !Files.isReadable(PROC_LOCKS)) {
            return false;
        }
        try {
            long inode = ((Number) Files.getAttribute(lockFile, "unix:ino")).longValue();
            List<String> lines = Files.readAllLines(PROC_LOCKS);
            String suffix = ":" + inode;
            for (String line : lines) {
                for (String field : line.trim().split("\\s+")) {
                    // "MAJOR:MINOR:INODE"; the device is left out, as overlay filesystems report it differently
                    if (field.endsWith(suffix) && field.chars().filter(ch -> ch == ':').count() == 2) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
