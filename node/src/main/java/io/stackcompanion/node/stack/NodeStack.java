package io.stackcompanion.node.stack;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.crypto.Keys;
import org.slf4j.LoggerFactory;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The node stack: authenticated TCP links between the nodes of the pool genesis.
 *
 * <p><b>One link per pair.</b> A node dials every node listed after it in the genesis and accepts
 * links from those listed before it; an inbound link from a node that should be dialed by us is
 * refused. So Node1 dials Node2..Node4 and the last node dials nobody.
 *
 * <p><b>Identity.</b> Before anything reaches the core, both sides prove they hold the Ed25519 key the
 * genesis lists for the name they claim, by signing both names and two fresh nonces (see
 * {@link Handshake}). A peer that claims an unknown name, dials in the wrong direction, fails to
 * prove its key, or does not finish within the handshake timeout is refused: WARN with its remote
 * address and the reason, connection closed, and the core never hears of it.
 *
 * <p><b>What the core sees.</b> {@code Connected(NODE, peer)} once a link is authenticated, each frame as
 * {@code Received(NODE, peer, bytes)} in the order the peer sent it, and exactly one
 * {@code Disconnected(NODE, peer)} per Connected. If a peer authenticates a new link while we still
 * hold an old one (it restarted before we noticed the old one die), the new link wins: the core sees
 * Disconnected then Connected, the old link is closed, and frames still arriving on it are dropped.
 *
 * <p><b>Reconnect.</b> The dialing side re-dials forever after a failed or lost link, waiting an
 * exponential backoff from {@code reconnectMinMillis} up to {@code reconnectMaxMillis}, with jitter
 * (a random delay between half and all of it), reset after each successful handshake. {@link #close()}
 * stops it. {@link #disconnect} therefore drops a link only until the dialer's next attempt.
 *
 * <p><b>Frame tags.</b> Every frame after the handshake carries a tag ({@link FrameMac}). Only a
 * benchmark makes a stack without them ({@link #withoutFrameTags()}), to measure what they cost; such
 * a stack speaks its own handshake version, so it links only with stacks like it, and no option or
 * configuration key reaches it (ArchitectureTest).
 */
public final class NodeStack extends NettyStack {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Makes a node's node stack; the arguments are those of the {@linkplain #NodeStack constructor}. */
    @FunctionalInterface
    public interface Maker {
        NodeStack make(String nodeName, PrivateKey key, PoolGenesis genesis, StackSettings settings, Consumer<CoreInput> sink);
    }

    /** The node stack of every node: frames tagged. */
    public static Maker tagged() {
        return NodeStack::new;
    }

    /**
     * For benchmarks only (what frame tags cost): a node stack whose frames carry no tag, so a man in the
     * middle can alter them. It links only with stacks made the same way (handshake version
     * {@value Handshake#UNTAGGED_VERSION}); a tagged node refuses it, naming both versions.
     */
    public static Maker withoutFrameTags() {
        return (nodeName, key, genesis, settings, sink) -> new NodeStack(nodeName, key, genesis, settings, sink, false);
    }

    private final PrivateKey key;
    /** False only in a benchmark's stack (see {@link #withoutFrameTags()}). */
    private final boolean frameTags;
    /** The handshake version this stack speaks: one per kind of framing. */
    private final int version;
    /** Every genesis node's public key, in genesis order. */
    private final Map<String, PublicKey> keys = new LinkedHashMap<>();
    private final Map<String, Integer> order = new LinkedHashMap<>();
    private final List<NodeInfo> toDial = new ArrayList<>();

    /**
     * @param nodeName this node's name in {@code genesis}; it listens on that entry's node port
     * @param key      this node's Ed25519 secret key, matching its public key in the genesis
     * @throws StackException if the name is not in the genesis, a genesis key is not a key, or
     *                        {@code key} does not match this node's genesis key
     */
    public NodeStack(String nodeName, PrivateKey key, PoolGenesis genesis, StackSettings settings, Consumer<CoreInput> sink) {
        this(nodeName, key, genesis, settings, sink, true);
    }

    private NodeStack(String nodeName, PrivateKey key, PoolGenesis genesis, StackSettings settings, Consumer<CoreInput> sink,
                      boolean frameTags) {
        super(nodeName, StackName.NODE, self(nodeName, genesis, settings).nodePort(), settings, sink, LoggerFactory.getLogger(NodeStack.class));
        this.key = key;
        this.frameTags = frameTags;
        this.version = frameTags ? Handshake.VERSION : Handshake.UNTAGGED_VERSION;
        int myIndex = genesis.indexOf(nodeName);
        for (int i = 0; i < genesis.nodes().size(); i++) {
            NodeInfo n = genesis.nodes().get(i);
            try {
                keys.put(n.name(), Keys.decodePublic(n.publicKey()));
            } catch (IllegalArgumentException e) {
                throw new StackException("the public key of " + n.name() + " in " + settings.genesisSource()
                        + " is not an Ed25519 key: fix that entry");
            }
            order.put(n.name(), i);
            if (i > myIndex) {
                toDial.add(n);
            }
        }
        byte[] probe = "does this key match the genesis".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (!Keys.verify(keys.get(nodeName), probe, Keys.sign(key, probe))) {
            throw new StackException("the secret key given to " + nodeName + " does not match its public key in "
                    + settings.genesisSource() + ": use that node's own key file");
        }
    }

    static NodeInfo self(String nodeName, PoolGenesis genesis, StackSettings settings) {
        return genesis.node(nodeName).orElseThrow(() -> new StackException(
                nodeName + " is not a node of " + settings.genesisSource() + " (nodes: " + String.join(", ", genesis.names())
                        + "): check the node name"));
    }

    @Override
    protected void initAccepted(SocketChannel ch) {
        handshakeFraming(ch);
        ch.pipeline().addLast("link", new LinkHandler(null));
    }

    /** Until a link is authenticated its frames are handshake messages: a stranger may not park a 4 MiB frame here. */
    private static void handshakeFraming(SocketChannel ch) {
        ch.pipeline().get(FrameDecoder.class).limitFrames(Handshake.MAX_FRAME, " before the handshake completed");
    }

    @Override
    protected void afterBind(EventLoopGroup worker) {
        for (NodeInfo peer : toDial) {
            new Dialer(peer, worker).dial();
        }
    }

    /** Re-dials one peer forever, one connection at a time, until the stack closes. */
    private final class Dialer {
        private final NodeInfo peer;
        private final Bootstrap bootstrap;
        private int failures;

        Dialer(NodeInfo peer, EventLoopGroup worker) {
            this.peer = peer;
            this.bootstrap = new Bootstrap()
                    .group(worker)
                    .channel(Transport.CHOSEN.client())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.handshakeTimeoutMillis()))
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (admit(ch)) {
                                addFraming(ch.pipeline());
                                handshakeFraming(ch);
                                ch.pipeline().addLast("link", new LinkHandler(Dialer.this));
                            }
                        }
                    });
        }

        void dial() {
            if (isClosed()) {
                return;
            }
            try {
                bootstrap.connect(peer.host(), peer.nodePort()).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        f.channel().closeFuture().addListener(c -> retryLater());
                    } else {
                        // Said once per outage at INFO (peers start at different times), then only at DEBUG.
                        if (failures == 0) {
                            log.info("{}: cannot reach {} at {}:{} ({}); retrying with backoff up to {} ms", what(), peer.name(),
                                    peer.host(), peer.nodePort(), firstLine(f.cause()), settings.reconnectMaxMillis());
                        } else {
                            log.debug("{}: cannot reach {} at {}:{}: {}", what(), peer.name(), peer.host(), peer.nodePort(), firstLine(f.cause()));
                        }
                        retryLater();
                    }
                });
            } catch (RejectedExecutionException e) {
                // the stack is closing
            }
        }

        /** Called on the event loop after a successful handshake. */
        void linked() {
            failures = 0;
        }

        private void retryLater() {
            if (isClosed()) {
                return;
            }
            long base = settings.reconnectMinMillis();
            for (int i = 0; i < failures && base < settings.reconnectMaxMillis(); i++) {
                base = Math.min(settings.reconnectMaxMillis(), base * 2);
            }
            long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
            failures++;
            try {
                bootstrap.config().group().schedule(this::dial, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the stack is closing
            }
        }
    }

    private enum State { AWAIT_HELLO, AWAIT_CHALLENGE, AWAIT_RESPONSE, AWAIT_ACCEPTED, LINKED, REFUSED }

    /** One connection: runs the handshake, then delivers frames. Runs on the connection's event loop. */
    private final class LinkHandler extends ChannelInboundHandlerAdapter {
        /** Non-null when we dialed: the peer we meant to reach. */
        private final Dialer dialer;
        private final byte[] nonce = new byte[Handshake.NONCE_BYTES];
        private byte[] peerNonce;
        private FrameMac.Ephemeral ephemeral;
        private byte[] peerEphemeral;
        /** The link's frame tags, once the handshake's signatures verified. */
        private FrameMac.Pair macs;
        /** Verifies and strips the tag of every frame once linked; null in a stack without frame tags. */
        private FrameMac opener;
        /** The peer's name: known when dialing, claimed in HELLO when accepting. */
        private String peer;
        private State state;
        private ScheduledFuture<?> timeout;

        LinkHandler(Dialer dialer) {
            this.dialer = dialer;
            this.peer = dialer == null ? null : dialer.peer.name();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            RANDOM.nextBytes(nonce);
            ephemeral = FrameMac.Ephemeral.generate(RANDOM);
            timeout = ctx.executor().schedule(
                    () -> refuse(ctx, "no handshake within " + settings.handshakeTimeoutMillis() + " ms"),
                    settings.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
            if (dialer != null) {
                write(ctx, Handshake.hello(version, owner, peer, nonce, ephemeral.publicKey()));
                state = State.AWAIT_CHALLENGE;
            } else {
                state = State.AWAIT_HELLO;
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            byte[] bytes = (byte[]) msg;
            if (state == State.LINKED) {
                byte[] payload;
                try {
                    payload = opener == null ? bytes : opener.open(bytes);
                } catch (FrameMac.Forged e) {
                    // Not a peer's fault we can name: someone between us. Once per link, then it is closed.
                    guard.warnings.warn(peer, "{}: closing the link with {} ({}): {}", what(), peer, ctx.channel().remoteAddress(),
                            e.getMessage());
                    state = State.REFUSED;
                    ctx.close();
                    return;
                }
                deliver(peer, ctx.channel(), payload);
            } else if (state != State.REFUSED) {
                try {
                    handshake(ctx, bytes);
                } catch (Handshake.Malformed e) {
                    refuse(ctx, e.getMessage());
                }
            }
        }

        private void handshake(ChannelHandlerContext ctx, byte[] frame) throws Handshake.Malformed {
            if (Handshake.type(frame) == Handshake.REFUSED) {
                log.warn("{}: {} at {} refused the link: {}", what(), peer == null ? "the peer" : peer,
                        ctx.channel().remoteAddress(), abbreviate(Handshake.readRefused(frame), 300));
                state = State.REFUSED;
                ctx.close();
                return;
            }
            switch (state) {
                case AWAIT_HELLO -> onHello(ctx, Handshake.readHello(frame));
                case AWAIT_CHALLENGE -> onChallenge(ctx, Handshake.readChallenge(frame));
                case AWAIT_RESPONSE -> onResponse(ctx, Handshake.readResponse(frame));
                case AWAIT_ACCEPTED -> {
                    if (Handshake.type(frame) != Handshake.ACCEPTED || frame.length != 1) {
                        throw new Handshake.Malformed("expected ACCEPTED");
                    }
                    if (deriveKeys(ctx)) {
                        linked(ctx);
                    }
                }
                default -> throw new IllegalStateException("handshake in state " + state);
            }
        }

        /** Acceptor: the dialer says who it is; challenge it, proving who we are. */
        private void onHello(ChannelHandlerContext ctx, Handshake.Hello hello) {
            String claimed = hello.dialer();
            if (hello.version() != version) {
                refuse(ctx, "handshake version " + Handshake.describe(hello.version()) + ", this node speaks " + Handshake.describe(version));
                return;
            }
            if (!keys.containsKey(claimed)) {
                refuse(ctx, "claims unknown node name '" + abbreviate(claimed) + "'");
                return;
            }
            peer = claimed;
            if (claimed.equals(owner)) {
                refuse(ctx, "claims to be this node, " + owner);
                return;
            }
            if (!hello.acceptor().equals(owner)) {
                refuse(ctx, "dialed " + abbreviate(hello.acceptor()) + " but reached " + owner + ": check the hosts and ports in the genesis");
                return;
            }
            if (order.get(claimed) > order.get(owner)) {
                refuse(ctx, claimed + " must not dial " + owner + ": by genesis order " + owner + " dials " + claimed);
                return;
            }
            if (hello.nonce().length != Handshake.NONCE_BYTES) {
                refuse(ctx, "nonce of " + hello.nonce().length + " bytes");
                return;
            }
            if (hello.ephemeral().length != FrameMac.KEY_BYTES) {
                refuse(ctx, "ephemeral key of " + hello.ephemeral().length + " bytes");
                return;
            }
            peerNonce = hello.nonce();
            peerEphemeral = hello.ephemeral();
            byte[] signature = Keys.sign(key, Handshake.transcript(version, "acceptor", peer, owner, peerNonce, nonce, peerEphemeral,
                    ephemeral.publicKey()));
            write(ctx, Handshake.challenge(owner, nonce, ephemeral.publicKey(), signature));
            state = State.AWAIT_RESPONSE;
        }

        /** Dialer: the acceptor proved (or not) it holds its genesis key; answer its challenge. */
        private void onChallenge(ChannelHandlerContext ctx, Handshake.Challenge c) {
            if (!c.acceptor().equals(peer)) {
                refuse(ctx, "answered as '" + abbreviate(c.acceptor()) + "' where " + peer + " was expected: check the hosts and ports in the genesis");
                return;
            }
            if (c.nonce().length != Handshake.NONCE_BYTES) {
                refuse(ctx, "nonce of " + c.nonce().length + " bytes");
                return;
            }
            if (c.ephemeral().length != FrameMac.KEY_BYTES) {
                refuse(ctx, "ephemeral key of " + c.ephemeral().length + " bytes");
                return;
            }
            peerNonce = c.nonce();
            peerEphemeral = c.ephemeral();
            if (!Keys.verify(keys.get(peer), Handshake.transcript(version, "acceptor", owner, peer, nonce, peerNonce, ephemeral.publicKey(),
                    peerEphemeral), c.signature())) {
                refuse(ctx, "cannot prove it holds the genesis key of " + peer);
                return;
            }
            byte[] signature = Keys.sign(key, Handshake.transcript(version, "dialer", owner, peer, nonce, peerNonce, ephemeral.publicKey(),
                    peerEphemeral));
            write(ctx, Handshake.response(signature));
            state = State.AWAIT_ACCEPTED;
        }

        /** Acceptor: the dialer proved (or not) it holds the key of the name it claimed. */
        private void onResponse(ChannelHandlerContext ctx, byte[] signature) {
            if (!Keys.verify(keys.get(peer), Handshake.transcript(version, "dialer", peer, owner, peerNonce, nonce, peerEphemeral,
                    ephemeral.publicKey()), signature)) {
                refuse(ctx, "cannot prove it holds the genesis key of " + peer);
                return;
            }
            if (!deriveKeys(ctx)) {
                return;
            }
            // ACCEPTED is queued before linkUp lets the core write, so it is the first frame the dialer reads.
            write(ctx, Handshake.accepted());
            linked(ctx);
        }

        /** The link's frame keys from the ephemeral keys both sides signed; false (refused) if the peer's is invalid. */
        private boolean deriveKeys(ChannelHandlerContext ctx) {
            boolean dialed = dialer != null;
            byte[] transcript = dialed
                    ? Handshake.transcript(version, "keys", owner, peer, nonce, peerNonce, ephemeral.publicKey(), peerEphemeral)
                    : Handshake.transcript(version, "keys", peer, owner, peerNonce, nonce, peerEphemeral, ephemeral.publicKey());
            macs = FrameMac.derive(ephemeral, peerEphemeral, transcript, dialed);
            if (macs == null) {
                refuse(ctx, "its ephemeral key is not a valid X25519 key");
                return false;
            }
            return true;
        }

        private void linked(ChannelHandlerContext ctx) {
            opener = frameTags ? macs.opener() : null;
            timeout.cancel(false);
            state = State.LINKED;
            ctx.pipeline().get(FrameDecoder.class).limitFrames(settings.maxFrameBytes() + (frameTags ? FrameMac.TAG_BYTES : 0), "");
            if (dialer != null) {
                dialer.linked();
            }
            if (frameTags) {
                linkUp(peer, ctx.channel(), macs.sealer()::seal);
            } else {
                linkUp(peer, ctx.channel());
            }
        }

        private void refuse(ChannelHandlerContext ctx, String reason) {
            if (state == State.LINKED || state == State.REFUSED) {
                return;
            }
            state = State.REFUSED;
            if (timeout != null) {
                timeout.cancel(false);
            }
            String who = peer == null ? "" : " (" + (dialer == null ? "claims " : "") + abbreviate(peer) + ")";
            // Per address and interval: anyone can reach the node port and be refused, as often as they like.
            guard.warnings.warn(StackGuard.key(ctx.channel()), "{}: refused link {} {}{}: {}", what(), dialer == null ? "from" : "to",
                    ctx.channel().remoteAddress(), who, reason);
            ctx.writeAndFlush(framed(ctx.alloc(), Handshake.refused(reason))).addListener(ChannelFutureListener.CLOSE);
        }

        private void write(ChannelHandlerContext ctx, byte[] frame) {
            ctx.writeAndFlush(framed(ctx.alloc(), frame), ctx.voidPromise());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (state == State.LINKED) {
                linkDown(peer, ctx.channel());
            } else if (dialer != null && state != State.REFUSED) {
                log.debug("{}: link to {} closed during the handshake", what(), peer);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            connectionFailed(ctx.channel(), state == State.LINKED || dialer != null ? peer : null, cause);
        }
    }

    /** Peer-supplied text, made safe for one log line. */
    private static String abbreviate(String s) {
        return abbreviate(s, 40);
    }

    private static String abbreviate(String s, int max) {
        String printable = s.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() <= max ? printable : printable.substring(0, max) + "...";
    }
}
