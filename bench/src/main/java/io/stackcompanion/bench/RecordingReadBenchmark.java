package io.stackcompanion.bench;

import io.stackcompanion.recorder.EventCursor;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.Recorder;
import io.stackcompanion.recorder.RecordingClock;
import io.stackcompanion.recorder.RecordingReader;

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
 * Reading a recording back: a cursor over all events of a closed 200,000-event recording (200-byte
 * payloads), decoding each (checksum included). Score: events per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RecordingReadBenchmark {
    static final int EVENTS = 200_000;

    private Path dir;
    private RecordingReader reader;

    @Setup(Level.Trial)
    public void record() {
        dir = BenchData.tempDir("bench-read");
        try (Recorder recorder = BenchData.openRecorder(dir, "node", RecordingClock.system())) {
            BenchData.fill(recorder, BenchData.payloads(), EVENTS);
        }
        reader = RecordingReader.open(dir);
    }

    @TearDown(Level.Trial)
    public void delete() {
        reader.close();
        BenchData.delete(dir);
    }

    /** Every event once, in key order. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long readAll() {
        long bytes = 0;
        int events = 0;
        try (EventCursor cursor = reader.iterator()) {
            while (cursor.hasNext()) {
                RecordedEvent e = cursor.next();
                bytes += e.payload().length;
                events++;
            }
        }
        if (events != EVENTS) {
            throw new IllegalStateException("read " + events + " events, expected " + EVENTS);
        }
        return bytes;
    }
}
