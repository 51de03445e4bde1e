package io.stackcompanion.sim.dst;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * How hard a seed's world is: which faults, and how often or how strong each is. Swarm testing: a
 * seed draws its own mix and intensities (each fault on with probability 1/2 unless pinned), so many
 * seeds cover many different worlds rather than one average world.
 *
 * @param faults          the faults on
 * @param dropRate        probability a node-to-node message is lost (DROP)
 * @param duplicateRate   probability it arrives twice (DUPLICATE)
 * @param spikeRate       probability it is slowed by a spike of up to {@code spikeMillis} (DELAY)
 * @param spikeMillis     the largest spike
 * @param meanGapMillis   mean simulated time between two fault events (crash, partition, cut)
 * @param faultWindowMillis faults happen in the first this many ms of simulated time, then all heal
 */
public record FaultPlan(Set<Fault> faults, double dropRate, double duplicateRate, double spikeRate,
                        long spikeMillis, long meanGapMillis, long faultWindowMillis) {

    public FaultPlan {
        faults = Set.copyOf(faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults));
    }

    /** The seed's own world: {@code pinned} null lets the seed choose the faults too. */
    public static FaultPlan draw(SplittableRandom r, Set<Fault> pinned, long faultWindowMillis) {
        Set<Fault> on = EnumSet.noneOf(Fault.class);
        for (Fault f : Fault.values()) {
            if (f == Fault.BYZANTINE) {
                continue; // drawn last (below), so that the draws before it stay what they were
            }
            boolean chosen = r.nextBoolean();
            if (pinned == null ? chosen : pinned.contains(f)) {
                on.add(f);
            }
        }
        double drop = 0.002 + r.nextDouble() * 0.05;
        double duplicate = 0.002 + r.nextDouble() * 0.05;
        double spike = 0.01 + r.nextDouble() * 0.1;
        long spikeMillis = 20 + r.nextLong(500);
        long gap = 500 + r.nextLong(4_000);
        // A seed's own choice: Byzantine nodes in one seed of three (a draw after all the others, so
        // that a seed that does not choose them keeps the world it had before seeds could).
        boolean byzantine = r.nextInt(3) == 0;
        if (pinned == null ? byzantine : pinned.contains(Fault.BYZANTINE)) {
            on.add(Fault.BYZANTINE);
        }
        return new FaultPlan(on, drop, duplicate, spike, spikeMillis, gap, faultWindowMillis);
    }

    public boolean has(Fault f) {
        return faults.contains(f);
    }

    /** {@code drop 2.1%, crash, partition (mean gap 1.2 s)} for the summary. */
    public String describe() {
        if (faults.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        for (Fault f : Fault.values()) {
            if (!has(f)) {
                continue;
            }
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(f.label());
            switch (f) {
                case DROP -> b.append(String.format(Locale.ROOT, " %.1f%%", dropRate * 100));
                case DUPLICATE -> b.append(String.format(Locale.ROOT, " %.1f%%", duplicateRate * 100));
                case DELAY -> b.append(String.format(Locale.ROOT, " %.1f%% up to %d ms", spikeRate * 100, spikeMillis));
                default -> { }
            }
        }
        if (has(Fault.CRASH) || has(Fault.PARTITION) || has(Fault.CUT) || has(Fault.DOWN)) {
            b.append(String.format(Locale.ROOT, " (every %.1f s on average)", meanGapMillis / 1000.0));
        }
        return b.append(String.format(Locale.ROOT, "; all healed at %.1f s", faultWindowMillis / 1000.0)).toString();
    }
}
