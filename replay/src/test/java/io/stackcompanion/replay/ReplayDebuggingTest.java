package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.tools.RecordingMain;
import io.stackcompanion.node.config.ConfigKey;
import io.stackcompanion.node.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.stackcompanion.replay.ReplayEndToEndTest.replay;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * From "it diverged" to "why": a diverging replay shows the node's state there and the events
 * before it, under the same event index as {@code recording.sh export}; a what-if on batching.
 */
class ReplayDebuggingTest {
    @TempDir
    Path dir;

    @Test
    void aDivergenceShowsTheNodeStateAndTheEventsBeforeItUnderTheExportsIndex() throws Exception {
        // A replica that refuses every batch time stops preparing (see ReplayDivergenceTest).
        Path pool = RecordingFixtures.simulatedPool(dir.resolve("pool"), "Node2", 11, 10);
        ReplayEndToEndTest.Run r = replay("--recording", pool.toString(), "--node", "Node2", "--json",
                "--set", "PP_TIME_TOLERANCE_MS=0");
        System.out.println(r.output()); // what the developer reads
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        JsonNode v = r.verdict();
        assertThat(v.get("outcome").asText()).isEqualTo("DIVERGED");
        long at = v.get("firstDivergence").get("eventIndex").asLong();

        JsonNode state = v.get("state");
        assertThat(state.get("name").asText()).isEqualTo("Node2");
        assertThat(state.get("primary").asText()).isEqualTo("Node1");
        assertThat(state.get("viewNo").asInt()).isZero();
        JsonNode recent = v.get("recentEvents");
        assertThat(recent.size()).isBetween(2, Replayer.RECENT_EVENTS);
        JsonNode last = recent.get(recent.size() - 1);
        assertThat(last.get("index").asLong()).as("the divergence's event is the last shown").isEqualTo(at);
        for (int i = 1; i < recent.size(); i++) {
            assertThat(recent.get(i).get("index").asLong()).isEqualTo(recent.get(i - 1).get("index").asLong() + 1);
        }
        // The PRE-PREPARE it refused is among the events before the divergence.
        assertThat(recent.findValuesAsText("op")).contains("PREPREPARE");
        assertThat(r.output()).contains("the replayed node's state at the divergence:", "\"primary\" : \"Node1\"");

        // The same index in the merged export names the same event.
        List<JsonNode> window = export(pool.resolve("data/Node2"), "--from-index", Long.toString(at - 2), "--to-index", Long.toString(at));
        assertThat(window).extracting(l -> l.get("index").asLong()).containsExactly(at - 2, at - 1, at);
        JsonNode exported = window.get(2);
        assertThat(exported.get("node").asText()).isEqualTo("Node2");
        for (String field : List.of("stack", "kind", "timeNanos", "payload")) {
            assertThat(exported.get(field)).as(field).isEqualTo(last.get(field));
        }
        assertThat(exported.get("stack").asText()).isEqualTo(v.get("firstDivergence").get("stack").asText());
    }

    @Test
    void theStateAtADivergenceNamesEachBatchsPrepareAndCommitVoters() throws Exception {
        // A burst of 12 requests in batches of 2: four batches in flight at once. As if checkpoints were
        // taken every 2 batches, the replayed node sends a CHECKPOINT the recorded one did not right
        // after ordering batch 2, while batches 3 and 4 are still collecting votes.
        Path pool = RecordingFixtures.simulatedPool(dir.resolve("pool"), "Node3", 14, 12,
                NodeConfig.defaults().with(ConfigKey.MAX_BATCH_SIZE, "2"), 0);
        ReplayEndToEndTest.Run r = replay("--recording", pool.toString(), "--node", "Node3", "--json",
                "--set", "CHK_FREQ=2", "LOG_SIZE=4");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        JsonNode v = r.verdict();
        assertThat(v.get("firstDivergence").get("actual").get("message").get("op").asText()).isEqualTo("CHECKPOINT");
        JsonNode batches = v.get("state").get("batches");
        JsonNode second = null; // batch 3
        for (JsonNode b : batches) {
            if (b.get("ppSeqNo").asLong() == 3) {
                second = b;
            }
        }
        assertThat(second).as("batch 3, in flight, in " + batches).isNotNull();
        assertThat(second.get("digest").asText()).hasSize(64);
        assertThat(second.get("requests").asInt()).isEqualTo(2);
        // Node1 is primary: its PRE-PREPARE stands for its PREPARE, so it never sends one.
        assertThat(second.get("preparedBy")).extracting(JsonNode::asText).isNotEmpty().doesNotContain("Node1");
        assertThat(r.output()).contains("\"committedBy\" : [");
    }

