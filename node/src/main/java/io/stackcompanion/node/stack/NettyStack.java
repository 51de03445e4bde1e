package io.stackcompanion.node.stack;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.channel.unix.Errors;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.StackName;
import org.slf4j.Logger;

import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * What both stacks share: one acceptor and one worker event loop, length-prefixed framing, the table
 * of live links, and the rule that makes Connected/Disconnected/Received reach the sink in a
 * consistent order (every change of the table and every delivery happen under one lock).
 */
abstract class NettyStack implements Stack {
    /** Frames: 4-byte big-endian length, then the payload. */
    static final int LENGTH_BYTES = FrameDecoder.LENGTH_BYTES;
    private static final int MAX_FRAMES_PER_DRAIN = 4096;
    private static final int BATCH_BYTES = 64 * 1024;

    protected final String owner;
    protected final StackName stackName;
    protected final StackSettings settings;
    protected final Consumer<CoreInput> sink;
    protected final Logger log;
    /** Limits, counters and rate-limited warnings of this stack's connections. */
    protected final StackGuard guard;
    private final int port;

    private final Object lock = new Object();
    /** peer name -> its one live link; guarded by {@link #lock}. */
    private final Map<String, Link> links = new HashMap<>();
    /** Links with frames queued and no drain scheduled, until the next {@link #flush()}. */
    private final Queue<Link> unflushed = new ConcurrentLinkedQueue<>();

    /** The event loops' threads, joined on close. */
    private final List<Thread> threads = new ArrayList<>();
    private EventLoopGroup acceptorGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private volatile boolean started;
    private volatile boolean closed;
    /** The connections of this stack not closed yet, either way (kept by {@link #admit}). */
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();

