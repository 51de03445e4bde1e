package io.stackcompanion.node.core;

import io.stackcompanion.node.config.CoreSettings;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.config.Quorums;

import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/** What every part of the core shares: who we are, the pool, the configuration, the clock and timers. */
final class CoreContext {
    final String name;
    final PoolGenesis genesis;
    final List<String> nodes;
    final Quorums quorums;
    final CoreSettings settings;
    final CoreRuntime runtime;
    final Timers timers;
    final Outbox outbox;
    /** The core's only randomness (seeded by the caller). */
    final Random random;
    /** Nodes we are connected to on the node stack (sorted). */
    final TreeSet<String> connected = new TreeSet<>();
    /** When each node last connected (core clock), for re-sending what it may have missed while away. */
    final java.util.TreeMap<String, Long> connectedAt = new java.util.TreeMap<>();
    /** Messages rejected as no honest peer sends them: counted and logged (rate-limited) here. */
    final Rejections rejections;

    CoreContext(String name, PoolGenesis genesis, CoreSettings settings, CoreRuntime runtime, Timers timers,
                Random random) {
        this.name = name;
        this.genesis = genesis;
        this.nodes = genesis.names();
        this.quorums = genesis.quorums();
        this.settings = settings;
        this.runtime = runtime;
        this.timers = timers;
        this.random = random;
        this.rejections = new Rejections(runtime::now);
        this.outbox = new Outbox(runtime, nodes.stream().filter(n -> !n.equals(name)).toList());
    }

    /** Faulty nodes tolerated. */
    int f() {
        return quorums.f();
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