    @Test
    void theMergedExportNumbersEveryEventOfBothStacksInReplayOrder() throws Exception {
        Path pool = RecordingFixtures.simulatedPool(dir.resolve("pool"), "Node3", 12, 5);
        List<JsonNode> all = export(pool.resolve("data/Node3"));
        long events = ReplayEndToEndTest.replay("--recording", pool.toString(), "--node", "Node3", "--json").verdict().get("events").asLong();
        assertThat(all).hasSize((int) events);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).get("index").asLong()).isEqualTo(i);
            if (i > 0) {
                assertThat(all.get(i).get("timeNanos").asLong()).isGreaterThanOrEqualTo(all.get(i - 1).get("timeNanos").asLong());
            }
        }
        assertThat(all).extracting(l -> l.get("stack").asText()).contains("NODE", "CLIENT");
        assertThat(all.get(0).get("kind").asText()).isEqualTo("INITIAL_STATE");
    }

    @Test
    void freeBatchingLetsThePrimaryCutItsOwnBatchesAndReportsTheFirstDifference() throws Exception {
        Path pool = RecordingFixtures.simulatedPool(dir.resolve("pool"), "Node1", 13, 10);
        // Recorded batches are forced: a primary told to wait less still proposes what was recorded.
        ReplayEndToEndTest.Run forced = replay("--recording", pool.toString(), "--node", "Node1", "--json",
                "--set", "MAX_BATCH_WAIT_MS=2");
        assertThat(forced.exit()).as(forced.output()).isZero();
        // With its own batching, unchanged, it cuts the same batches.
        ReplayEndToEndTest.Run same = replay("--recording", pool.toString(), "--node", "Node1", "--json", "--free-batching");
        assertThat(same.exit()).as(same.output()).isZero();
        assertThat(same.output()).contains("note: --free-batching");
        // With its own batching and a shorter wait, its first PRE-PREPARE differs: that is reported.
        ReplayEndToEndTest.Run what = replay("--recording", pool.toString(), "--node", "Node1", "--json", "--free-batching",
                "--set", "MAX_BATCH_WAIT_MS=2");
        assertThat(what.exit()).as(what.output()).isEqualTo(1);
        JsonNode d = what.verdict().get("firstDivergence");
        // It proposed before the recorded primary did: a PRE-PREPARE the recording does not have there.
        assertThat(d.get("actual").get("message").get("op").asText()).as(what.output()).isEqualTo("PREPREPARE");
        assertThat(what.verdict().get("notes").get(0).asText()).startsWith("--free-batching");
    }

    @Test
    void checkStateFindsADifferenceInStateThatNoMessageShows() throws Exception {
        // Simulated (deterministic): one request every 20 ms, so a batch is ordered before the next is
        // proposed and the high watermark (stable checkpoint + 6) never holds a PRE-PREPARE back; on a
        // real pool a burst could reach it, and then a wider log changes what the node sends too.
        Path recorded = RecordingFixtures.simulatedPool(dir.resolve("pool"), "Node2", 17, 12,
                NodeConfig.defaults().with(ConfigKey.CHK_FREQ, "3").with(ConfigKey.LOG_SIZE, "6"), 20);
        String base = recorded.toString();

        ReplayEndToEndTest.Run checked = replay("--recording", base, "--node", "Node2", "--json", "--check-state");
        assertThat(checked.exit()).as(checked.output()).isZero();
        String note = checked.verdict().get("notes").get(0).asText();
        assertThat(note).startsWith("--check-state: ");
        assertThat(Long.parseLong(note.split(" ")[1])).as(note).isGreaterThanOrEqualTo(3); // checkpoints, and the stop

        // A wider log changes the high watermark, which no message carries while nothing waits on it.
        ReplayEndToEndTest.Run messagesOnly = replay("--recording", base, "--node", "Node2", "--json", "--set", "LOG_SIZE=60");
        assertThat(messagesOnly.exit()).as("the verdict without --check-state sees no difference: " + messagesOnly.output()).isZero();
        ReplayEndToEndTest.Run deep = replay("--recording", base, "--node", "Node2", "--json", "--set", "LOG_SIZE=60", "--check-state");
        assertThat(deep.exit()).as(deep.output()).isEqualTo(1);
        JsonNode d = deep.verdict().get("firstDivergence");
        assertThat(d.get("reason").asText()).startsWith("the replayed node's consensus state differs").contains("highWatermark");
        assertThat(d.get("expected").get("highWatermark").asLong() + 54).isEqualTo(d.get("actual").get("highWatermark").asLong());
        JsonNode state = export(recorded.resolve("data/Node2"), "--from-index", d.get("eventIndex").asText(),
                "--to-index", d.get("eventIndex").asText()).get(0);
        assertThat(state.get("kind").asText()).isEqualTo("STATE");
    }

    private static List<JsonNode> export(Path dir, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("export", dir.toString()));
        args.addAll(List.of(options));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = RecordingMain.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String l : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            lines.add(Codec.mapper().readTree(l));
        }
        return lines;
    }
}
