package io.stackcompanion.replay;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Recordings kept in the repository ({@code src/test/resources/recordings/}), unpacked for a test. */
final class RecordingFixtures {
    private RecordingFixtures() {
    }

    /** Unpacks {@code recordings/NAME} (a tar.gz of {@code pool_genesis.json} and {@code data/<node>/recorder}) into {@code dir}. */
    static Path unpack(String name, Path dir) throws Exception {
        Path archive = dir.resolve(name);
        try (InputStream in = RecordingFixtures.class.getResourceAsStream("/recordings/" + name)) {
            assertThat(in).as("test resource recordings/" + name).isNotNull();
            Files.copy(in, archive);
        }
        // GNU tar keeps a killed writer's journal segments sparse (64 MiB each, mostly holes).
        Process tar = new ProcessBuilder("tar", "-xzSf", archive.toString(), "-C", dir.toString()).inheritIO().start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        Files.delete(archive);
        return dir;
    }
}
