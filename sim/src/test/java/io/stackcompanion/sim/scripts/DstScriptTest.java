package io.stackcompanion.sim.scripts;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.scripts.Scripts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code scripts/dst.sh check} as a user runs it on a history file: verdicts, reports, exit codes. */
class DstScriptTest {
    private static final String PUT_A = "{\"client\":\"c1\",\"op\":\"PUT\",\"key\":\"k3\",\"input\":{\"value\":\"a\"},\"output\":null,"
            + "\"invoke\":1000000,\"return\":2000000,\"seqNo\":17}\n";
    private static final String GET_A = "{\"client\":\"c2\",\"op\":\"GET\",\"key\":\"k3\",\"input\":{},\"output\":{\"value\":\"a\"},"
            + "\"invoke\":2500000,\"return\":3000000}\n";
    private static final String CAS_B = "{\"client\":\"c1\",\"op\":\"CAS\",\"key\":\"k3\",\"input\":{\"expected\":\"a\",\"value\":\"b\"},"
            + "\"output\":{\"applied\":true},\"invoke\":4000000,\"return\":5000000}\n";
    private static final String NO_REPLY = "{\"client\":\"c3\",\"op\":\"PUT\",\"key\":\"k1\",\"input\":{\"value\":\"q\"},\"output\":null,"
            + "\"invoke\":4100000,\"return\":null}\n";

    @TempDir
    Path dir;

    @Test
    void aHistoryFromARunIsLinearizable() throws Exception {
        Path h = Files.writeString(dir.resolve("history.jsonl"), PUT_A + GET_A + CAS_B + NO_REPLY);
        Scripts.Result r = Scripts.run(60, "dst.sh", "check", h.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).startsWith("LINEARIZABLE: 4 operations on 2 keys (1 with no agreed reply)");
    }

    @Test
    void aCasThatSucceededTwiceByHandIsRejectedWithTheOperationsNamed() throws Exception {
        // The same CAS from "a" by c2, also applied: one of the two cannot be ordered.
        String casTwice = CAS_B.replace("\"c1\"", "\"c2\"").replace("\"b\"", "\"c\"").replace("4000000", "4100000")
                .replace("5000000", "5100000");
        Path h = Files.writeString(dir.resolve("history.jsonl"), PUT_A + GET_A + CAS_B + casTwice);
        Scripts.Result r = Scripts.run(60, "dst.sh", "check", "--json", h.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stdout()).startsWith("NOT LINEARIZABLE: 4 operations on 1 key (0 with no agreed reply); 1 key cannot be ordered")
                .contains("key k3 (4 operations): no order of its operations explains\n    c2 CAS k3 \"a\"->\"c\" -> applied  (line 4, +3.100 ms..+4.100 ms)")
                .contains("c1 CAS k3 \"a\"->\"b\" -> applied  (line 3, +3.000 ms..+4.000 ms)")
                .contains("it applied, but the key holds \"b\", not the expected \"a\"");
        JsonNode json = Codec.mapper().readTree(r.lastLine());
        assertThat(json.get("verdict").asText()).isEqualTo("NOT_LINEARIZABLE");
        JsonNode f = json.get("failures").get(0);
        assertThat(f.get("key").asText()).isEqualTo("k3");
        assertThat(f.get("blocked").get("line").asInt()).isEqualTo(4);
        assertThat(f.get("order").findValuesAsText("line")).containsExactly("1", "2", "3");
    }

    @Test
    void onAPoolUsedBeforeTheKeysMayHoldValuesTheHistoryDidNotWrite() throws Exception {
        Path h = Files.writeString(dir.resolve("history.jsonl"), GET_A + CAS_B);
        Scripts.Result absent = Scripts.run(60, "dst.sh", "check", h.toString());
        assertThat(absent.exitCode()).as(absent.toString()).isEqualTo(1);
        assertThat(absent.stdout()).contains("c2 GET k3 -> \"a\"  (line 1, +0.000 ms..+0.500 ms)")
                .contains("it reads \"a\", but the key is absent");
        Scripts.Result unknown = Scripts.run(60, "dst.sh", "check", h.toString(), "--initial", "unknown");
        assertThat(unknown.exitCode()).as(unknown.toString()).isZero();
        assertThat(unknown.stdout()).startsWith("LINEARIZABLE: 2 operations on 1 key");
    }

    @Test
    void aMalformedLineIsNamedByItsNumberAndNothingIsChecked() throws Exception {
        Path h = Files.writeString(dir.resolve("history.jsonl"), PUT_A + "\n" + GET_A.replace("\"GET\"", "\"DEL\""));
        Scripts.Result r = Scripts.run(60, "dst.sh", "check", h.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).isEqualTo("error: history.jsonl line 3: \"op\" is PUT, GET or CAS, not \"DEL\"\n");
    }

    @Test
    void badArgumentsAreOneLineBeforeAnythingRuns() throws Exception {
        Path trace = dir.resolve("builds.txt");
        java.util.Map<String, String> env = java.util.Map.of("SC_BUILD_TRACE", trace.toString());
        Scripts.Result none = Scripts.run(30, env, "dst.sh");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.stderr()).isEqualTo("error: dst.sh needs a command: run, swarm or check (try --help)\n");
        Scripts.Result unknown = Scripts.run(30, env, "dst.sh", "walk");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).startsWith("error: unknown command 'walk' for dst.sh");
        Scripts.Result missing = Scripts.run(30, env, "dst.sh", "check", dir.resolve("nope.jsonl").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).startsWith("error: no history at ");
        Scripts.Result steps = Scripts.run(30, env, "dst.sh", "check", "x.jsonl", "--max-steps", "0");
        assertThat(steps.exitCode()).isEqualTo(2);
        assertThat(steps.stderr()).isEqualTo("error: --max-steps must be a whole number from 1 to 1000000000000, not '0'\n");
        Scripts.Result initial = Scripts.run(30, env, "dst.sh", "check", "x.jsonl", "--initial=maybe");
        assertThat(initial.exitCode()).isEqualTo(2);
        assertThat(initial.stderr()).isEqualTo("error: --initial is absent or unknown, not 'maybe'\n");
        Scripts.Result htmlFolder = Scripts.run(30, env, "dst.sh", "check", "x.jsonl", "--html", dir.toString());
        assertThat(htmlFolder.exitCode()).isEqualTo(2);
        assertThat(htmlFolder.stderr()).isEqualTo("error: --html " + dir + " is a folder; name the HTML file to write\n");
        Scripts.Result htmlNowhere = Scripts.run(30, env, "dst.sh", "check", "x.jsonl", "--html", dir.resolve("no/h.html").toString());
        assertThat(htmlNowhere.exitCode()).isEqualTo(2);
        assertThat(htmlNowhere.stderr()).isEqualTo("error: --html " + dir.resolve("no/h.html") + ": no folder " + dir.resolve("no")
                + " to write it into\n");
        assertThat(trace).doesNotExist();
        Scripts.Result help = Scripts.run(30, "dst.sh", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).startsWith("usage: scripts/dst.sh run --seed S").contains("exit: 0 every check passed (run, swarm), or linearizable (check)");
    }
}
