package io.stackcompanion.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.recording.NodeRecording;
import io.stackcompanion.recorder.RecordingReader;
import io.stackcompanion.recorder.RecordingStats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Where a recording's bytes on disk go: per kind of file (journal segments, SST tables, RocksDB's
 * write-ahead log, info log, manifest and options) summed over every recording under a folder, and what the same
 * recordings take once their memtables are flushed and compacted to the bottom level (ZSTD), done on
 * a copy. {@code RecordingBytes DIR [--json]}; DIR is a pool's base dir.
 */
public final class RecordingBytes {
    /** The stacks' recordings; the initial-state checkpoint beside them is node data, not recording. */
    private static final List<String> STACKS = List.of(NodeRecording.NODE_STACK, NodeRecording.CLIENT_STACK);

    private RecordingBytes() {
    }

    /** Prints the breakdown; the JSON object is the last line with {@code --json}. */
    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean json = rest.remove("--json");
        if (rest.size() != 1) {
            System.err.println("usage: RecordingBytes DIR [--json]");
            System.exit(2);
        }
        RocksDB.loadLibrary();
        Map<String, Long> byKind = new TreeMap<>();
        long payload = 0;
        long compacted = 0;
        List<Path> recordings = recordings(Path.of(rest.get(0)));
        for (Path recording : recordings) {
            try (RecordingReader reader = RecordingReader.open(recording)) {
                payload += RecordingStats.of(reader).payloadBytes();
            }
            try (Stream<Path> files = Files.walk(recording)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    byKind.merge(kind(f.getFileName().toString()), Files.size(f), Long::sum);
                }
            }
            compacted += compactedCopySize(recording);
        }
        long onDisk = byKind.values().stream().mapToLong(Long::longValue).sum();
        ObjectNode o = Codec.mapper().createObjectNode();
        o.put("recordings", recordings.size()).put("payloadBytes", payload).put("bytesOnDisk", onDisk);
        ObjectNode kinds = o.putObject("bytesOnDiskByFileKind");
        byKind.forEach(kinds::put);
        o.put("bytesOnDiskCompacted", compacted);
        if (payload > 0) {
            o.put("perPayloadByte", Math.round(1000.0 * onDisk / payload) / 1000.0);
            o.put("perPayloadByteCompacted", Math.round(1000.0 * compacted / payload) / 1000.0);
        }
        System.out.printf(Locale.ROOT, "%d recordings, %,d payload bytes, %,d bytes on disk (%s per payload byte): %s;%n"
                        + "flushed and compacted (a copy): %,d bytes (%s per payload byte)%n",
                recordings.size(), payload, onDisk, o.path("perPayloadByte").asText("-"), byKind, compacted,
                o.path("perPayloadByteCompacted").asText("-"));
        if (json) {
            System.out.println(o);
        }
    }

    static String kind(String file) {
        if (file.endsWith(".seg")) {
            return "journal"; // a live or killed recorder's latest events (a live segment is sparse)
        }
        if (file.endsWith(".log")) {
            return "wal";
        }
        if (file.endsWith(".sst")) {
            return "sst";
        }
        if (file.startsWith("LOG")) {
            return "infoLog";
        }
        return "manifestAndOptions";
    }

    private static List<Path> recordings(Path base) throws IOException {
        try (Stream<Path> walk = Files.walk(base)) {
            return walk.filter(p -> Files.isRegularFile(p.resolve("CURRENT")))
                    .filter(p -> p.getParent() != null && p.getParent().getFileName().toString().equals("recorder"))
                    .filter(p -> STACKS.contains(p.getFileName().toString()))
                    .sorted().toList();
        }
    }

    /** Copies the recording, flushes and compacts the copy with the recorder's compression, measures it. */
    private static long compactedCopySize(Path recording) throws IOException, RocksDBException {
        Path copy = Files.createTempDirectory("recording-bytes");
        try {
            try (Stream<Path> files = Files.walk(recording)) {
                for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("LOCK")).toList()) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (ColumnFamilyOptions events = new ColumnFamilyOptions()
                            .setCompressionType(CompressionType.LZ4_COMPRESSION)
                            .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
                    ColumnFamilyOptions meta = new ColumnFamilyOptions();
                    DBOptions options = new DBOptions().setKeepLogFileNum(1);
                    FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                try (RocksDB db = RocksDB.open(options, copy.toString(), List.of(
                        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, events),
                        new ColumnFamilyDescriptor("meta".getBytes(StandardCharsets.UTF_8), meta)), handles)) {
                    db.flush(flush, handles);
                    db.compactRange(handles.get(0));
                } finally {
                    handles.forEach(ColumnFamilyHandle::close);
                }
            }
            long size = 0;
            try (Stream<Path> files = Files.list(copy)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    // The copy's own info log is an artefact of this measurement, not of the recording.
                    if (!kind(f.getFileName().toString()).equals("infoLog")) {
                        size += Files.size(f);
                    }
                }
            }
            return size;
        } finally {
            BenchData.delete(copy);
        }
    }
}
