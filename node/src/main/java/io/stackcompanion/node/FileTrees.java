package io.stackcompanion.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Whole folders: copied, deleted. Links are never followed. */
public final class FileTrees {
    private FileTrees() {
    }

    /** Copies the folder {@code from} to {@code to} (which must not exist yet), files and subfolders. */
    public static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    /** Deletes {@code p} and everything under it, if it exists. */
    public static void delete(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    /** Like {@link #delete}, for temporary folders: a leftover is not worth failing for. */
    public static void deleteQuietly(Path p) {
        try {
            delete(p);
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }
}
