package io.stackcompanion.recorder;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A quick throughput measurement, not a test: appends N events of 200-byte payloads on one thread
 * with the WAL on, and prints events/s and bytes on disk per payload byte. Also measures plain
 * RocksDB puts (byte[] and direct buffers) and batched writes, to locate the bottleneck. Usage:
 * {@code RecorderThroughput [events] [mode...]}; modes: recorder, group10, group100, put, direct, batch10,
 * batch100, nocompress, encode.
 */
public final class RecorderThroughput {

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private RecorderThroughput() {}

    /** Runs the measurement. */
    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        List<String> modes = args.length > 1 ? List.of(args).subList(1, args.length)
                : List.of("recorder", "put", "direct", "batch100", "nocompress");
        byte[][] payloads = payloads(1024);
        for (String mode : modes) {
            Path dir = Files.createTempDirectory("throughput-" + mode);
            try {
                long start = System.nanoTime();
                long threadCpuStart = THREADS.getCurrentThreadCpuTime();
                long processCpuStart = OS.getProcessCpuTime();
                switch (mode) {
                    case "recorder" -> viaRecorder(dir, events, payloads, 1);
                    case "group10" -> viaRecorder(dir, events, payloads, 10);
                    case "group100" -> viaRecorder(dir, events, payloads, 100);
                    case "put", "direct", "batch10", "batch100", "nocompress" -> viaRocksDb(mode, dir, events, payloads);
                    case "encode" -> encodeOnly(events, payloads);
                    default -> throw new IllegalArgumentException("unknown mode " + mode);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                // On a shared machine wall time mostly measures the neighbours; CPU time is steadier.
                double threadCpu = (THREADS.getCurrentThreadCpuTime() - threadCpuStart) / 1e9;
                double processCpu = (OS.getProcessCpuTime() - processCpuStart) / 1e9;
                long onDisk = RecordingReader.bytesOnDisk(dir);
                long compacted = compactedSize(dir, mode);
                System.out.printf("%-10s %,10d events in %6.2f s = %,10.0f events/s wall, %,10.0f per writer-thread CPU s, "
                        + "%,10.0f per process CPU s; on disk %.3f bytes/payload byte (after full compaction %.3f)%n",
                        mode, events, seconds, events / seconds, events / threadCpu, events / processCpu,
                        onDisk / (200.0 * events), compacted / (200.0 * events));
            } finally {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static void viaRecorder(Path dir, int events, byte[][] payloads, int group) {
        RecordingClock clock = RecordingClock.system();
        try (Recorder recorder = Recorder.open(dir, RecorderMetadata.create("Alpha", "node", "g", "bench", clock), clock)) {
            List<String> peers = List.of("Beta");
            for (int i = 0; i < events; i++) {
                if (group == 1) {
                    recorder.append(EventKind.INCOMING, peers, payloads[i & 1023]);
                } else {
                    recorder.stage(EventKind.INCOMING, peers, payloads[i & 1023]);
                    if (i % group == group - 1) {
                        recorder.commit();
                    }
                }
            }
        }
    }

    /** Stamping and encoding alone: the recorder's own CPU cost per event, without RocksDB. */
    private static void encodeOnly(int events, byte[][] payloads) {
        RecordingClock clock = RecordingClock.system();
        List<String> peers = List.of("Beta");
        long sink = 0;
        for (int i = 0; i < events; i++) {
            sink += clock.stamp().toBytes()[15] + EventCodec.encode(EventKind.INCOMING, peers, payloads[i & 1023]).length;
        }
        if (sink == 42) {
            System.out.println(sink);
        }
    }

    /** The same keys and values as the recorder writes, through plain RocksDB calls. */
    private static void viaRocksDb(String mode, Path dir, int events, byte[][] payloads) throws Exception {
        RocksDB.loadLibrary();
        RecordingClock clock = RecordingClock.system();
        List<String> peers = List.of("Beta");
        try (Options options = new Options().setCreateIfMissing(true)
                        .setCompressionType(mode.equals("nocompress") ? CompressionType.NO_COMPRESSION : CompressionType.LZ4_COMPRESSION)
                        .setBottommostCompressionType(mode.equals("nocompress") ? CompressionType.NO_COMPRESSION : CompressionType.ZSTD_COMPRESSION)
                        .setWriteBufferSize(Long.getLong("wb", 64) << 20);
                WriteOptions write = new WriteOptions();
                RocksDB db = RocksDB.open(options, dir.toString())) {
            ByteBuffer key = ByteBuffer.allocateDirect(16);
            ByteBuffer value = ByteBuffer.allocateDirect(4096);
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < events; i++) {
                EventKey k = clock.stamp();
                byte[] v = EventCodec.encode(EventKind.INCOMING, peers, payloads[i & 1023]);
                switch (mode) {
                    case "direct" -> {
                        key.clear();
                        key.putLong(k.timeNanos()).putLong(k.seq()).flip();
                        value.clear();
                        value.put(v).flip();
                        db.put(write, key, value);
                    }
                    case "batch10", "batch100" -> {
                        batch.put(k.toBytes(), v);
                        if (batch.count() == (mode.equals("batch10") ? 10 : 100)) {
                            db.write(write, batch);
                            batch.clear();
                        }
                    }
                    default -> db.put(write, k.toBytes(), v);
                }
            }
            if (batch.count() > 0) {
                db.write(write, batch);
            }
            batch.close();
        }
    }

    private static long compactedSize(Path dir, String mode) throws Exception {
        try (Options options = new Options()
                        .setCompressionType(mode.equals("nocompress") ? CompressionType.NO_COMPRESSION : CompressionType.LZ4_COMPRESSION)
                        .setBottommostCompressionType(mode.equals("nocompress") ? CompressionType.NO_COMPRESSION : CompressionType.ZSTD_COMPRESSION)
                        .setCreateMissingColumnFamilies(true);
                RocksDB db = mode.equals("recorder") || mode.startsWith("group") || mode.equals("encode") ? null : RocksDB.open(options, dir.toString())) {
            if (db != null) {
                db.compactRange();
            }
        }
        if (mode.equals("encode")) {
            return 0;
        }
        if (mode.equals("recorder") || mode.startsWith("group")) {
            try (RecordingDb db = RecordingDb.openForWriting(dir)) {
                db.db.compactRange(db.events);
            }
        }
        return RecordingReader.bytesOnDisk(dir);
    }

    /** Message-like payloads: JSON with counters and 64-hex-digit digests, 200 bytes each. */
    private static byte[][] payloads(int count) {
        Random random = new Random(1);
        byte[][] payloads = new byte[count][];
        for (int i = 0; i < count; i++) {
            StringBuilder digest = new StringBuilder();
            for (int d = 0; d < 64; d++) {
                digest.append(Character.forDigit(random.nextInt(16), 16));
            }
            String json = "{\"op\":\"PREPARE\",\"instId\":0,\"viewNo\":3,\"ppSeqNo\":" + (100_000 + i)
                    + ",\"ppTime\":1795000" + random.nextInt(1000) + ",\"digest\":\"" + digest + "\",\"stateRoot\":\"";
            StringBuilder padded = new StringBuilder(json);
            while (padded.length() < 198) {
                padded.append(Character.forDigit(random.nextInt(36), 36));
            }
            payloads[i] = padded.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
        }
        return payloads;
    }
}
