package io.stackcompanion.node.scripts;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * pool.sh's class-data archive ("Warm JVMs" in the README), on a real pool of four JVM processes:
 * the first pool makes the archive as its first node stops, the next one maps it, and both order
 * writes. The archive goes to a folder of this test's (NODE_CDS_DIR), not the build's.
 */
class PoolClassDataArchiveTest {
    @TempDir
    Path dir;

    @AfterEach
    void down() throws Exception {
        Scripts.downAndSweep(dir.resolve("pool"));
    }

    @Test
    void theFirstPoolMakesTheArchiveAndTheNextMapsIt() throws Exception {
        Path pool = dir.resolve("pool");
        Path cds = dir.resolve("cds");
        Map<String, String> env = Map.of("NODE_CDS", "auto", "NODE_CDS_DIR", cds.toString());

        Scripts.Result up = Scripts.run(300, env, "pool.sh", "up", "--base-dir", pool.toString(), "--random-ports");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(up.stderr()).contains("class-data archive: none yet for this build; the first node makes it when it stops cleanly");
        assertThat(commandLine(pool, "Node1")).contains("-XX:ArchiveClassesAtExit=" + cds);
        assertOrders(pool, 20);
        Scripts.Result down = Scripts.run(120, env, "pool.sh", "down", "--base-dir", pool.toString());
        assertThat(down.exitCode()).as(down.toString()).isZero();
        List<Path> archives = archives(cds);
        assertThat(archives).hasSize(1);
        assertThat(Files.size(archives.get(0))).isPositive();

        up = Scripts.run(300, env, "pool.sh", "up", "--base-dir", pool.toString());
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(up.stderr()).contains("class-data archive: " + archives.get(0));
        for (String node : List.of("Node1", "Node2", "Node3", "Node4")) {
            // Mapped, not only named: the JVM maps the archive's file into its memory.
            String pid = Files.readString(pool.resolve("run").resolve(node + ".pid")).trim();
            assertThat(Files.readString(Path.of("/proc", pid, "maps"))).as(node).contains(archives.get(0).toString());
        }
        assertOrders(pool, 40);
        down = Scripts.run(120, env, "pool.sh", "down", "--base-dir", pool.toString());
        assertThat(down.exitCode()).as(down.toString()).isZero();
        assertThat(archives(cds)).containsExactlyElementsOf(archives);
    }

    @Test
    void aBadNodeCdsIsAOneLineErrorAndStartsNothing() throws Exception {
        Path pool = dir.resolve("pool");
        Scripts.Result up = Scripts.run(60, Map.of("NODE_CDS", "yes"), "pool.sh", "up", "--base-dir", pool.toString(), "--random-ports");
        assertThat(up.exitCode()).isEqualTo(2);
        assertThat(up.stderr().strip()).isEqualTo("error: NODE_CDS must be auto or off, not 'yes'");
        assertThat(pool).doesNotExist();
    }

    /** 20 more writes ordered: every node's ledger holds {@code total}. */
    private static void assertOrders(Path pool, int total) throws Exception {
        Scripts.Result load = Scripts.run(300, "load.sh", "--base-dir", pool.toString(), "--requests", "20", "--json");
        assertThat(load.exitCode()).as(load.toString()).isZero();
        assertThat(Codec.mapper().readTree(load.lastLine()).get("ordered").asLong()).isEqualTo(20);
        Scripts.Result status = Scripts.run(120, "pool.sh", "status", "--base-dir", pool.toString(), "--json");
        for (JsonNode n : Codec.mapper().readTree(status.lastLine()).get("nodes")) {
            assertThat(n.get("ledgerSize").asLong()).as(n.toString()).isEqualTo(total);
        }
    }

    private static String commandLine(Path pool, String node) throws Exception {
        String pid = Files.readString(pool.resolve("run").resolve(node + ".pid")).trim();
        return Files.readString(Path.of("/proc", pid, "cmdline"), StandardCharsets.UTF_8).replace('\0', ' ');
    }

    private static List<Path> archives(Path cds) throws Exception {
        try (Stream<Path> files = Files.walk(cds)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsa")).sorted().toList();
        }
    }
}
