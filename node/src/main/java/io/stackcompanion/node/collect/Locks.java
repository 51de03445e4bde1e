package io.stackcompanion.node.collect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether a process holds RocksDB's lock on a database, i.e. the database is open for writing. On
 * Linux {@code /proc/locks} lists every POSIX lock with its file's inode; elsewhere this says no, and
 * the caller also watches the recording for growth.
 */
final class Locks {
    private static final Path PROC_LOCKS = Path.of("/proc/locks");

    private Locks() {
    }

    static boolean held(Path lockFile) {
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
