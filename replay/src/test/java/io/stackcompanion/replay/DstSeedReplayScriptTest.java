package io.stackcompanion.replay;

import io.stackcompanion.node.scripts.Scripts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loop issue 15 closes, as a developer runs it: {@code dst.sh run} on a seed, twice, prints the
 * same trace hash; its folder {@code dst-S/} holds the client history (linearizable by
 * {@code dst.sh check}) and every node's recording, which {@code replay.sh} replays to MATCH.
 * Seed 5 with these faults is also a regression: two nodes lacking a batch's requests stalled the
 * pool for good, as each catch-up believed the first peers that answered "nothing newer".
 */
class DstSeedReplayScriptTest {
    private static final Pattern HASH = Pattern.compile("trace hash ([0-9a-f]{64})");

    @TempDir
    Path dir;

    private static String hash(Scripts.Result r) {
        Matcher m = HASH.matcher(r.stdout());
        assertThat(m.find()).as(r.toString()).isTrue();
        return m.group(1);
    }

    @Test
    void aSeedRunTwiceGivesOneHashAndItsRecordingsReplayToMatch() throws Exception {
        String[] run = {"run", "--seed", "5", "--requests", "60", "--faults", "crash,cut,skew,duplicate"};
        Scripts.Result first = Scripts.runIn(dir, 300, Map.of(), "dst.sh", concat(run, "--keep"));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.stdout()).contains("faults: duplicate", "crash", "cut", "skew")
                .contains("checks: agreement ok, validity ok, durability ok, liveness ok, linearizability ok")
                .contains("DST passed for seed=5").contains("wrote " + dir.toRealPath().resolve("dst-5"));
        Scripts.Result second = Scripts.runIn(dir.resolve("dst-5"), 300, Map.of(), "dst.sh", run);
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(hash(second)).as("the same seed's trace hash").isEqualTo(hash(first));
        assertThat(dir.resolve("dst-5/dst-5")).as("a passing seed writes nothing without --keep").doesNotExist();

        Path folder = dir.resolve("dst-5");
        assertThat(folder.resolve("report.txt")).content().contains("DST passed for seed=5").contains("LINEARIZABLE: ");
        assertThat(folder.resolve("history.html")).content().contains("Content-Security-Policy").doesNotContain("@DATA@");
        Scripts.Result check = Scripts.run(60, "dst.sh", "check", folder.resolve("history.jsonl").toString());
        assertThat(check.exitCode()).as(check.toString()).isZero();
        assertThat(check.stdout()).startsWith("LINEARIZABLE: ");
        for (String node : new String[] {"Node1", "Node2", "Node3", "Node4"}) {
            assertThat(folder.resolve("data").resolve(node).resolve("recorder")).isDirectory();
            Scripts.Result replay = Scripts.run(300, "replay.sh", "--recording", folder.toString(), "--node", node, "--check-state");
            assertThat(replay.exitCode()).as(node + ": " + replay).isZero();
            assertThat(replay.stdout()).as(node).contains("MATCH: the replay reproduced the recording exactly");
        }
        Scripts.Result exists = Scripts.runIn(dir, 60, Map.of(), "dst.sh", concat(run, "--keep"));
        assertThat(exists.exitCode()).isEqualTo(2);
        assertThat(exists.stderr()).startsWith("error: ").contains("dst-5 exists already").hasLineCount(1);
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("dst-5");
    }

    /**
     * A Byzantine seed whose liar equivocates as primary from its core (seed 7: Node1 lies, the primary
     * of view 0): every honest node's recording replays to MATCH; the liar's diverges at its first
     * lie, since a replay runs the honest core, and says so.
     */
    @Test
    void aByzantineSeedsHonestNodesReplayToMatchAndTheLyingCoreDivergesAtItsFirstLie() throws Exception {
        Scripts.Result run = Scripts.runIn(dir, 300, Map.of(), "dst.sh", "run", "--seed", "7", "--requests", "100",
                "--faults", "byzantine", "--keep");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).contains("byzantine: Node1 lie: ").contains("as primary, sends f replicas each batch and the others another valid one");
        Path folder = dir.resolve("dst-7");
        for (String node : new String[] {"Node2", "Node3", "Node4"}) {
            Scripts.Result replay = Scripts.run(300, "replay.sh", "--recording", folder.toString(), "--node", node);
            assertThat(replay.exitCode()).as(node + ": " + replay).isZero();
            assertThat(replay.stdout()).as(node).contains("MATCH: the replay reproduced the recording exactly");
        }
        Scripts.Result liar = Scripts.run(300, "replay.sh", "--recording", folder.toString(), "--node", "Node1");
        assertThat(liar.exitCode()).as(liar.toString()).isEqualTo(1);
        assertThat(liar.stdout()).contains("DIVERGED at event").contains("the replayed node sent a different message than the recorded node");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
