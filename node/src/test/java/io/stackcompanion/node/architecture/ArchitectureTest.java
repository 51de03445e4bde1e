package io.stackcompanion.node.architecture;

import io.stackcompanion.node.scripts.Scripts;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules that make recording complete and replay exact, checked on the source: the core takes
 * time, timers and randomness only from what is injected, and the modules depend one way.
 */
class ArchitectureTest {
    private static final Path ROOT = Scripts.repoRoot();

    /** What the deterministic core must never touch: each reads the world behind the recorder's back. */
    private static final List<Pattern> FORBIDDEN_IN_CORE = List.of(
            Pattern.compile("System\\.currentTimeMillis"),
            Pattern.compile("System\\.nanoTime"),
            Pattern.compile("Instant\\.now|LocalDateTime\\.now|Clock\\.system"),
            Pattern.compile("Thread\\.sleep|new Thread\\(|Executors\\.|CompletableFuture"),
            Pattern.compile("new Random\\(|ThreadLocalRandom|SecureRandom|Math\\.random|UUID\\.randomUUID"),
            Pattern.compile("System\\.getenv|System\\.getProperty"));

    @Test
    void theCoreReadsNoClockNoRandomnessAndStartsNoThreads() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path f : javaFiles(ROOT.resolve("node/src/main/java/io/stackcompanion/node/core"))) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                    continue;
                }
                for (Pattern p : FORBIDDEN_IN_CORE) {
                    if (p.matcher(line).find()) {
                        violations.add(ROOT.relativize(f) + ":" + (i + 1) + ": " + line);
                    }
                }
            }
        }
        assertThat(violations).as("the core must take time, timers and randomness only from what is injected").isEmpty();
    }

    @Test
    void modulesDependOneWayReplayNodeRecorder() throws IOException {
        assertThat(importsOf(ROOT.resolve("recorder/src/main/java"), "io.stackcompanion.node", "io.stackcompanion.replay"))
                .as("recorder knows bytes and event kinds, not consensus").isEmpty();
        assertThat(importsOf(ROOT.resolve("node/src/main/java"), "io.stackcompanion.replay"))
                .as("the node never depends on the replayer").isEmpty();
    }

    @Test
    void onlyTheNodeAssemblyReadsStackCompanion() throws IOException {
        List<String> readers = new ArrayList<>();
        for (Path f : javaFiles(ROOT.resolve("node/src/main/java"))) {
            String src = Files.readString(f);
            if (src.contains("stackCompanion()")) {
                readers.add(ROOT.relativize(f).toString());
            }
        }
        assertThat(readers).containsExactlyInAnyOrder(
                "node/src/main/java/io/stackcompanion/node/Node.java",
                "node/src/main/java/io/stackcompanion/node/config/NodeConfig.java");
    }

    private static List<String> importsOf(Path dir, String... packages) throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : javaFiles(dir)) {
            for (String line : Files.readAllLines(f)) {
                for (String p : packages) {
                    if (line.startsWith("import " + p + ".") || line.startsWith("import static " + p + ".")) {
                        found.add(ROOT.relativize(f) + ": " + line);
                    }
                }
            }
        }
        return found;
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }
}
