package io.stackcompanion.node.stack;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.StackName;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client stack: listens on the node's genesis client port; each accepted connection is a peer
 * named by its remote address ("host:port", IPv6 in brackets). No authentication here: client
 * requests carry their own signatures, checked by the core.
 *
 * <p>Because anyone may connect, every connection is bounded (see {@link StackSettings.Limits}): at most
 * so many open in total and per IP address (more are closed as they arrive, before the core hears of
 * them), closed when idle or when a frame takes too long, and the bytes held in partial frames of all
 * connections share one budget. Each close is counted in the stack's summary line in the log.
 */
public final class ClientStack extends NettyStack {

    /** Listens on {@code nodeName}'s client port from {@code genesis}. */
    public ClientStack(String nodeName, PoolGenesis genesis, StackSettings settings, Consumer<CoreInput> sink) {
        this(nodeName, NodeStack.self(nodeName, genesis, settings).clientPort(), settings, sink);
    }

    /** Listens on {@code port} (0: any free port, see {@link #boundPort()}). */
    public ClientStack(String nodeName, int port, StackSettings settings, Consumer<CoreInput> sink) {
        super(nodeName, StackName.CLIENT, port, settings, sink, LoggerFactory.getLogger(ClientStack.class));
    }

    @Override
    protected void initAccepted(SocketChannel ch) {
        long idle = settings.limits().idleTimeoutMillis();
        if (idle > 0) {
            // Before the framing: any byte counts as traffic, also one of a frame not yet complete (the frame timeout judges those).
            ch.pipeline().addBefore("frames", "idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        }
        ch.pipeline().addLast("client", new ClientHandler());
    }

    private final class ClientHandler extends ChannelInboundHandlerAdapter {
        private String peer;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            peer = hostPort(ctx.channel().remoteAddress());
            linkUp(peer, ctx.channel());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            deliver(peer, ctx.channel(), (byte[]) msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                guard.count(StackGuard.Reason.IDLE);
                guard.warnings.info(StackGuard.key(ctx.channel()), "{}: closing the connection from {}: nothing sent either way for {} ms",
                        what(), peer, settings.limits().idleTimeoutMillis());
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer != null) {
                linkDown(peer, ctx.channel());
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            connectionFailed(ctx.channel(), peer, cause);
        }
    }
}
