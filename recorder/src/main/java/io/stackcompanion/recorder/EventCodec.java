package io.stackcompanion.recorder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The binary format of one event value (value version 1). All integers are big-endian, unsigned.
 *
 * <pre>
 * offset  size  field
 * 0       1     value version (1)
 * 1       1     event kind code ({@link EventKind#code()})
 * 2       2     peer count P
 *               P times: 2-byte length L, then L bytes of UTF-8 (the peer's name)
 * .       4     payload length N
 * .       N     payload: the raw bytes as they crossed the stack
 * .       4     CRC32C (Castagnoli) of every byte above
 * </pre>
 *
 * The key (not part of the value) is 16 bytes: big-endian recording time in nanoseconds since the
 * epoch, then a big-endian sequence number; see {@link EventKey}. A value that is truncated, has
 * trailing bytes, fails its checksum, names an unknown kind, or carries a newer format version is
 * reported as a {@link RecordingFormatException} naming the folder and the key; decoding never
 * throws an index exception.
 */
public final class EventCodec {

    /**
     * The recording format version this build writes (in the metadata), and the newest it reads.
     * 2: a recording may hold a journal of recent events beside its RocksDB files (see {@code
     * FORMAT.md}); a build that reads only version 1 would miss them, so it must refuse.
     * 3: the events are chained and the recording is sealed ({@code seal.json}): it proves its
     * own completeness.
     */
    public static final int FORMAT_VERSION = 3;

    /** The first format whose recordings are sealed. */
    public static final int FIRST_SEALED_FORMAT = 3;

    /** The layout version of one event value (its first byte), and the newest this build reads. */
    public static final int VALUE_VERSION = 1;

    /** version + kind + peer count + payload length + checksum. */
    static final int MIN_VALUE_BYTES = 1 + 1 + 2 + 4 + 4;

    private static final int MAX_U16 = 0xFFFF;

    private EventCodec() {}

    /**
     * Encodes one event value.
     *
     * @throws IllegalArgumentException if there are more than 65535 peers or a peer name is longer
     *     than 65535 UTF-8 bytes
     */
    public static byte[] encode(EventKind kind, List<String> peers, byte[] payload) {
        int peerCount = peers.size();
        if (peerCount > MAX_U16) {
            throw new IllegalArgumentException("at most " + MAX_U16 + " peers per event, got " + peerCount);
        }
        byte[][] names = new byte[peerCount][];
        long size = MIN_VALUE_BYTES + (long) payload.length;
        for (int i = 0; i < peerCount; i++) {
            names[i] = peers.get(i).getBytes(StandardCharsets.UTF_8);
            if (names[i].length > MAX_U16) {
                throw new IllegalArgumentException("peer name longer than " + MAX_U16 + " UTF-8 bytes: " + peers.get(i).substring(0, 40) + "...");
            }
            size += 2 + names[i].length;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("event too large: " + size + " bytes");
        }
        byte[] out = new byte[(int) size];
        out[0] = (byte) VALUE_VERSION;
        out[1] = (byte) kind.code();
        int at = putU16(out, 2, peerCount);
        for (byte[] name : names) {
            at = putU16(out, at, name.length);
            System.arraycopy(name, 0, out, at, name.length);
            at += name.length;
        }
        at = putU32(out, at, payload.length);
        System.arraycopy(payload, 0, out, at, payload.length);
        at += payload.length;
        CRC32C crc = new CRC32C();
        crc.update(out, 0, at);
        putU32(out, at, (int) crc.getValue());
        return out;
    }

    /**
     * Decodes one event from its raw key and value.
     *
     * @param folder the recording's folder, named in error messages
     * @throws RecordingFormatException if the key or value is not a valid event
     */
    public static RecordedEvent decode(byte[] key, byte[] value, Path folder) {
        EventKey eventKey = decodeKey(key, folder);
        int length = value.length;
        if (length == 0) {
            throw problem(folder, eventKey, "the value is empty");
        }
        int version = value[0] & 0xFF;
        if (version > VALUE_VERSION) {
            throw problem(folder, eventKey, "the value says event format " + version
                    + ", newer than this build supports (" + VALUE_VERSION + "); use a newer Stack Companion (or the value is corrupted)");
        }
        if (version == 0) {
            throw problem(folder, eventKey, "format version byte is 0, which no build writes: the value is corrupted");
        }
        if (length < MIN_VALUE_BYTES) {
            throw problem(folder, eventKey, "the value is truncated: " + length + " bytes, an event has at least " + MIN_VALUE_BYTES);
        }
        int kindCode = value[1] & 0xFF;
        int peerCount = getU16(value, 2);
        int at = 4;
        List<String> peers = new ArrayList<>(peerCount);
        for (int i = 0; i < peerCount; i++) {
            if (length - at < 2) {
                throw truncated(folder, eventKey, length, "peer " + (i + 1) + " of " + peerCount);
            }
            int nameLength = getU16(value, at);
            at += 2;
            if (length - at < nameLength) {
                throw truncated(folder, eventKey, length, "peer " + (i + 1) + " of " + peerCount);
            }
            peers.add(new String(value, at, nameLength, StandardCharsets.UTF_8));
            at += nameLength;
        }
        if (length - at < 4) {
            throw truncated(folder, eventKey, length, "the payload length");
        }
        long payloadLength = getU32(value, at);
        at += 4;
        if (length - at < payloadLength + 4) {
            throw truncated(folder, eventKey, length, "a payload of " + payloadLength + " bytes and its checksum");
        }
        int payloadStart = at;
        at += (int) payloadLength;
        if (length - at > 4) {
            throw problem(folder, eventKey, (length - at - 4) + " unexpected bytes after the payload: the value is corrupted");
        }
        long stored = getU32(value, at);
        CRC32C crc = new CRC32C();
        crc.update(value, 0, at);
        if (crc.getValue() != stored) {
            throw problem(folder, eventKey, String.format(
                    "checksum mismatch (stored %08x, computed %08x): the value is corrupted", stored, crc.getValue()));
        }
        EventKind kind = EventKind.fromCode(kindCode);
        if (kind == null) {
            throw problem(folder, eventKey, "unknown event kind code " + kindCode + " (written by a newer build?)");
        }
        byte[] payload = new byte[(int) payloadLength];
        System.arraycopy(value, payloadStart, payload, 0, payload.length);
        return new RecordedEvent(eventKey.timeNanos(), eventKey.seq(), kind, peers, payload);
    }

    /**
     * The length of the event value starting at {@code b[offset]}, read from its own fields, or -1
     * when they point past the {@code available} bytes: judges where an append a writer never
     * finished would have ended.
     */
    static long valueLength(byte[] b, int offset, int available) {
        int at = 4;
        if (available < at) {
            return -1;
        }
        int peerCount = getU16(b, offset + 2);
        for (int i = 0; i < peerCount; i++) {
            if (available - at < 2) {
                return -1;
            }
            at += 2 + getU16(b, offset + at);
        }
        if (available - at < 4) {
            return -1;
        }
        return at + 4 + getU32(b, offset + at) + 4;
    }

    static EventKey decodeKey(byte[] key, Path folder) {
        try {
            return EventKey.fromBytes(key);
        } catch (IllegalArgumentException e) {
            throw new RecordingFormatException("recording " + folder + ": key 0x" + HexFormat.of().formatHex(key)
                    + " is not an event key: " + e.getMessage() + "; the recording is corrupted or not a Stack Companion recording");
        }
    }

    static RecordingFormatException problem(Path folder, EventKey key, String what) {
        return new RecordingFormatException("recording " + folder + ": event at " + key + ": " + what);
    }

    private static RecordingFormatException truncated(Path folder, EventKey key, int length, String missing) {
        return problem(folder, key, "the value is truncated: its " + length + " bytes end before " + missing);
    }

    private static int putU16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
        return at + 2;
    }

    private static int putU32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
        return at + 4;
    }

    private static int getU16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static long getU32(byte[] b, int at) {
        return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
