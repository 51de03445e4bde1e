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
 * Recorder appends on one thread, 200-byte payloads, write-ahead log on (the recorder's only
 * setting): one RocksDB write per event ({@code append}), and the node's way, a group of 100 staged
 * events committed in one WAL write ({@code stage100Commit}). Score: events per second. Each
 * iteration writes into a fresh recording, deleted afterwards, so the disk does not fill up.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class RecorderAppendBenchmark {
    private static final int GROUP = 100;

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

    /** One event, one WAL write. */
    @Benchmark
    public EventKey append() {
        return recorder.append(EventKind.INCOMING, BenchData.PEER, payloads[next++ & (BenchData.PAYLOAD_COUNT - 1)]);
    }

    /** 100 events staged, then one commit (one WAL write): the score counts events. */
    @Benchmark
    @OperationsPerInvocation(GROUP)
    public void stage100Commit() {
        for (int i = 0; i < GROUP; i++) {
            recorder.stage(EventKind.INCOMING, BenchData.PEER, payloads[next++ & (BenchData.PAYLOAD_COUNT - 1)]);
        }
        recorder.commit();
    }
}
