package io.stackcompanion.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench.sh's JIT timeline: reading a JVM's counters and /proc, and the report's arithmetic. */
class JitTimelineTest {

    @TempDir
    Path dir;

    @Test
    void readsThisJvmsCompileCountersFromItsPerformanceDataFile() {
        Path file = Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name"), Long.toString(ProcessHandle.current().pid()));
        Map<String, Long> counters = JitTimeline.perfCounters(file);
        // This JVM has compiled methods by now (JUnit itself), as jstat -compiler would say.
        assertThat(counters).isNotNull();
        assertThat(counters.get("sun.ci.totalCompiles")).isPositive();
        assertThat(counters.get("sun.os.hrt.frequency")).isPositive();
        assertThat(JitTimeline.perfCounters(dir.resolve("no-such-jvm"))).isNull();
    }

    @Test
    void aStatLineIsReadAfterItsNameWhateverTheNameHolds() {
        String stat = "4242 (C2 CompilerThre) S 1 2 3 4 5 6 7 8 9 10 250 30 0 0 20 0 1 0";
        assertThat(JitTimeline.statTicks(stat, "C[12] CompilerThre.*")).isEqualTo(280);
        assertThat(JitTimeline.statTicks("7 (a (b) c) R 1 2 3 4 5 6 7 8 9 10 5 6 0 0", null)).isEqualTo(11);
        assertThat(JitTimeline.statTicks("7 (Node1-core) R 1 2 3 4 5 6 7 8 9 10 5 6 0 0", "C[12] CompilerThre.*")).isZero();
    }

    @Test
    void aCompilerThreadThatEndsKeepsWhatItUsed() {
        JitTimeline.CompilerThreads threads = new JitTimeline.CompilerThreads();
        assertThat(threads.total(Map.of("10", 100L, "11", 40L))).isEqualTo(140);
        // Thread 11 retired (dynamic compiler threads): its 40 ticks stay counted.
        assertThat(threads.total(Map.of("10", 150L))).isEqualTo(190);
        assertThat(threads.total(Map.of("10", 150L, "12", 5L))).isEqualTo(195);
    }

    @Test
    void reportsPerIntervalPerPhaseAndWhenTheJitLastWasBusy() throws Exception {
        Path samples = dir.resolve("jit.tsv");
        // Two nodes of pool p sampled every 5 s: the JIT takes half the CPU, then almost none.
        Files.writeString(samples, String.join("\n",
                "1000\tp\tNode1\t100\t0\t0\t1.0\t2.00\t1.00",
                "1000\tp\tNode2\t100\t0\t0\t1.0\t2.00\t1.00",
                "6000\tp\tNode1\t300\t0\t0\t2.0\t4.00\t2.00",
                "6000\tp\tNode2\t300\t0\t0\t2.0\t4.00\t2.00",
                "11000\tp\tNode1\t310\t0\t0\t2.1\t6.00\t2.06",
                "11000\tp\tNode2\t310\t0\t0\t2.1\t6.00\t2.06", ""));
        Path phases = dir.resolve("jit.phases");
        Files.writeString(phases, "500\twarm-up\n7000\tmeasured\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JitTimeline.report(samples, phases, new PrintStream(out, true, StandardCharsets.UTF_8));
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("JIT of pool p");
        assertThat(report).containsPattern("\\n +5 +600 +400 +4\\.00 +2\\.00 +50% +warm-up\\n");
        assertThat(report).containsPattern("\\n +10 +620 +20 +4\\.00 +0\\.12 +3% +measured\\n");
        assertThat(report).contains("per phase: warm-up JIT 50% of 4.0 CPU s, 400 methods; measured JIT 3% of 4.0 CPU s, 20 methods");
        assertThat(report).contains("the JIT last took more than 10% of an interval at 5 s");
    }
}
