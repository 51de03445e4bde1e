package io.stackcompanion.bench;

import io.stackcompanion.recorder.EventKind;
import io.stackcompanion.recorder.Recorder;
import io.stackcompanion.recorder.RecorderMetadata;
import io.stackcompanion.recorder.RecordingClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Test data and temp folders shared by the benchmarks. */
final class BenchData {
    /** Payload size of the recorder benchmarks: about a PREPARE or COMMIT on the wire. */
    static final int PAYLOAD_BYTES = 200;
    /** Distinct payloads cycled through, so compression sees realistic (not identical) values. */
    static final int PAYLOAD_COUNT = 1024;
    static final List<String> PEER = List.of("Node2");

    private BenchData() {
    }

    /** Message-like payloads: JSON with counters and 64-hex-digit digests, exactly 200 bytes each. */
    static byte[][] payloads() {
        Random random = new Random(1);
        byte[][] payloads = new byte[PAYLOAD_COUNT][];
        for (int i = 0; i < PAYLOAD_COUNT; i++) {
            StringBuilder json = new StringBuilder("{\"op\":\"PREPARE\",\"viewNo\":0,\"ppSeqNo\":")
                    .append(100_000 + i).append(",\"ppTime\":1795000").append(random.nextInt(1000))
                    .append(",\"digest\":\"").append(hex(random, 64)).append("\",\"stateRoot\":\"");
            while (json.length() < PAYLOAD_BYTES - 2) {
                json.append(Character.forDigit(random.nextInt(16), 16));
            }
            payloads[i] = json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
        }
        return payloads;
    }

    static String hex(Random random, int digits) {
        StringBuilder s = new StringBuilder(digits);
        for (int d = 0; d < digits; d++) {
            s.append(Character.forDigit(random.nextInt(16), 16));
        }
        return s.toString();
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Recorder openRecorder(Path dir, String stack, RecordingClock clock) {
        return Recorder.open(dir, RecorderMetadata.create("Node1", stack, "bench-genesis", "bench", clock), clock);
    }

    /** Appends {@code events} incoming events. */
    static void fill(Recorder recorder, byte[][] payloads, int events) {
        for (int i = 0; i < events; i++) {
            recorder.append(EventKind.INCOMING, PEER, payloads[i % PAYLOAD_COUNT]);
        }
    }
}
