package io.stackcompanion.recorder;

import java.util.zip.CRC32C;

/**
 * The running checksum that links each event of a stack recording to every event before it, so a
 * missing, repeated or reordered event anywhere changes every later value. Chain value {@code h(i) =
 * CRC32C(h(i-1) as 4 big-endian bytes, key(i), value(i))}, with {@code h(0) =} {@value #START}.
 *
 * <p>The journal stores {@code h(i)} as record {@code i}'s checksum (see {@link Journal}), so the
 * chain costs the writer nothing over a plain checksum: four more bytes through CRC32C. The {@link
 * Seal} records it at the end of every table file and at the end of the recording.
 *
 * <p>A CRC is a guard against damage, not against a forger: whoever can rewrite the files can
 * recompute it.
 */
final class Chain {

    /** The chain value before the first event. */
    static final int START = 0;

    private final CRC32C crc = new CRC32C();
    private final byte[] previous = new byte[4];

    /** The chain value after an event whose key and value are given, {@code prev} being the value before it. */
    int next(int prev, byte[] key, byte[] value) {
        return next(prev, key, 0, key.length, value, 0, value.length);
    }

    int next(int prev, byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength) {
        crc.reset();
        putInt(previous, prev);
        crc.update(previous);
        crc.update(key, keyOffset, keyLength);
        crc.update(value, valueOffset, valueLength);
        return (int) crc.getValue();
    }

    /** The chain value after a body (key then value, contiguous) at {@code body[offset, offset + length)}. */
    int nextOverBody(int prev, byte[] body, int offset, int length) {
        crc.reset();
        putInt(previous, prev);
        crc.update(previous);
        crc.update(body, offset, length);
        return (int) crc.getValue();
    }

    static void putInt(byte[] b, int v) {
        b[0] = (byte) (v >>> 24);
        b[1] = (byte) (v >>> 16);
        b[2] = (byte) (v >>> 8);
        b[3] = (byte) v;
    }

    static String hex(int chain) {
        return String.format("%08x", chain);
    }
}
