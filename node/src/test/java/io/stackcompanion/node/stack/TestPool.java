package io.stackcompanion.node.stack;

import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.Keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pool genesis on loopback with fresh keys and free ports (taken from the kernel with a throwaway
 * ServerSocket, so parallel runs do not collide), and the stacks started from it, closed together.
 */
final class TestPool implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    final PoolGenesis genesis;
    final Map<String, KeyPair> keys = new LinkedHashMap<>();
    final StackSettings settings;
    private final List<Stack> stacks = new ArrayList<>();

    TestPool(int n, StackSettings settings) {
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String name = "Node" + i;
            KeyPair kp = Keys.generate();
            keys.put(name, kp);
            nodes.add(new NodeInfo(name, HOST, freePort(), freePort(), Keys.encodePublic(kp.getPublic())));
        }
        this.genesis = new PoolGenesis(nodes);
        this.settings = settings;
    }

    TestPool(int n) {
        this(n, testSettings());
    }

    static StackSettings testSettings() {
        return StackSettings.defaults().withBindHost(HOST).withReconnect(20, 300);
    }

    NodeStack start(String name, java.util.function.Consumer<io.stackcompanion.node.core.CoreInput> sink) {
        return start(new NodeStack(name, keys.get(name).getPrivate(), genesis, settings, sink));
    }

    /** Starts a stack and closes it with the pool. */
    <S extends Stack> S start(S stack) {
        stacks.add(stack);
        stack.start();
        return stack;
    }

    NodeInfo node(String name) {
        return genesis.node(name).orElseThrow();
    }

    /** A copy of the genesis with {@code name}'s entry replaced. */
    PoolGenesis with(NodeInfo replacement) {
        return new PoolGenesis(genesis.nodes().stream().map(n -> n.name().equals(replacement.name()) ? replacement : n).toList());
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Stack s : stacks) {
            s.close();
        }
    }
}
