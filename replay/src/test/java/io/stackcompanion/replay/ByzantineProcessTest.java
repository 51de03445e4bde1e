package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.scripts.Scripts;
import io.stackcompanion.node.tools.PoolMain;
import io.stackcompanion.node.tools.PoolSetup;
import io.stackcompanion.recorder.StackCompanionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18's real-process test: a 4-node pool of processes, recording on, whose Node1 (the primary
 * of view 0) is started through {@link ByzantineNodeMain} and lies in 30% of the messages it sends to
 * the other nodes, every kind of lie the simulator tells (wrong digests, later views, replays, silence
 * in a phase, garbage, equivocating and far-off PRE-PREPAREs, wrong checkpoint roots, lying catch-up
 * answers; which come up depends on the run: replays and garbage fit any message and are most of
 * them); Node2-4 are started by {@code pool.sh start}. The real client ({@code load.sh}) orders
 * 300 writes with none failed; every honest node's recording replays to MATCH, state checked
 * ({@code --check-state}), and so does the liar's (its core is honest: the lies are told after its
 * recorder saw the sends); {@code recording.sh verify --pool} finds every unmatched message on a link
 * from Node1, and names it as the node whose recording never sent what others received from it.
 */
class ByzantineProcessTest {
    private static final String LIAR = "Node1";
    private static final List<String> HONEST = List.of("Node2", "Node3", "Node4");
    private static final int REQUESTS = 300;

    @TempDir
    Path dir;

    private Process liar;

    @AfterEach
    void stopEverything() throws Exception {
        Scripts.downAndSweep(dir); // the liar too: its pid is in run/Node1.pid
        if (liar != null) {
            liar.destroyForcibly().waitFor();
        }
    }

    @Test
    void aPoolWithALyingPrimaryOrdersEveryRequestAndEveryHonestRecordingReplaysToMatch() throws Exception {
        long t0 = System.nanoTime();
        PoolGenesis genesis = PoolSetup.init(dir, 4, PoolSetup.DEFAULT_HOST, OptionalInt.empty()).genesis();
        // Small batches and a checkpoint every 5 of them, so CHECKPOINT lies and stable checkpoints happen
        // in a short run; a stalled request leads to a view change after 3 s instead of 8.
        Files.writeString(dir.resolve("node.properties"),
                "STACK_COMPANION=1\nMAX_BATCH_SIZE=10\nCHK_FREQ=5\nLOG_SIZE=15\nORDERING_TIMEOUT_MS=3000\n");
        // All four JVMs start side by side, as pool.sh up starts them.
        Path liarOut = launchLiar();
        List<Scripts.Background> starts = new ArrayList<>();
        try {
            for (String n : HONEST) {
                starts.add(Scripts.start("pool.sh", "start", n, "--base-dir", dir.toString()));
            }
            for (Scripts.Background start : starts) {
                Scripts.Result r = start.await(120);
                assertThat(r.exitCode()).as(r.toString()).isZero();
            }
        } finally {
            for (Scripts.Background start : starts) {
                start.close();
            }
        }
        awaitUp(liarOut);
        String[] connected = run(PoolMain::run, "wait-connected", "--base-dir", dir.toString(), "--timeout-s", "60");
        assertThat(connected[0]).as(connected[2]).isEqualTo("0");

        System.out.printf("pool up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        Scripts.Result load = Scripts.run(180, "load.sh", "--base-dir", dir.toString(), "--requests", String.valueOf(REQUESTS),
                "--clients", "4", "--seed", "18", "--json");
        System.out.println(load.stdout());
        JsonNode summary = io.stackcompanion.node.message.Codec.mapper().readTree(load.lastLine());
        assertThat(summary.get("failed").asLong()).as(load.toString()).isZero();
        assertThat(summary.get("ordered").asLong()).as(load.toString()).isEqualTo(REQUESTS);
        assertThat(load.exitCode()).as(load.toString()).isZero();

        // What the operator sees: the honest nodes hold one ledger with every request, in a later view
        // than the liar's (the primary of view 0 was replaced).
        List<PoolSetup.NodeState> honest = awaitHonestLedgers(genesis);
        assertThat(honest).extracting(PoolSetup.NodeState::ledgerRoot).containsOnly(honest.get(0).ledgerRoot());
        assertThat(honest).extracting(PoolSetup.NodeState::viewNo).as("the lying primary of view 0 was replaced")
                .allMatch(v -> v >= 1);
        // Every honest node counted messages it rejected from the liar, and from no one else.
        Scripts.Result status = Scripts.run(120, "pool.sh", "status", "--base-dir", dir.toString(), "--json");
        System.out.println(status.stdout());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        for (JsonNode n : io.stackcompanion.node.message.Codec.mapper().readTree(status.lastLine()).get("nodes")) {
            String name = n.get("name").asText();
            if (HONEST.contains(name)) {
                assertThat(status.stdout()).contains(name + " rejected: " + LIAR + " ");
                assertThat(n.get("rejected").get(LIAR)).as(n.toString()).isNotEmpty();
                assertThat(n.get("rejected").properties()).as(n.toString()).allMatch(sender -> sender.getKey().equals(LIAR));
            }
        }
        Scripts.Result stopped = Scripts.run(120, "pool.sh", "down", "--base-dir", dir.toString());
        assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
        liar.waitFor(); // stopped by pool.sh down (SIGTERM), as every node: its recording is sealed
        String told = Files.readString(liarOut);
        System.out.println(told);
        assertThat(told).as("the liar told lies").containsPattern(LIAR + ByzantineNodeMain.TOLD + "\\S+ \\d+");

        System.out.printf("load done, pool down at %.1f s%n", (System.nanoTime() - t0) / 1e9);
        for (String n : concat(HONEST, LIAR)) {
            String[] replay = run((a, o, e) -> ReplayMain.run(a, o, e, false),
                    "--recording", dir.toString(), "--node", n, "--check-state", "--json");
            assertThat(replay[0]).as(n + ":\n" + replay[1] + replay[2]).isEqualTo("0");
            assertThat(replay[1]).as(n).contains("MATCH: the replay reproduced the recording exactly");
            JsonNode verdict = TimelineBrowserTest.lastJson(replay[1]);
            System.out.println(n + " replayed: " + verdict.get("events") + " events, " + verdict.get("batchesOrdered")
                    + " batches, ledger " + verdict.get("ledgerSize"));
        }

        System.out.printf("replays done at %.1f s%n", (System.nanoTime() - t0) / 1e9);
        String[] verify = TimelineBrowserTest.run("verify", "--pool", dir.toString(), "--json");
        System.out.println(verify[1] + verify[2]);
        assertThat(verify[0]).as("the liar's messages do not match its recording").isEqualTo("2");
        JsonNode pool = TimelineBrowserTest.lastJson(verify[1]).path("pool");
        assertThat(pool.path("receivedNotSent").asInt()).isPositive();
        TreeSet<String> notSentBy = new TreeSet<>();
        for (JsonNode gap : pool.path("gaps")) {
            if (gap.path("problem").asText().equals("not sent")) {
                notSentBy.add(gap.path("node").asText());
            } else {
                // A message lost on a link: from the liar (its silence, or a lie in its place), or to it
                // (an honest node closes the link on the liar's garbage, losing what it had just sent).
                assertThat(List.of(gap.path("node").asText(), gap.path("sender").asText())).as(gap.toString()).contains(LIAR);
            }
        }
        assertThat(notSentBy).as("whose recording never sent what others received").containsExactly(LIAR);
        assertThat(verify[2]).contains("error: " + LIAR + "'s recording never sent ");
    }

