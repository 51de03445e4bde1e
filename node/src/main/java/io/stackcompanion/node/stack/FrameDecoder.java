package io.stackcompanion.node.stack;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Inbound framing: a 4-byte big-endian length, then that many bytes, passed on as one {@code byte[]}.
 *
 * <p><b>Memory grows with what arrived, not with what was announced.</b> A frame complete within one
 * read is copied out at once. A frame still incomplete at the end of a read is kept in an array
 * that starts at {@value #FIRST_PARTIAL_BYTES} bytes and doubles as bytes arrive, capped at the announced
 * length, so a 4-byte header announcing 4 MiB costs nothing until the 4 MiB come. Every growth
 * is reserved from the stack's {@link FrameBudget} before it is allocated; a connection the budget
 * cannot serve is closed ({@link StackGuard.LimitExceeded}), never an OutOfMemoryError.
 * (Netty's LengthFieldBasedFrameDecoder does not pre-allocate either, but it holds the partial frame
 * in a pooled buffer that may be twice what arrived, with no bound across connections.)
 *
 * <p><b>Time.</b> With a frame timeout, a frame must be complete that long after its first byte: a
 * peer that trickles one byte a second loses its connection. One timer per connection, armed only
 * while a frame stays incomplete across reads.
 *
 * <p>Errors (a negative or over-limit length, over budget, too slow) go down the pipeline as
 * exceptions to the stack's handler, which counts, logs and closes; later bytes are ignored.
 * Runs on the connection's event loop.
 */
final class FrameDecoder extends ChannelInboundHandlerAdapter {
    static final int LENGTH_BYTES = 4;
    static final int FIRST_PARTIAL_BYTES = 4096;
    private static final byte[] EMPTY = new byte[0];

    private final FrameBudget budget;
    private final long frameTimeoutNanos;
    private int maxFrameBytes;
    private String limitNote = "";
    private FrameBudget.Holder share;

    private int headerBytes;
    private int header;
    /** Announced length of the frame being read, or -1 between frames. */
    private int length = -1;
    private byte[] body;
    private int received;
    private long frameStartNanos;
    private ScheduledFuture<?> timer;
    private boolean failed;

    /** {@code frameTimeoutMillis} 0: no limit. */
    FrameDecoder(int maxFrameBytes, FrameBudget budget, long frameTimeoutMillis) {
        this.maxFrameBytes = maxFrameBytes;
        this.budget = budget;
        this.frameTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(frameTimeoutMillis);
    }

    /** Changes the frame limit for the next frames; {@code note} ends the error message (e.g. why it is small). */
    void limitFrames(int maxFrameBytes, String note) {
        this.maxFrameBytes = maxFrameBytes;
        this.limitNote = note;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Evicted by a larger need elsewhere: fail on our own event loop, where our state lives.
        share = budget.newHolder(() -> ctx.executor().execute(() -> fail(ctx, new StackGuard.LimitExceeded(
                StackGuard.Reason.OVER_BUDGET, "its partial frame (" + received + " of " + length
                + " bytes) was dropped to make room under the partial-frame budget of " + budget.limit() + " bytes"))));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            decode(ctx, in);
        } finally {
            in.release();
        }
        if (!failed && midFrame()) {
            armTimer(ctx);
        }
    }

    private void decode(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable() && !failed) {
            if (length < 0) {
                if (headerBytes == 0) {
                    frameStartNanos = System.nanoTime();
                }
                while (headerBytes < LENGTH_BYTES && in.isReadable()) {
                    header = header << 8 | in.readUnsignedByte();
                    headerBytes++;
                }
                if (headerBytes < LENGTH_BYTES) {
                    return;
                }
                headerBytes = 0;
                if (header < 0) {
                    fail(ctx, new CorruptedFrameException("negative length prefix " + header));
                    return;
                }
                if (header > maxFrameBytes) {
                    fail(ctx, new TooLongFrameException("length prefix " + header + " exceeds the limit of " + maxFrameBytes + " bytes" + limitNote));
                    return;
                }
                if (header == 0) {
                    ctx.fireChannelRead(EMPTY);
                    continue;
                }
                length = header;
                received = 0;
                continue; // the body may be in a later read
            }
            int n = Math.min(in.readableBytes(), length - received);
            boolean completes = received + n == length;
            if (body == null && completes) {
                // The whole frame is in this read: no partial state, nothing to reserve.
                body = new byte[length];
            } else if (!grow(received + n, completes)) {
                fail(ctx, new StackGuard.LimitExceeded(StackGuard.Reason.OVER_BUDGET, "its partial frame (" + received + " of "
                        + length + " bytes) cannot grow to " + (received + n) + " bytes under the partial-frame budget of "
                        + budget.limit() + " bytes"));
                return;
            }
            in.readBytes(body, received, n);
            received += n;
            if (completes) {
                byte[] frame = body; // exactly the length: growth is capped at it
                endFrame();
                ctx.fireChannelRead(frame);
            }
        }
    }

    /** Room for {@code need} bytes; reserved from the budget unless the frame completes now (then it leaves at once). */
    private boolean grow(int need, boolean completes) {
        int capacity = body == null ? 0 : body.length;
        if (need <= capacity) {
            return true;
        }
        long next = Math.max(FIRST_PARTIAL_BYTES, capacity);
        while (next < need) {
            next *= 2;
        }
        next = completes ? length : Math.min(length, next);
        if (!completes && !share.resize(next)) {
            return false;
        }
        body = body == null ? new byte[(int) next] : Arrays.copyOf(body, (int) next);
        return true;
    }

    private boolean midFrame() {
        return length >= 0 || headerBytes > 0;
    }

    private void endFrame() {
        length = -1;
        body = null;
        received = 0;
        share.release();
    }

    private void armTimer(ChannelHandlerContext ctx) {
        if (frameTimeoutNanos == 0 || timer != null) {
            return;
        }
        long delay = Math.max(0, frameStartNanos + frameTimeoutNanos - System.nanoTime());
        timer = ctx.executor().schedule(() -> {
            timer = null;
            if (failed || !midFrame()) {
                return;
            }
            if (System.nanoTime() - frameStartNanos >= frameTimeoutNanos) {
                fail(ctx, new StackGuard.LimitExceeded(StackGuard.Reason.SLOW_FRAME, "frame not complete "
                        + TimeUnit.NANOSECONDS.toMillis(frameTimeoutNanos) + " ms after its first byte ("
                        + (length < 0 ? headerBytes + " of " + LENGTH_BYTES + " length bytes" : received + " of " + length + " bytes") + ")"));
            } else {
                armTimer(ctx); // a later frame is in progress: its own deadline
            }
        }, delay, TimeUnit.NANOSECONDS);
    }

    private void fail(ChannelHandlerContext ctx, Exception e) {
        if (failed) {
            return;
        }
        drop();
        ctx.fireExceptionCaught(e);
    }

    /** Forgets any partial frame and gives its share of the budget back; the connection reads no more frames. */
    private void drop() {
        failed = true;
        length = -1;
        body = null;
        share.release();
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        drop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        drop();
    }
}
