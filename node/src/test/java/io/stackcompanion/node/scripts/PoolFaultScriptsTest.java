package io.stackcompanion.node.scripts;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's fault: a pool of four JVM processes under load, the primary killed with SIGKILL a
 * third of the way in, then started again. Every process started here is stopped here, also on failure.
 */
class PoolFaultScriptsTest {
    @TempDir
    Path dir;
    private Scripts.Background load;

    @AfterEach
    void down() throws Exception {
        if (load != null) {
            load.close();
        }
        Scripts.downAndSweep(dir);
    }

    @Test
    void killingThePrimaryUnderLoadLosesNothingAndTheRestartedNodeCatchesUp() throws Exception {
        Scripts.Result up = Scripts.run(300, "pool.sh", "up", "--base-dir", dir.toString(), "--random-ports");
        assertThat(up.exitCode()).as(up.toString()).isZero();

        load = Scripts.start("load.sh", "--base-dir", dir.toString(), "--requests", "3000", "--rate", "300", "--json");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (ledgerSize("Node2") < 1000) {
            assertThat(System.nanoTime()).as("a third of the load ordered within 120 s").isLessThan(deadline);
            assertThat(load.isAlive()).as("load.sh still running").isTrue();
            Thread.sleep(200);
        }
        System.out.println("killing the primary Node1 at " + java.time.LocalTime.now());
        Scripts.Result kill = Scripts.run(60, "pool.sh", "kill", "Node1", "--base-dir", dir.toString());
        assertThat(kill.exitCode()).as(kill.toString()).isZero();

        Scripts.Result loaded = load.await(300);
        assertThat(loaded.exitCode()).as(loaded.toString()).isZero();
        JsonNode summary = Codec.mapper().readTree(loaded.lastLine());
        assertThat(summary.get("failed").asLong()).as(loaded.toString()).isZero();
        assertThat(summary.get("ordered").asLong()).isEqualTo(3000);

        Map<String, JsonNode> live = status();
        assertThat(live.get("Node1").get("running").asBoolean()).isFalse();
        List<String> roots = new ArrayList<>();
        for (String n : List.of("Node2", "Node3", "Node4")) {
            JsonNode s = live.get(n);
            assertThat(s.get("viewNo").asInt()).as(s.toString()).isGreaterThanOrEqualTo(1);
            assertThat(s.get("ledgerSize").asLong()).as(s.toString()).isEqualTo(3000);
            roots.add(s.get("ledgerRoot").asText());
        }
        assertThat(roots).containsOnly(roots.get(0));
        int view = live.get("Node2").get("viewNo").asInt();

        Scripts.Result start = Scripts.run(120, "pool.sh", "start", "Node1", "--base-dir", dir.toString());
        assertThat(start.exitCode()).as(start.toString()).isZero();
        long started = System.nanoTime();
        long agreeBy = started + 30_000_000_000L;
        while (true) {
            Map<String, JsonNode> all = status();
            boolean agree = all.values().stream().allMatch(s -> s.get("running").asBoolean()
                    && s.get("viewNo").asInt() == view && s.get("ledgerRoot").asText().equals(roots.get(0)));
            if (agree) {
                break;
            }
            assertThat(System.nanoTime()).as("all four agree within 30 s of the restart: " + all).isLessThan(agreeBy);
            Thread.sleep(200);
        }
        System.out.printf("restart: all four nodes agreed %d ms after 'pool.sh start Node1' returned%n",
                (System.nanoTime() - started) / 1_000_000);
        // For the operator (and the closing note): what the nodes logged about the fault.
        for (String n : List.of("Node1", "Node2")) {
            Path log = dir.resolve("data").resolve(n).resolve("node.log");
            if (Files.isRegularFile(log)) {
                try (Stream<String> lines = Files.lines(log)) {
                    lines.filter(l -> l.contains("votes for view") || l.contains("is in view") || l.contains("caught up")
                            || l.contains("NEW_VIEW")).forEach(l -> System.out.println(n + ": " + l));
                }
            }
        }
    }

    private long ledgerSize(String node) throws Exception {
        JsonNode s = status().get(node);
        return s != null && s.get("running").asBoolean() ? s.get("ledgerSize").asLong() : 0;
    }

    private Map<String, JsonNode> status() throws Exception {
        Scripts.Result r = Scripts.run(60, "pool.sh", "status", "--base-dir", dir.toString(), "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Map<String, JsonNode> byName = new TreeMap<>();
        for (JsonNode n : Codec.mapper().readTree(r.lastLine()).get("nodes")) {
            byName.put(n.get("name").asText(), n);
        }
        return byName;
    }
}
