package io.stackcompanion.node.stack;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Which of Netty's transports the stacks use: its native epoll transport on Linux x86-64 (fewer
 * system calls and no selector garbage per wake-up), else the JDK's NIO. Netty's own
 * {@code -Dio.netty.transport.noNative=true} forces NIO, which is how the benchmark compares the two.
 * The bytes on the wire are the same either way.
 */
record Transport(String name, IoHandlerFactory ioHandler, Class<? extends ServerSocketChannel> server,
                 Class<? extends SocketChannel> client) {

    /** The transport this JVM can use, decided once. */
    static final Transport CHOSEN = Epoll.isAvailable()
            ? new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class)
            : new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
}
