package io.stackcompanion.sim.dst;

import io.stackcompanion.node.message.Message;
import io.stackcompanion.sim.world.Network;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The wire of a DST world: every link has its own base latency (0.2 to 5 ms, drawn from the seed)
 * plus an exponential jitter; with the plan's faults on, messages are lost, duplicated or slowed by a
 * spike (and so overtake each other) until {@link #calm()}. Per link, without spikes, messages keep
 * their order as on a TCP connection.
 */
final class DstNetwork implements Network {
    private final FaultPlan plan;
    private final SplittableRandom random;
    private final Map<String, Long> baseNanos = new HashMap<>();
    /** Per link, the arrival time (relative to its send) of the last message: keeps FIFO without spikes. */
    private final Map<String, Long> lastArrival = new HashMap<>();
    private final java.util.function.LongSupplier now;
    private boolean calm;

    DstNetwork(FaultPlan plan, SplittableRandom random, java.util.function.LongSupplier now) {
        this.plan = plan;
        this.random = random;
        this.now = now;
    }

    /** From now on nothing is lost, duplicated or spiked: the faults healed. */
    void calm() {
        calm = true;
    }

    @Override
    public void carry(String from, String to, Message message, byte[] payload, Delivery delivery) {
        if (!calm && plan.has(Fault.DROP) && random.nextDouble() < plan.dropRate()) {
            return;
        }
        deliver(from, to, payload, delivery);
        if (!calm && plan.has(Fault.DUPLICATE) && random.nextDouble() < plan.duplicateRate()) {
            deliver(from, to, payload, delivery);
        }
    }

    private void deliver(String from, String to, byte[] payload, Delivery delivery) {
        String link = from + ">" + to;
        long base = baseNanos.computeIfAbsent(link, l -> 200_000L + random.nextLong(4_800_000L));
        long delay = base + (long) (-Math.log(1 - random.nextDouble()) * base / 4);
        boolean spiked = !calm && plan.has(Fault.DELAY) && random.nextDouble() < plan.spikeRate();
        if (spiked) {
            delay += random.nextLong(plan.spikeMillis() * 1_000_000L);
        } else {
            long t = now.getAsLong();
            long arrival = Math.max(t + delay, lastArrival.getOrDefault(link, 0L));
            lastArrival.put(link, arrival);
            delay = arrival - t;
        }
        delivery.after(delay, payload);
    }
}
