package io.stackcompanion.sim.scripts;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code scripts/planted-bugs.sh} plants each patch of {@code sim/planted-bugs/} in a worktree of
 * HEAD: a patch the core has moved away from stops the script with "does not apply; refresh it".
 * Every patch applies to this checkout, and says in its first line what it plants.
 */
class PlantedBugsApplyTest {

    @Test
    void everyPlantedBugAppliesToTheCore() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Assumptions.assumeTrue(Files.isDirectory(root.resolve(".git")) || Files.isRegularFile(root.resolve(".git")),
                "planted-bugs.sh works on a git checkout; this is none: " + root);
        List<Path> patches;
        try (Stream<Path> s = Files.list(root.resolve("sim/planted-bugs"))) {
            patches = s.filter(p -> p.toString().endsWith(".patch")).sorted().toList();
        }
        assertThat(patches).hasSizeGreaterThanOrEqualTo(7);
        for (Path p : patches) {
            assertThat(Files.readAllLines(p).get(0)).as(p.toString()).startsWith("# ");
            Process git = new ProcessBuilder("git", "apply", "--check", p.toString()).directory(root.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(git.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(git.exitValue()).as(p.getFileName() + " does not apply to the core any more; refresh it: " + out).isZero();
        }
    }
}
