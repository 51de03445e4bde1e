package io.stackcompanion.node.client;

import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Message;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The client stack's framing: a 4-byte big-endian length, then that many bytes of JSON from
 * {@link Codec}. Blocking-stream helpers shared by the client and the tools' test fixtures.
 */
public final class Frames {
    /** Larger frames are refused: a length this big means a broken or hostile peer. */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

    private Frames() {
    }

    /** The whole frame (length prefix and payload) for {@code message}, ready for one write. */
    public static byte[] frame(Message message) {
        byte[] payload = Codec.encode(message);
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    public static void write(OutputStream out, Message message) throws IOException {
        out.write(frame(message));
        out.flush();
    }

    /**
     * Reads one frame's payload.
     *
     * @throws EOFException when the peer closed the connection
     * @throws IOException  when the length is out of range (the stream cannot be resynchronised)
     */
    public static byte[] readPayload(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length <= 0 || length > MAX_FRAME_BYTES) {
            throw new IOException("bad frame length " + length + " (allowed 1.." + MAX_FRAME_BYTES + ")");
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }
}