    /** The honest nodes' states once each holds every request (the client needed f+1 of them, not all). */
    private static List<PoolSetup.NodeState> awaitHonestLedgers(PoolGenesis genesis) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<PoolSetup.NodeState> honest = PoolSetup.status(genesis, Duration.ofSeconds(2)).nodes().stream()
                    .filter(n -> HONEST.contains(n.name())).toList();
            System.out.println("status: " + honest);
            if (honest.stream().allMatch(n -> n.running() && n.ledgerSize() == REQUESTS)) {
                return honest;
            }
            assertThat(System.nanoTime()).as("the honest nodes do not all hold " + REQUESTS + " requests: " + honest).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private Path launchLiar() throws Exception {
        Path data = dir.resolve("data").resolve(LIAR);
        Files.createDirectories(data);
        Files.createDirectories(dir.resolve("run"));
        Path out = data.resolve("stdout.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ByzantineNodeMain.class.getName(),
                "--lies", "all", "--rate", "0.3", "--lie-seed", "18", "--base-dir", dir.toString(), "--name", LIAR));
        liar = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        Files.writeString(dir.resolve("run").resolve(LIAR + ".pid"), liar.pid() + "\n"); // pool.sh down stops it
        return out;
    }

    private void awaitUp(Path out) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.readString(out).lines().anyMatch((LIAR + io.stackcompanion.node.NodeMain.UP)::equals)) {
            assertThat(liar.isAlive()).as("the lying node died: " + Files.readString(out)).isTrue();
            assertThat(System.nanoTime()).as("the lying node is not up after 60 s: " + Files.readString(out)).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @FunctionalInterface
    private interface Tool {
        int run(String[] args, PrintStream out, PrintStream err) throws StackCompanionException;
    }

    private static String[] run(Tool tool, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = tool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> all = new ArrayList<>(a);
        all.add(b);
        return all;
    }
}
