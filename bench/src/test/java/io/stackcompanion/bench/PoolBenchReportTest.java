package io.stackcompanion.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool benchmark's arithmetic, on the files bench.sh leaves (no pool needed). */
class PoolBenchReportTest {

    @TempDir
    Path dir;

    @Test
    void ratiosPerPairMediansAndGoals() throws IOException {
        double[][] offOn = {{2000, 1980}, {2100, 1900}, {1900, 1890}};
        double[][] p99 = {{100, 104}, {120, 150}, {110, 110}};
        for (int i = 0; i < 3; i++) {
            load("pair" + (i + 1) + "-off.sat.json", offOn[i][0], 50, 300);
            load("pair" + (i + 1) + "-on.sat.json", offOn[i][1], 55, 310);
            load("pair" + (i + 1) + "-off.fixed.json", 1000, 20, p99[i][0]);
            load("pair" + (i + 1) + "-on.fixed.json", 1000, 21, p99[i][1]);
        }
        // The nodes' CPU seconds for a saturating load of 100 requests (what load() writes).
        Files.writeString(dir.resolve("pair1-off.cpu"), "nodeCpuSeconds=10.00\n");
        Files.writeString(dir.resolve("pair1-on.cpu"), "nodeCpuSeconds=10.20\n");
        Files.writeString(dir.resolve("replay-saturated.json"), "Node2: replayed\n"
                + "{\"node\":\"Node2\",\"events\":5000,\"batchesOrdered\":40,\"matches\":true,\"recordedSeconds\":30.0,\"replaySeconds\":10.0}\n");
        Files.writeString(dir.resolve("replay-idle.json"),
                "{\"node\":\"Node2\",\"events\":80,\"matches\":true,\"recordedSeconds\":40.0,\"replaySeconds\":0.5}\n");
        Files.writeString(dir.resolve("stats.json"), "{\"recordings\":[{\"payloadBytes\":1000,\"bytesOnDisk\":300},"
                + "{\"payloadBytes\":1000,\"bytesOnDisk\":500}]}\n");
        Files.writeString(dir.resolve("bytes.json"), "{\"bytesOnDiskByFileKind\":{\"wal\":700,\"sst\":100},"
                + "\"bytesOnDiskCompacted\":500}\n");
        Files.writeString(dir.resolve("overhead.json"), "round 1: ...\n"
                + "{\"node\":\"Node2\",\"events\":5000,\"rounds\":4,\"medianRatio\":0.975,\"medianRatioWithClose\":0.93}\n");
        Files.writeString(dir.resolve("context.properties"), "machine.nproc=2\nmachine.cpu=Some CPU @ 2.0GHz\nsettings.rate=1000\n");

        ObjectNode r = PoolBenchReport.build(dir, 3);

        assertThat(r.path("pairs").get(1).path("throughputRatio").asDouble()).isEqualTo(0.905);
        assertThat(r.path("medians").path("throughputRatio").asDouble()).isEqualTo(0.99);
        assertThat(r.path("medians").path("throughputPerSOff").asDouble()).isEqualTo(2000);
        assertThat(r.path("medians").path("fixedP99Ratio").asDouble()).isEqualTo(1.04);
        assertThat(r.path("runs").get(0).path("nodeCpuMsPerWrite").asDouble()).isEqualTo(100.0);
        assertThat(r.path("pairs").get(0).path("cpuPerWriteRatio").asDouble()).isEqualTo(1.02);
        assertThat(r.path("pairs").get(1).has("cpuPerWriteRatio")).as("not measured for pair 2").isFalse();
        assertThat(r.path("replaySaturated").path("speedup").asDouble()).isEqualTo(3.0);
        assertThat(r.path("replayIdle").path("speedup").asDouble()).isEqualTo(80.0);
        assertThat(r.path("recordingBytes").path("bytesOnDiskPerPayloadByte").asDouble()).isEqualTo(0.4);
        assertThat(r.path("recordingBytes").path("perPayloadByteCompacted").asDouble()).isEqualTo(0.25);
        assertThat(r.path("goals").path("throughputRatio").path("met").asText()).isEqualTo("met");
        assertThat(r.path("goals").path("fixedP99Ratio").path("met").asText()).isEqualTo("met");
        assertThat(r.path("goals").path("coreThroughputRatio").path("value").asDouble()).isEqualTo(0.975);
        assertThat(r.path("goals").path("coreThroughputRatio").path("met").asText()).isEqualTo("met");
        assertThat(r.path("goals").path("idleReplaySpeedup").path("met").asText()).isEqualTo("missed");
        assertThat(r.path("goals").path("poolThroughputPerSOn").path("met").asText()).isEqualTo("missed");
        assertThat(r.path("machine").path("cpu").asText()).isEqualTo("Some CPU @ 2.0GHz");

        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PoolBenchReport.print(r, new PrintStream(text, true, StandardCharsets.UTF_8));
        assertThat(text.toString(StandardCharsets.UTF_8)).contains("pair 2 on/off: ordered/s 0.905");
    }

