package io.stackcompanion.node.core;

import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.config.Quorums;

import java.util.List;

/** What every part of the core shares: who we are, the pool, the configuration, the clock and timers. */
final class CoreContext {
    final String name;
    final PoolGenesis genesis;
    final List<String> nodes;
    final Quorums quorums;
    final NodeConfig config;
    final CoreRuntime runtime;
    final Timers timers;
    final Outbox outbox;

    CoreContext(String name, PoolGenesis genesis, NodeConfig config, CoreRuntime runtime, Timers timers) {
        this.name = name;
        this.genesis = genesis;
        this.nodes = genesis.names();
        this.quorums = genesis.quorums();
        this.config = config;
        this.runtime = runtime;
        this.timers = timers;
        this.outbox = new Outbox(runtime, nodes.stream().filter(n -> !n.equals(name)).toList());
    }

    long now() {
        return runtime.now();
    }

    long nowMillis() {
        return Math.floorDiv(runtime.now(), 1_000_000L);
    }

    /** Round-robin over the genesis order, as in Plenum. */
    String primaryOf(int viewNo) {
        return nodes.get(Math.floorMod(viewNo, nodes.size()));
    }
}
