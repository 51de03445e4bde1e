package io.stackcompanion.recorder;

import java.util.Arrays;

/**
 * Events staged for one atomic write, kept in RocksDB's own {@code WriteBatch} wire format and
 * built in Java, so a group of events crosses into native code once, at commit, instead of once (or
 * three times) per event. The format (rocksdb/db/write_batch.cc): a 12-byte header, the sequence
 * number (fixed64, set by RocksDB on write) and the record count (fixed32), both little-endian; then
 * per record {@code kTypeValue} (0x01, the default column family, where events live), the key and
 * the value, each as a varint32 length and its bytes. A test checks the bytes equal what RocksDB
 * itself serialises for the same puts.
 */
final class StagedBatch {
    private static final int HEADER = 12;
    private static final byte TYPE_VALUE = 0x01;

    private byte[] buf = new byte[64 * 1024];
    private int size = HEADER;
    private int count;

    /** Adds a put of {@code value} at {@code key} to the default column family. */
    void put(byte[] key, byte[] value) {
        ensure(1 + 5 + key.length + 5 + value.length);
        buf[size++] = TYPE_VALUE;
        varint(key.length);
        System.arraycopy(key, 0, buf, size, key.length);
        size += key.length;
        varint(value.length);
        System.arraycopy(value, 0, buf, size, value.length);
        size += value.length;
        count++;
    }

    int count() {
        return count;
    }

    /** Bytes of the batch's representation so far. */
    long bytes() {
        return size;
    }

    /** The batch in RocksDB's wire format, ready for {@code new WriteBatch(byte[])}. */
    byte[] toWireFormat() {
        byte[] rep = Arrays.copyOf(buf, size);
        // Sequence number: 0 (RocksDB assigns it). Count: little-endian fixed32 at offset 8.
        Arrays.fill(rep, 0, 8, (byte) 0);
        rep[8] = (byte) count;
        rep[9] = (byte) (count >>> 8);
        rep[10] = (byte) (count >>> 16);
        rep[11] = (byte) (count >>> 24);
        return rep;
    }

    void clear() {
        size = HEADER;
        count = 0;
        if (buf.length > 8 * 1024 * 1024) {
            buf = new byte[64 * 1024]; // a huge group does not pin its memory for ever
        }
    }

    private void varint(int v) {
        while ((v & ~0x7F) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
