package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sanitizing a recording whose batches hold GET and CAS (a simulated pool of four recorded nodes,
 * see {@link RecordingFixtures#simulatedGetCasPool}): no key, value, expected value, GET result,
 * client or client address is left in the copy, every node replays to a MATCH with its consensus
 * states compared, and each reply in the copy says what the sanitized data gives: a CAS that
 * applied still applies, one that failed still fails, a GET of an absent key finds nothing, and a
 * GET returns the pseudonym of the value written before it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SanitizedGetCasRecordingTest {
    private static final List<String> NODES = List.of("Node1", "Node2", "Node3", "Node4");

    @TempDir
    static Path dir;
    Path original;
    Path sanitized;

    @BeforeAll
    void recordAndSanitize() throws Exception {
        original = RecordingFixtures.simulatedGetCasPool(dir.resolve("original"), 21);
        sanitized = dir.resolve("sanitized");
        CollectRecordingsTest.Run r = SanitizedRecordingTest.sanitize(original, sanitized, dir.resolve("keys/a.key"));
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void noKeyValueExpectedValueResultClientOrAddressIsLeftInAnyByteOfTheCopy() throws Exception {
        Set<String> values = SanitizedRecordingTest.customerValues(SanitizedRecordingTest.export(original));
        assertThat(values).contains("cust-acct-alpha", "cust-acct-gamma", "cust-balance-999", "cust-balance-e3", "cust-balance-250",
                "203.0.113.7:50123");
        // Written before the recording started: only in the initial states' ledgers and state.
        String before = new String(SanitizedRecordingTest.everyByteOf(original, NODES).stream()
                .reduce(new byte[0], SanitizedGetCasRecordingTest::concat), StandardCharsets.ISO_8859_1);
        assertThat(before).contains("cust-acct-never-written", "cust-balance-100");
        List<byte[]> contents = SanitizedRecordingTest.everyByteOf(sanitized, NODES);
        SanitizedRecordingTest.assertNoneIn(contents, values);
        SanitizedRecordingTest.assertNoneIn(contents, Set.of("cust-"));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void everyNodeReplaysToAMatchFromTheCopyWithItsStatesCompared() {
        for (String node : NODES) {
            CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", sanitized.toString(), "--node", node, "--json",
                    "--check-state");
            assertThat(r.exit()).as(node + ": " + r).isZero();
            assertThat(r.out()).as(node).contains("\"matches\":true")
                    .containsPattern("--check-state: ([1-9]\\d*) of \\1 recorded states compared");
        }
    }

    @Test
    void collectRecordingsSanitizeGivesAnArchiveThatReplaysToAMatch() throws Exception {
        Path out = java.nio.file.Files.createDirectories(dir.resolve("collected")).resolve("sanitized.tar.gz");
        CollectRecordingsTest.Run r = CollectRecordingsTest.collect("--base-dir", original.toString(), "--node", "Node4", "--out",
                out.toString(), "--sanitize", "--sanitize-key", dir.resolve("keys/a.key").toString(), "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        CollectRecordingsTest.Run replay = CollectRecordingsTest.replay("--recording", out.toString(), "--node", "Node4", "--json",
                "--check-state");
        assertThat(replay.exit()).as(replay.toString()).isZero();
        assertThat(replay.out()).contains("\"matches\":true");
    }

    @Test
    void eachReplyInTheCopyIsWhatTheSanitizedDataGivesAndEqualValuesStayEqual() throws IOException {
        List<String> before = SanitizedRecordingTest.export(original).lines().toList();
        List<String> after = SanitizedRecordingTest.export(sanitized).lines().toList();
        assertThat(after).hasSameSizeAs(before);
        // Node4 caught up with GET and CAS transactions (their results inside) in catch-up replies.
        assertThat(before).anyMatch(l -> l.contains("CATCHUP_REP") && l.contains("applied"));
        Map<String, Integer> outcomesBefore = new TreeMap<>();
        Map<String, Integer> outcomesAfter = new TreeMap<>();
        Map<String, String> keys = new HashMap<>();
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < before.size(); i++) {
            JsonNode o = Codec.mapper().readTree(before.get(i));
            JsonNode s = Codec.mapper().readTree(after.get(i));
            pair(o.get("payload"), s.get("payload"), keys, values);
            count(o.get("payload"), outcomesBefore);
            count(s.get("payload"), outcomesAfter);
        }
        // Replies of every kind, as many in the copy as in the original.
        assertThat(outcomesBefore).containsKeys("CAS applied", "CAS failed", "GET found", "GET absent");
        assertThat(outcomesAfter).isEqualTo(outcomesBefore);
        // Each key and value has one pseudonym, and no two have the same: a GET's result is the
        // pseudonym of the value a PUT or CAS wrote, a CAS's expected value that of the value it compared.
        assertThat(values.get("cust-balance-250")).isNotNull();
        assertThat(Set.copyOf(keys.values())).hasSameSizeAs(keys.keySet());
        assertThat(Set.copyOf(values.values())).hasSameSizeAs(values.keySet());
    }

    /** Pairs each key and value (operation key, value, expected value, GET result) of {@code o} with its place in {@code s}. */
    private static void pair(JsonNode o, JsonNode s, Map<String, String> keys, Map<String, String> values) throws IOException {
        if (o.isTextual() && o.asText().startsWith("{")) {
            pair(Codec.mapper().readTree(o.asText()), Codec.mapper().readTree(s.asText()), keys, values); // a ledger transaction
            return;
        }
        var fields = o.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            JsonNode other = s.get(f.getKey());
            assertThat(other).as(f.getKey()).isNotNull();
            if (f.getValue().isTextual() && (f.getKey().equals("key") || f.getKey().equals("value") || f.getKey().equals("expected"))) {
                Map<String, String> map = f.getKey().equals("key") ? keys : values;
                String known = map.putIfAbsent(f.getValue().asText(), other.asText());
                assertThat(known == null ? other.asText() : known).as("the one pseudonym of %s", f.getValue().asText())
                        .isEqualTo(other.asText());
            } else {
                pair(f.getValue(), other, keys, values);
            }
        }
        for (int i = 0; o.isArray() && i < o.size(); i++) {
            pair(o.get(i), s.get(i), keys, values);
        }
    }

    private static void count(JsonNode payload, Map<String, Integer> outcomes) {
        JsonNode result = payload.path("result");
        if (!"REPLY".equals(payload.path("op").asText()) || result.isMissingNode()) {
            return;
        }
        String outcome = result.has("applied") ? (result.get("applied").asBoolean() ? "CAS applied" : "CAS failed")
                : result.has("value") ? "GET found" : "GET absent";
        outcomes.merge(outcome, 1, Integer::sum);
    }
}
