package io.stackcompanion.node.client;

import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.Keys;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test fixture: n {@link FakeNodeServer}s Node1..Noden sharing one ledger, and their genesis. */
public final class FakePool implements AutoCloseable {
    private final List<FakeNodeServer> nodes;
    private final List<FakeNodeServer> restarted = new ArrayList<>();
    private final PoolGenesis genesis;
    private final FakeNodeServer.Ledger ledger = new FakeNodeServer.Ledger();

    private FakePool(int n) throws IOException {
        List<FakeNodeServer> servers = new ArrayList<>();
        List<NodeInfo> infos = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            names.add("Node" + i);
        }
        for (String name : names) {
            FakeNodeServer s = new FakeNodeServer(name, ledger, FakeNodeServer.Behaviour.HONEST);
            s.peers(names.stream().filter(o -> !o.equals(name)).toList());
            servers.add(s);
            // the node port is never dialled by a client; any number does
            infos.add(new NodeInfo(name, "127.0.0.1", 1, s.port(), Keys.encodePublic(Keys.generate().getPublic())));
        }
        this.nodes = List.copyOf(servers);
        this.genesis = new PoolGenesis(infos);
    }

    public static FakePool start(int n) throws IOException {
        return new FakePool(n);
    }

    public PoolGenesis genesis() {
        return genesis;
    }

    public FakeNodeServer node(int oneBased) {
        return nodes.get(oneBased - 1);
    }

    public List<FakeNodeServer> nodes() {
        return nodes;
    }

    /** Starts node {@code oneBased} again on its old port (after it was closed), honest, same ledger. */
    public FakeNodeServer restart(int oneBased) throws IOException {
        FakeNodeServer old = node(oneBased);
        FakeNodeServer s = new FakeNodeServer(old.name(), ledger, FakeNodeServer.Behaviour.HONEST, old.port());
        s.peers(genesis.names().stream().filter(o -> !o.equals(old.name())).toList());
        restarted.add(s);
        return s;
    }

    public FakeNodeServer.Ledger ledger() {
        return ledger;
    }

    /** Writes the genesis as {@code baseDir/pool_genesis.json}, as a real pool's base dir has it. */
    public void writeGenesis(Path baseDir) throws IOException {
        genesis.write(baseDir.resolve(PoolGenesis.FILE_NAME));
    }

    @Override
    public void close() throws IOException {
        for (FakeNodeServer s : nodes) {
            s.close();
        }
        for (FakeNodeServer s : restarted) {
            s.close();
        }
    }
}
