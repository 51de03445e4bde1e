package io.stackcompanion.recorder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * What a RocksDB checkpoint beside a recording holds (the initial state, a restart state), as a key
 * count and a SHA-256 over every column family's keys and values in order: taken when the checkpoint
 * is made and recorded in the event that names it, so a reader can tell the checkpoint it finds from
 * the one that was taken. Reading it also proves every block readable (RocksDB checks block
 * checksums on the way).
 *
 * @param keys entries in all column families
 * @param sha256 hex SHA-256 of, for each column family by name, each entry in key order: name
 *     length, name, key length, key, value length, value (lengths as 4-byte big-endian)
 */
public record StoreDigest(long keys, String sha256) {

    static {
        RocksDB.loadLibrary();
    }

    /**
     * Reads the checkpoint in {@code dir}, read-only.
     *
     * @throws RecordingFormatException naming {@code dir} when it is not a readable RocksDB database
     */
    public static StoreDigest of(Path dir) {
        if (!Files.isRegularFile(dir.resolve("CURRENT"))) {
            throw new RecordingFormatException("the checkpoint " + dir + " is not a RocksDB database (its CURRENT file is missing): "
                    + "it was damaged; keep a copy and move the recording away");
        }
        List<byte[]> names;
        try (Options options = new Options()) {
            names = new ArrayList<>(RocksDB.listColumnFamilies(options, dir.toString()));
        } catch (RocksDBException e) {
            throw damaged(dir, e);
        }
        names.sort(Arrays::compareUnsigned);
        if (names.stream().noneMatch(n -> Arrays.equals(n, RocksDB.DEFAULT_COLUMN_FAMILY))) {
            throw new RecordingFormatException("the checkpoint " + dir + " cannot be read (its MANIFEST lists no default column "
                    + "family): it was damaged; keep a copy and move the recording away");
        }
        List<ColumnFamilyDescriptor> descriptors = names.stream().map(ColumnFamilyDescriptor::new).toList();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        MessageDigest sha = newSha256();
        long keys = 0;
        try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.openReadOnly(options, dir.toString(), descriptors, handles);
             ReadOptions read = new ReadOptions().setVerifyChecksums(true).setFillCache(false)) {
            for (int i = 0; i < handles.size(); i++) {
                byte[] name = names.get(i);
                try (RocksIterator it = db.newIterator(handles.get(i), read)) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        update(sha, name);
                        update(sha, it.key());
                        update(sha, it.value());
                        keys++;
                    }
                    it.status();
                }
            }
        } catch (RocksDBException | IllegalArgumentException e) {
            throw damaged(dir, e);
        } finally {
            handles.forEach(ColumnFamilyHandle::close);
        }
        return new StoreDigest(keys, HexFormat.of().formatHex(sha.digest()));
    }

    private static void update(MessageDigest sha, byte[] bytes) {
        sha.update(new byte[] {(byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8), (byte) bytes.length});
        sha.update(bytes);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is in every JDK", e);
        }
    }

    private static RecordingFormatException damaged(Path dir, Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        return new RecordingFormatException("the checkpoint " + dir + " cannot be read (" + why.lines().findFirst().orElse("")
                + "): it was damaged; keep a copy and move the recording away", e);
    }

    /** Whether {@code dir} holds the checkpoint this digest was taken of; a one-line reason when not. */
    public String mismatch(StoreDigest found, Path dir) {
        if (equals(found)) {
            return null;
        }
        return "the checkpoint " + dir + " holds " + found.keys + " keys (SHA-256 " + found.sha256.substring(0, 16)
                + "...) but " + keys + " keys (SHA-256 " + sha256.substring(0, 16) + "...) were recorded when it was taken: it was"
                + " damaged or replaced; keep a copy and move the recording away";
    }

}
