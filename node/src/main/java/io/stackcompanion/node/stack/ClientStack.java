package io.stackcompanion.node.stack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.StackName;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * The client stack: listens on the node's genesis client port; each accepted connection is a peer
 * named by its remote address ("host:port", IPv6 in brackets). No authentication here: client
 * requests carry their own signatures, checked by the core.
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
            ByteBuf frame = (ByteBuf) msg;
            try {
                deliver(peer, ctx.channel(), ByteBufUtil.getBytes(frame));
            } finally {
                frame.release();
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
