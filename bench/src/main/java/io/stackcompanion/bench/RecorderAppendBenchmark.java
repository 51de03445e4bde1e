package io.stackcompanion.bench;

import io.stackcompanion.recorder.EventKey;
import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.Recorder;
import io.stackcompanion.recorder.RecordingClock;

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
import org.openjdk.jmh.annotations.Threads;

/**
 * Recorder appends on one thread, 200-byte payloads, write-ahead log on (the recorder's journal:
 * every appended event survives a SIGKILL the moment {@code append} returns). Score: events per
 * second.
 *
 * <ul>
 *   <li>{@code append}: what the recording thread (the node's core) pays per event. Each iteration
 *       writes into a fresh recording; the background thread moves full journal segments into
 *       RocksDB meanwhile, and a writer that outruns it by 16 segments (1 GiB) waits, so a long
 *       iteration measures the sustained rate, not just the journal's.
 *   <li>{@code appendThenClose}: end to end, 1,000,000 events appended and the recorder closed:
 *       every event compressed in RocksDB, the journal gone.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class RecorderAppendBenchmark {
    private static final int END_TO_END_EVENTS = 1_000_000;

    private byte[][] payloads;
    private Path dir;
    private Recorder recorder;
    private int next;

    @Setup(Level.Trial)
    public void payloads() {
        payloads = BenchData.payloads();
    }

    @Setup(Level.Iteration)
    public void open() {
        dir = BenchData.tempDir("bench-append");
        recorder = BenchData.openRecorder(dir, "node", RecordingClock.system());
    }

    @TearDown(Level.Iteration)
    public void close() {
        recorder.close();
        BenchData.delete(dir);
    }

    /** One event appended. */
    @Benchmark
    public EventKey append() {
        return recorder.append(EventKind.INCOMING, BenchData.PEER, payloads[next++ & (BenchData.PAYLOAD_COUNT - 1)]);
    }

    /** A million events appended into a fresh recording, then closed: the score counts events. */
    @Benchmark
    @OperationsPerInvocation(END_TO_END_EVENTS)
    public void appendThenClose() {
        Path fresh = BenchData.tempDir("bench-append-close");
        try (Recorder r = BenchData.openRecorder(fresh, "node", RecordingClock.system())) {
            BenchData.fill(r, payloads, END_TO_END_EVENTS);
        } finally {
            BenchData.delete(fresh);
        }
    }
}
