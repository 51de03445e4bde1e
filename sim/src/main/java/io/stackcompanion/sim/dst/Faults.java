package io.stackcompanion.sim.dst;

import io.stackcompanion.sim.world.SimulatedPool;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seed's fault events during the fault window: node crashes (a kill as by SIGKILL, or a clean
 * stop) and restarts on the store, a node down long enough to catch up past checkpoints, partitions
 * and cut links that heal; at the window's end everything heals at once (every node up, every link
 * back, a calm network). Crashes take down at most f nodes at a time; a partition may leave no side
 * with a quorum: a fault the pool must ride out, ordering again once it heals.
 */
final class Faults {
    private static final long MS = 1_000_000L;

    private final SimulatedPool pool;
    private final FaultPlan plan;
    private final SplittableRandom random;
    /** How many nodes may be down at once: f, less the lying nodes (f faults in all). */
    private final int crashBudget;
    private final long heal;
    private final DstNetwork network;
    private final List<Fault> kinds = new ArrayList<>();
    private boolean healed;
    private long healedAt;

    Faults(SimulatedPool pool, FaultPlan plan, SplittableRandom random, int crashBudget, long heal, DstNetwork network) {
        this.pool = pool;
        this.plan = plan;
        this.random = random;
        this.crashBudget = crashBudget;
        this.heal = heal;
        this.network = network;
        for (Fault k : List.of(Fault.CRASH, Fault.DOWN, Fault.PARTITION, Fault.CUT)) {
            if (plan.has(k)) {
                kinds.add(k);
            }
        }
    }

    void start() {
        if (!kinds.isEmpty()) {
            scheduleNext();
        }
        pool.at(heal, this::healAll);
    }

    private void scheduleNext() {
        long gap = (long) (-Math.log(1 - random.nextDouble()) * plan.meanGapMillis()) * MS;
        long at = pool.now() + Math.max(MS, gap);
        if (at < heal) {
            pool.at(at, this::strike);
        }
    }

    private void strike() {
        if (healed) {
            return;
        }
        Fault kind = kinds.get(random.nextInt(kinds.size()));
        List<String> names = pool.names();
        switch (kind) {
            case CRASH, DOWN -> {
                List<String> up = names.stream().filter(pool::isUp).toList();
                if (names.size() - up.size() < crashBudget) {
                    String victim = up.get(random.nextInt(up.size()));
                    if (random.nextBoolean()) {
                        pool.kill(victim);
                    } else {
                        pool.stop(victim);
                    }
                    long downMillis = kind == Fault.DOWN ? 5_000 + random.nextLong(20_000) : 100 + random.nextLong(3_000);
                    pool.at(pool.now() + downMillis * MS, () -> restart(victim));
                }
            }
            case PARTITION -> {
                // A side of 1..n/2 nodes, chosen by the seed; the other side holds the rest.
                List<String> side = new ArrayList<>(names);
                for (int i = side.size() - 1; i > 0; i--) {
                    java.util.Collections.swap(side, i, random.nextInt(i + 1));
                }
                side = List.copyOf(side.subList(0, 1 + random.nextInt(names.size() / 2)));
                List<String[]> links = new ArrayList<>();
                for (String a : side) {
                    for (String b : names) {
                        if (!side.contains(b)) { // List.contains: the order is the seed's, not a hash's
                            links.add(new String[] {a, b});
                        }
                    }
                }
                links.forEach(l -> pool.cutLink(l[0], l[1]));
                pool.at(pool.now() + (500 + random.nextLong(8_000)) * MS, () -> links.forEach(l -> pool.healLink(l[0], l[1])));
            }
            case CUT -> {
                String a = names.get(random.nextInt(names.size()));
                String b = names.get(random.nextInt(names.size()));
                if (!a.equals(b)) {
                    pool.cutLink(a, b);
                    pool.at(pool.now() + (100 + random.nextLong(5_000)) * MS, () -> pool.healLink(a, b));
                }
            }
            default -> throw new IllegalStateException("not a fault event: " + kind);
        }
        scheduleNext();
    }

    private void restart(String node) {
        if (!pool.isUp(node)) {
            pool.restart(node);
        }
    }

    /** When the faults healed (the window's end, or earlier if {@link #healNow} came first). */
    long healedAt() {
        return healedAt;
    }

    boolean healed() {
        return healed;
    }

    /** Heals now if the window has not ended yet: the workload is over. */
    void healNow() {
        if (!healed) {
            healAll();
        }
    }

    /** The fault window ends: every node up, every link back, nothing lost or spiked any more. */
    private void healAll() {
        if (healed) {
            return;
        }
        healed = true;
        healedAt = pool.now();
        network.calm();
        List<String> names = pool.names();
        for (String node : names) {
            restart(node);
        }
        for (String a : names) {
            for (String b : names) {
                if (a.compareTo(b) < 0) {
                    pool.healLink(a, b);
                }
            }
        }
    }
}
