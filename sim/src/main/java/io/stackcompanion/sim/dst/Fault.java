package io.stackcompanion.sim.dst;

import io.stackcompanion.recorder.StackCompanionException;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The kinds of fault a seed may throw at the pool ({@code dst.sh run --faults LIST} pins a set). */
public enum Fault {
    /** Messages between nodes lost (each with the seed's probability, a few percent). */
    DROP("node-to-node messages lost"),
    /** Messages between nodes delivered twice. */
    DUPLICATE("node-to-node messages delivered twice"),
    /** Slow links and latency spikes: messages overtake each other. */
    DELAY("slow links, latency spikes, reordering"),
    /** The pool split in two sides for a while, then healed. */
    PARTITION("the pool split in two, then healed"),
    /** One link cut (both ends see a disconnect), then re-established. */
    CUT("links cut and re-established"),
    /** Nodes killed or stopped, then restarted on their store. */
    CRASH("nodes killed or stopped, restarted on their store"),
    /** A node down long enough that it must catch up past a checkpoint. */
    DOWN("a node down long enough to catch up past a checkpoint"),
    /** Every node's clock off by up to a second and drifting. */
    SKEW("clocks off by up to a second, drifting"),
    /**
     * Up to f nodes lie to the others (wrong digests, later views, replays, silence, garbage, far-off
     * or equivocating PRE-PREPAREs, wrong checkpoints); the crashes then spare the honest nodes. Only
     * when pinned (--faults byzantine, or all): a seed does not draw it on its own yet.
     */
    BYZANTINE("up to f nodes lie to the others");

    private final String meaning;

    Fault(String meaning) {
        this.meaning = meaning;
    }

    public String meaning() {
        return meaning;
    }

    /** The name on the command line: {@code drop}, {@code partition}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code drop,crash} (or {@code none}, or {@code all}) as a set; a typo is a one-line error. */
    public static Set<Fault> parse(String list) {
        String v = list.trim();
        if (v.equals("none")) {
            return EnumSet.noneOf(Fault.class);
        }
        if (v.equals("all")) {
            return EnumSet.allOf(Fault.class);
        }
        Set<Fault> faults = EnumSet.noneOf(Fault.class);
        for (String part : v.split(",")) {
            String p = part.trim();
            try {
                faults.add(valueOf(p.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new StackCompanionException("unknown fault '" + p + "' in --faults; the faults are "
                        + Arrays.stream(values()).map(Fault::label).collect(Collectors.joining(", ")) + ", or all, or none");
            }
        }
        return faults;
    }

    public static String labels(Set<Fault> faults) {
        return faults.isEmpty() ? "none" : faults.stream().map(Fault::label).collect(Collectors.joining(","));
    }
}
