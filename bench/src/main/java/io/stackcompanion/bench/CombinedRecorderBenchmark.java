package io.stackcompanion.bench;

import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.Recorder;
import io.stackcompanion.recorder.RecordingClock;
import io.stackcompanion.recorder.RecordingReader;
import io.stackcompanion.node.recording.CombinedRecorder;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The replay's input stream: {@link CombinedRecorder} merging a node's two recordings (sharing one
 * clock, events interleaved 3 node : 1 client as under client load) into one ordered stream.
 * Score: merged events per second, reading included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CombinedRecorderBenchmark {
    static final int EVENTS = 200_000;

    private Path dir;
    private RecordingReader node;
    private RecordingReader client;

    @Setup(Level.Trial)
    public void record() {
        dir = BenchData.tempDir("bench-merge");
        byte[][] payloads = BenchData.payloads();
        RecordingClock clock = RecordingClock.system();
        try (Recorder nodeRecorder = BenchData.openRecorder(dir.resolve("node"), "node", clock);
                Recorder clientRecorder = BenchData.openRecorder(dir.resolve("client"), "client", clock)) {
            for (int i = 0; i < EVENTS; i++) {
                Recorder r = i % 4 == 3 ? clientRecorder : nodeRecorder;
                r.append(EventKind.INCOMING, BenchData.PEER, payloads[i % BenchData.PAYLOAD_COUNT]);
            }
        }
        node = RecordingReader.open(dir.resolve("node"));
        client = RecordingReader.open(dir.resolve("client"));
    }

    @TearDown(Level.Trial)
    public void delete() {
        node.close();
        client.close();
        BenchData.delete(dir);
    }

    /** Both recordings merged by key, every event once. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long merge() {
        long last = -1;
        int events = 0;
        try (CombinedRecorder merged = new CombinedRecorder(node, client)) {
            while (merged.hasNext()) {
                last = merged.next().event().seq();
                events++;
            }
        }
        if (events != EVENTS) {
            throw new IllegalStateException("merged " + events + " events, expected " + EVENTS);
        }
        return last;
    }
}