    @Test
    void theGoalRateRunGivesTheP99Goal() throws IOException {
        double[][] p99 = {{180, 240}, {300, 260}, {200, 230}};
        for (int i = 0; i < 3; i++) {
            load("pair" + (i + 1) + "-off.goal.json", 1000, 40, p99[i][0]);
            load("pair" + (i + 1) + "-on.goal.json", 1000, 45, p99[i][1]);
        }
        Files.writeString(dir.resolve("context.properties"), "settings.goalRate=1000\n");

        ObjectNode r = PoolBenchReport.build(dir, 3);

        assertThat(r.path("medians").path("goalRateP99MsOff").asDouble()).isEqualTo(200);
        assertThat(r.path("medians").path("goalRateP99MsOn").asDouble()).isEqualTo(240);
        assertThat(r.path("goals").path("poolP99MsAtGoalRateOff").path("met").asText()).isEqualTo("met");
        assertThat(r.path("goals").path("poolP99MsAtGoalRateOn").path("met").asText()).isEqualTo("met");
        assertThat(r.path("goals").has("poolFixedP99MsOff")).as("replaced by the goal-rate run").isFalse();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PoolBenchReport.print(r, new PrintStream(text, true, StandardCharsets.UTF_8));
        assertThat(text.toString(StandardCharsets.UTF_8)).contains("'goal' at 1000 req/s, each pool alone");
    }

    @Test
    void cpuPerWriteAtTheFixedRateOnOffAndTheRecorderThreadsShare() throws IOException {
        // 100 writes/s for 20 s = 2000 writes in each window.
        double[][] nodeOffOn = {{10.0, 10.2}, {10.0, 10.5}, {9.0, 9.1}};
        for (int i = 0; i < 3; i++) {
            window("pair" + (i + 1) + "-off.fixedcpu", nodeOffOn[i][0], 0);
            window("pair" + (i + 1) + "-on.fixedcpu", nodeOffOn[i][1], 0.2);
        }

        ObjectNode r = PoolBenchReport.build(dir, 3);

        assertThat(r.path("runs").get(0).path("fixedWindowWrites").asLong()).isEqualTo(2000);
        assertThat(r.path("runs").get(0).path("fixedNodeCpuMsPerWrite").asDouble()).isEqualTo(5.0);
        assertThat(r.path("runs").get(1).path("fixedJitShare").asDouble()).isEqualTo(0.098);
        assertThat(r.path("runs").get(0).path("fixedNodeCpuMsPerWriteNoJit").asDouble()).isEqualTo(4.5);
        assertThat(r.path("runs").get(0).has("fixedRecorderThreadsShare")).as("off: no recorder").isFalse();
        assertThat(r.path("runs").get(1).path("fixedRecorderThreadsShare").asDouble()).isEqualTo(0.0196);
        assertThat(r.path("pairs").get(1).path("fixedNodeCpuPerWriteRatio").asDouble()).isEqualTo(1.05);
        assertThat(r.path("medians").path("fixedNodeCpuPerWriteRatio").asDouble()).isEqualTo(1.02);
        assertThat(r.path("medians").path("fixedNodeCpuPerWriteNoJitRatio").asDouble()).isEqualTo(1.022);
        assertThat(r.path("goals").path("nodeCpuPerWriteRatio").path("goal").asText()).isEqualTo("<= 1.031");
        assertThat(r.path("goals").path("nodeCpuPerWriteRatio").path("met").asText()).isEqualTo("met");

        window("pair2-on.fixedcpu", 10.8, 0.2);
        window("pair3-on.fixedcpu", 9.5, 0.2);
        assertThat(PoolBenchReport.build(dir, 3).path("goals").path("nodeCpuPerWriteRatio").path("met").asText())
                .isEqualTo("missed");
    }

    @Test
    void missingFiguresAreReportedAsNotMeasured() {
        ObjectNode r = PoolBenchReport.build(dir, 1);
        assertThat(r.path("goals").path("throughputRatio").path("met").asText()).isEqualTo("not measured");
        assertThat(r.has("replayIdle")).isFalse();
    }

    @Test
    void medianOfEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(PoolBenchReport.median(List.of(3.0, 1.0, 4.0, 2.0))).isEqualTo(2.5);
        assertThat(PoolBenchReport.median(List.of(5.0))).isEqualTo(5.0);
    }

    private void window(String name, double nodeSeconds, double recorderSeconds) throws IOException {
        Files.writeString(dir.resolve(name), String.format(java.util.Locale.ROOT,
                "windowSeconds=20%nrate=100%nnodeCpuSeconds=%.3f%nrecorderCpuSeconds=%.3f%njitCpuSeconds=1.000%n",
                nodeSeconds, recorderSeconds));
    }

    private void load(String name, double throughput, double p50, double p99) throws IOException {
        Files.writeString(dir.resolve(name), "sent 100, ordered 100\n"
                + String.format(java.util.Locale.ROOT, "{\"sent\":100,\"ordered\":100,\"failed\":0,\"durationS\":1.0,"
                        + "\"throughputPerS\":%.1f,\"latencyMs\":{\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f}}%n",
                        throughput, p50, p99, p99 + 1));
    }
}