    NettyStack(String owner, StackName stackName, int port, StackSettings settings, Consumer<CoreInput> sink, Logger log) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.stackName = Objects.requireNonNull(stackName, "stackName");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.log = log;
        this.port = port;
        // Anyone may connect to the client port; the node port's peers authenticate before they count.
        this.guard = new StackGuard(settings.limits(), stackName == StackName.CLIENT, log);
    }

    @Override
    public final StackName name() {
        return stackName;
    }

    /** "node stack of Node1": how messages name this stack. */
    protected final String what() {
        return stackName.name().toLowerCase() + " stack of " + owner;
    }

    /** Adds this stack's handlers after the framing codecs of an accepted (or dialed) connection. */
    protected abstract void initAccepted(SocketChannel ch);

    /** Called on start, after the port is bound: the node stack starts dialing here. */
    protected void afterBind(EventLoopGroup worker) {
    }

    @Override
    public final synchronized void start() {
        if (started) {
            throw new IllegalStateException(what() + " was already started");
        }
        if (closed) {
            throw new IllegalStateException(what() + " is closed; build a new one");
        }
        started = true;
        String prefix = owner + "-" + stackName.name().toLowerCase();
        acceptorGroup = new MultiThreadIoEventLoopGroup(1, namedThreads(prefix + "-accept"), Transport.CHOSEN.ioHandler());
        workerGroup = new MultiThreadIoEventLoopGroup(1, namedThreads(prefix + "-io"), Transport.CHOSEN.ioHandler());
        ServerBootstrap server = new ServerBootstrap()
                .group(acceptorGroup, workerGroup)
                .channel(Transport.CHOSEN.server())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (admit(ch)) {
                            addFraming(ch.pipeline());
                            initAccepted(ch);
                        }
                    }
                });
        ChannelFuture bound = server.bind(settings.bindHost(), port).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutdownGroups();
            Throwable cause = bound.cause();
            // NIO says BindException; the epoll transport a NativeIoException (errno EADDRINUSE): the same words.
            if ((cause instanceof BindException || cause instanceof Errors.NativeIoException)
                    && String.valueOf(cause.getMessage()).contains("in use")) {
                throw new StackException("port " + port + " (" + what() + ") is in use: stop the process using it or change the port in "
                        + settings.genesisSource(), cause);
            }
            throw new StackException("cannot listen on " + settings.bindHost() + ":" + port + " (" + what() + "): "
                    + firstLine(cause) + "; check the host and port in " + settings.genesisSource(), cause);
        }
        serverChannel = bound.channel();
        log.info("{} listening on {} ({})", what(), serverChannel.localAddress(), Transport.CHOSEN.name());
        long every = Math.max(1000, settings.limits().warnIntervalMillis());
        workerGroup.scheduleAtFixedRate(this::logLimits, every, every, TimeUnit.MILLISECONDS);
        afterBind(workerGroup);
    }

    /** Counts {@code ch} in, or closes it when a connection cap refuses it (said once per address and interval). */
    protected final boolean admit(SocketChannel ch) {
        // Every connection, either way, is closed by close() itself: an event loop that shuts down
        // was seen to end without closing a connection it served (ClientStackTest, under load).
        open.add(ch);
        ch.closeFuture().addListener(f -> open.remove(ch));
        if (closed) {
            ch.close();
            return false;
        }
        String refused = guard.admit(ch);
        if (refused != null) {
            guard.warnings.warn(StackGuard.key(ch), "{}: refusing the connection from {}: {}", what(), hostPort(ch.remoteAddress()), refused);
            ch.close();
            return false;
        }
        return true;
    }

    private void logLimits() {
        String line = guard.summaryIfChanged(what());
        if (line != null) {
            log.info(line);
        }
    }

    /** Limits, counters and bytes held in partial frames now: what the summary line in the log says. */
    final StackGuard.Report limitsReport() {
        return guard.report();
    }

    protected final WriteBufferWaterMark waterMark() {
        int high = settings.maxPendingBytes();
        return new WriteBufferWaterMark(Math.min(high / 2, 32 * 1024), high);
    }

    /**
     * Inbound framing; outbound frames are written already prefixed (see {@link #framed}). Only the
     * client stack's frames have a deadline: node links are authenticated peers, whose catch-up
     * frames may be large on a slow link, and the handshake has its own timeout.
     */
    protected final void addFraming(ChannelPipeline p) {
        long frameTimeout = stackName == StackName.CLIENT ? settings.limits().frameTimeoutMillis() : 0;
        p.addLast("frames", new FrameDecoder(settings.maxFrameBytes(), guard.budget, frameTimeout));
    }

    /** One frame, length prefix and payload, in a buffer from {@code alloc}. */
    static ByteBuf framed(ByteBufAllocator alloc, byte[] payload) {
        return alloc.directBuffer(LENGTH_BYTES + payload.length).writeInt(payload.length).writeBytes(payload);
    }

    @Override
    public final int send(List<String> peers, byte[] payload) {
        int queued = queue(peers, payload);
        flush();
        return queued;
    }

    @Override
    public final int queue(List<String> peers, byte[] payload) {
        if (payload.length > settings.maxFrameBytes()) {
            // The peer would drop the link on it; better to lose this one frame and say so.
            log.warn("{}: not sending a frame of {} bytes to {}: over the {}-byte frame limit", what(), payload.length, peers,
                    settings.maxFrameBytes());
            return 0;
        }
        int queued = 0;
        for (String peer : peers) {
            Link link;
            synchronized (lock) {
                link = links.get(peer);
            }
            if (link == null) {
                log.debug("{}: not connected to {}, frame of {} bytes skipped", what(), peer, payload.length);
                continue;
            }
            if (link.closing()) {
                // Closed, its Disconnected on the way: not writable, but not a peer that stopped reading.
                log.debug("{}: link to {} is closing, frame of {} bytes skipped", what(), peer, payload.length);
                continue;
            }
            if (link.overloaded(settings.maxPendingBytes())) {
                // A peer that stops reading would otherwise grow our memory without bound.
                guard.warnings.warn(peer, "{}: {} ({}) is not reading, more than {} bytes unsent; closing the link",
                        what(), peer, link.channel.remoteAddress(), settings.maxPendingBytes());
                link.channel.close();
                continue;
            }
            if (link.enqueue(payload)) {
                unflushed.add(link);
            }
            queued++;
        }
        return queued;
    }

    /**
     * Drains every link that {@link #queue} filled since the last flush, in one task per event loop:
     * a core step that sends to three peers wakes the stack's loop once, not once per link.
     */
    @Override
    public final void flush() {
        Link first = unflushed.poll();
        if (first == null) {
            return;
        }
        List<Link> links = new ArrayList<>(4);
        links.add(first);
        for (Link l; (l = unflushed.poll()) != null; ) {
            links.add(l);
        }
        // One loop serves every link today; grouped anyway, so that more loops would stay correct.
        while (!links.isEmpty()) {
            EventExecutor loop = links.get(0).channel.eventLoop();
            List<Link> same = new ArrayList<>(links.size());
            links.removeIf(l -> l.channel.eventLoop() == loop && same.add(l));
            try {
                loop.execute(() -> {
                    for (Link l : same) {
                        l.drain();
                    }
                });
            } catch (RejectedExecutionException e) {
                // the stack is closing; the frames go nowhere, as they would on a closed link
            }
        }
    }

    /**
     * A live link and its outbox. The core thread only appends to the outbox; one task on the event
     * loop drains it with one flush, so a burst of sends costs one wake-up and one syscall, not one each.
     */
    private static final class Link {
        final Channel channel;
        /** Makes the frame from a payload, on the event loop, in sending order. */
        private final UnaryOperator<byte[]> seal;
        private final Queue<byte[]> outbox = new ConcurrentLinkedQueue<>();
        private final AtomicLong outboxBytes = new AtomicLong();
        private final AtomicBoolean drainScheduled = new AtomicBoolean();
        private final Runnable drain = this::drain;

        Link(Channel channel, UnaryOperator<byte[]> seal) {
            this.channel = channel;
            this.seal = seal;
        }

        /**
         * More than {@code max} bytes wait in the outbox, or in the channel's buffer (Netty's high-water mark is
         * {@code max}). Not {@code !isWritable()}: a channel that is closing is not writable either (its
         * buffer is dropped first), and that peer did nothing wrong.
         */
        boolean overloaded(int max) {
            ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
            return outboxBytes.get() > max || buffer != null && !buffer.isWritable();
        }

        /** Closed, or closing: Netty drops the channel's outbound buffer first thing in a close. */
        boolean closing() {
            return !channel.isActive() || channel.unsafe().outboundBuffer() == null;
        }

        /** Appends; true if the link now needs a drain that nobody has asked for yet (the caller asks, once). */
        boolean enqueue(byte[] payload) {
            outbox.add(payload);
            outboxBytes.addAndGet(payload.length);
            return drainScheduled.compareAndSet(false, true);
        }

        void drain() {
            // Cleared first: a payload added during the drain schedules the next one.
            drainScheduled.set(false);
            // Many small frames are packed into few pooled buffers: one write per batch, not per frame.
            ByteBuf batch = null;
            byte[] payload;
            int frames = 0;
            while (frames < MAX_FRAMES_PER_DRAIN && (payload = outbox.poll()) != null) {
                outboxBytes.addAndGet(-payload.length);
                byte[] frame = seal.apply(payload);
                int need = LENGTH_BYTES + frame.length;
                if (batch != null && batch.writableBytes() < need) {
                    channel.write(batch, channel.voidPromise());
                    batch = null;
                }
                if (batch == null) {
                    batch = channel.alloc().directBuffer(Math.max(need, BATCH_BYTES));
                }
                batch.writeInt(frame.length).writeBytes(frame);
                frames++;
            }
            if (batch != null) {
                channel.write(batch, channel.voidPromise());
            }
            if (frames > 0) {
                channel.flush();
            }
            // Bounded drains leave the event loop time to read; the rest goes in the next task.
            if (!outbox.isEmpty() && drainScheduled.compareAndSet(false, true)) {
                channel.eventLoop().execute(drain);
            }
        }
    }

    @Override
    public final void disconnect(String peer) {
        Link link;
        synchronized (lock) {
            link = links.get(peer);
        }
        if (link != null) {
            log.info("{}: disconnecting {} ({})", what(), peer, link.channel.remoteAddress());
            link.channel.close();
        }
    }

    @Override
    public final List<String> connectedPeers() {
        synchronized (lock) {
            return links.keySet().stream().sorted().toList();
        }
    }

    /**
     * {@code ch} is now the link to {@code peer}. A link it replaces is closed, and the core sees
     * Disconnected then Connected, so it always sees a well-formed sequence per peer.
     */
    protected final void linkUp(String peer, Channel ch) {
        linkUp(peer, ch, UnaryOperator.identity());
    }

    /** As {@link #linkUp(String, Channel)}, each frame sent made by {@code seal} from its payload (a node link's tag). */
    protected final void linkUp(String peer, Channel ch, UnaryOperator<byte[]> seal) {
        Link replaced;
        synchronized (lock) {
            replaced = links.put(peer, new Link(ch, seal));
            if (replaced != null) {
                sink.accept(new CoreInput.Disconnected(stackName, peer));
            }
            sink.accept(new CoreInput.Connected(stackName, peer));
        }
        if (replaced != null) {
            Channel old = replaced.channel;
            log.info("{}: new link from {} ({}) replaces the old one ({})", what(), peer, ch.remoteAddress(), old.remoteAddress());
            old.close();
        } else {
            log.info("{}: connected to {} ({})", what(), peer, ch.remoteAddress());
        }
    }

    /** {@code ch} closed; only the current link of {@code peer} produces a Disconnected. */
    protected final void linkDown(String peer, Channel ch) {
        boolean current;
        synchronized (lock) {
            Link link = links.get(peer);
            current = link != null && link.channel == ch;
            if (current) {
                links.remove(peer);
                sink.accept(new CoreInput.Disconnected(stackName, peer));
            }
        }
        if (current) {
            log.info("{}: disconnected from {} ({})", what(), peer, ch.remoteAddress());
        }
    }

    /** A frame from {@code peer}; dropped if {@code ch} is no longer its link (replaced meanwhile). */
    protected final void deliver(String peer, Channel ch, byte[] bytes) {
        CoreInput in = new CoreInput.Received(stackName, peer, bytes);
        if (sink instanceof PreparingSink p) {
            in = p.prepare(in); // outside the lock: the core takes it to send, and must not wait for this work
        }
        synchronized (lock) {
            Link link = links.get(peer);
            if (link != null && link.channel == ch) {
                sink.accept(in);
            }
        }
    }

    /** Framing errors and I/O errors close that connection only; the stack stays up. */
    protected final void connectionFailed(Channel ch, String peer, Throwable cause) {
        if (!ch.isActive()) {
            // e.g. the frame decoder failing again on leftover bytes while the channel closes: said once already
            log.debug("{}: error on closed connection {}: {}", what(), ch.remoteAddress(), firstLine(cause));
            return;
        }
        String who = peer == null ? String.valueOf(ch.remoteAddress()) : peer + " (" + ch.remoteAddress() + ")";
        String key = StackGuard.key(ch);
        if (cause instanceof StackGuard.LimitExceeded over) {
            guard.count(over.reason);
            guard.warnings.warn(key, "{}: closing the connection from {}: {}", what(), who, over.getMessage());
        } else if (cause instanceof TooLongFrameException || cause instanceof CorruptedFrameException) {
            guard.count(StackGuard.Reason.BAD_FRAME);
            guard.warnings.warn(key, "{}: bad frame from {}: {}; closing the connection", what(), who, firstLine(cause));
        } else if (cause instanceof java.io.IOException) {
            log.debug("{}: connection to {} failed: {}", what(), who, firstLine(cause));
        } else {
            guard.warnings.warn(key, "{}: error on connection to {}; closing it", what(), who, cause);
        }
        ch.close();
    }

    protected final boolean isClosed() {
        return closed;
    }

    /** The port this stack listens on, once started (useful when the genesis said 0). */
    public final int boundPort() {
        Channel ch = serverChannel;
        if (ch == null) {
            throw new IllegalStateException(what() + " is not started");
        }
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    @Override
    public final void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        List<Channel> closing = List.copyOf(open);
        closing.forEach(Channel::close);
        for (Channel ch : closing) {
            ch.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        shutdownGroups();
        log.info("{} closed", what());
    }

    private void shutdownGroups() {
        for (EventLoopGroup g : new EventLoopGroup[]{acceptorGroup, workerGroup}) {
            if (g != null) {
                g.shutdownGracefully(0, 5, TimeUnit.SECONDS);
            }
        }
        for (EventLoopGroup g : new EventLoopGroup[]{acceptorGroup, workerGroup}) {
            if (g != null) {
                g.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
        }
        // The groups report termination a moment before their threads end; close() promises the threads are gone.
        List<Thread> started;
        synchronized (threads) {
            started = List.copyOf(threads);
        }
        for (Thread t : started) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private ThreadFactory namedThreads(String name) {
        return r -> {
            Thread t = new FastThreadLocalThread(r, name);
            t.setDaemon(false);
            synchronized (threads) {
                threads.add(t);
            }
            return t;
        };
    }

    /** "host:port", IPv6 in brackets: how a client is named. */
    static String hostPort(SocketAddress address) {
        if (address instanceof InetSocketAddress a && a.getAddress() != null) {
            String host = a.getAddress().getHostAddress();
            return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
        }
        return String.valueOf(address);
    }

    static String firstLine(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(t.getClass().getSimpleName());
    }
}
