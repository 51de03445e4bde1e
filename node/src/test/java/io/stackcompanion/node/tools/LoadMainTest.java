package io.stackcompanion.node.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.client.FakeNodeServer;
import io.stackcompanion.node.client.FakePool;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LoadMainTest {
    @TempDir
    Path dir;
    private FakePool pool;

    @BeforeEach
    void startPool() throws Exception {
        pool = FakePool.start(4);
        pool.writeGenesis(dir);
    }

    @AfterEach
    void stopPool() throws Exception {
        pool.close();
    }

    record Run(int exit, String out, String err) {
        JsonNode lastLineJson() {
            List<String> lines = out.lines().toList();
            return Codec.tree(lines.get(lines.size() - 1).getBytes(StandardCharsets.UTF_8));
        }
    }

    private Run load(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = LoadMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jsonLastLineReportsEveryRequestOrdered() {
        Run r = load("--base-dir", dir.toString(), "--requests", "60", "--clients", "3", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = r.lastLineJson();
        assertThat(json.get("sent").asInt()).isEqualTo(60);
        assertThat(json.get("ordered").asInt()).isEqualTo(60);
        assertThat(json.get("failed").asInt()).isZero();
        assertThat(json.get("durationS").asDouble()).isPositive();
        assertThat(json.get("throughputPerS").asDouble()).isPositive();
        JsonNode latency = json.get("latencyMs");
        assertThat(latency.get("p50").asDouble()).isLessThanOrEqualTo(latency.get("p99").asDouble());
        assertThat(latency.get("p99").asDouble()).isLessThanOrEqualTo(latency.get("max").asDouble());
        assertThat(pool.ledger().size()).isEqualTo(60);
        assertThat(r.out()).contains("ordered 60");
        assertThat(r.err()).isEmpty(); // no progress bar off a terminal
        assertThat(pool.nodes()).allSatisfy(n -> assertThat(n.badSignatures()).isZero());
    }

    @Test
    void pacedLoadOrdersEveryRequest() {
        Run r = load("--base-dir", dir.toString(), "--requests", "20", "--clients", "2", "--rate", "200", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.lastLineJson().get("ordered").asInt()).isEqualTo(20);
        assertThat(r.out()).contains("at 200.0 req/s");
    }

    @Test
    void exitsOneWhenRequestsFail() {
        pool.nodes().forEach(n -> n.behaviour(FakeNodeServer.Behaviour.SILENT));

        Run r = load("--base-dir", dir.toString(), "--requests", "3", "--timeout-s", "1", "--json");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.lastLineJson().get("failed").asInt()).isEqualTo(3);
        assertThat(r.out()).contains("failed: request 0: request");
    }

    @Test
    void badArgumentsAndAMissingGenesisExitTwoWithOneLine() {
        Run noRequests = load("--base-dir", dir.toString());
        Run badNumber = load("--base-dir", dir.toString(), "--requests", "many");
        Run badRate = load("--base-dir", dir.toString(), "--requests", "5", "--rate", "0");
        Run noGenesis = load("--base-dir", dir.resolve("nowhere").toString(), "--requests", "5");

        for (Run r : List.of(noRequests, badNumber, badRate, noGenesis)) {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.out()).isEmpty();
        }
        assertThat(badNumber.err()).contains("--requests must be a whole number");
        assertThat(noGenesis.err()).contains("no pool genesis at");
    }

    @Test
    void aBadMixKeySetOrHistoryFileIsTheOneLineTheScriptPrintsToo() {
        String mix = "--mix must be like put=70,get=20,cas=10 (whole percentages summing to 100), not ";
        for (String bad : List.of("put=70,get=20", "put=50,put=50", "get=100,", "PUT=100", "put=1000")) {
            Run r = load("--base-dir", dir.toString(), "--requests", "5", "--mix", bad);
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err().strip()).isEqualTo("load: " + mix + "'" + bad + "'");
        }
        Run keys = load("--base-dir", dir.toString(), "--requests", "5", "--keys", "0");
        assertThat(keys.err().strip()).isEqualTo("load: --keys must be a whole number from 1 to 1000000, not '0'");
        Run folder = load("--base-dir", dir.toString(), "--requests", "5", "--history", dir.toString());
        assertThat(folder.err().strip()).isEqualTo("load: --history " + dir + " is a folder; pass a file name");
        assertThat(LoadMain.mix("get=20,cas=80")).isEqualTo(new LoadGenerator.Mix(0, 20, 80));
    }

    @Test
    void aMixedWorkloadIsDeterministicFromTheSeedOverItsKeySet() {
        LoadGenerator.Mix mix = new LoadGenerator.Mix(50, 30, 20);
        java.util.Set<String> types = new java.util.TreeSet<>();
        for (int k = 0; k < 200; k++) {
            Operation op = LoadGenerator.operation(7, k, mix, 3, key -> null);
            assertThat(LoadGenerator.operation(7, k, mix, 3, key -> null)).isEqualTo(op);
            assertThat(op.key()).matches("k[0-2]");
            types.add(op.type());
            if (!op.type().equals(Operation.GET)) {
                assertThat(op.value()).isEqualTo("v" + k);
            }
        }
        assertThat(types).containsExactly("CAS", "GET", "PUT");
        assertThat(LoadGenerator.operation(7, 0, new LoadGenerator.Mix(0, 0, 100), 3, key -> "seen"))
                .isEqualTo(Operation.cas(LoadGenerator.operation(7, 0, new LoadGenerator.Mix(0, 0, 100), 3, key -> "seen").key(),
                        "seen", "v0"));
    }

    @Test
    void requestsAreDeterministicFromTheSeed() {
        Operation a = LoadGenerator.operation(7, 3);

        assertThat(LoadGenerator.operation(7, 3)).isEqualTo(a);
        assertThat(LoadGenerator.operation(8, 3)).isNotEqualTo(a);
        assertThat(LoadGenerator.operation(7, 4).key()).isNotEqualTo(a.key());
        assertThat(a.value()).hasSize(100);
    }
}
