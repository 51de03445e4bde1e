package io.stackcompanion.sim.dst;

import io.stackcompanion.recorder.StackCompanionException;
import io.stackcompanion.sim.world.SimulatedPool;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A defence against Byzantine nodes taken out of every node's core, for the test that the DST finds
 * the pool so weakened ({@code dst.sh --plant NAME}). Nothing but the simulator plants one.
 */
public enum Weakness {
    /** The nodes take NEW_VIEWs on trust instead of computing them again from their VIEW_CHANGEs. */
    SKIP_NEW_VIEW_CHECK("skip-new-view-check", "the nodes take NEW_VIEWs on trust", SimulatedPool::plantSkipNewViewCheck),
    /**
     * The nodes count PREPAREs and COMMITs whatever digest they name, not only those for the
     * PRE-PREPARE they accepted: an equivocating primary forks them.
     */
    VOTES_FOR_ANY_DIGEST("votes-for-any-digest", "the nodes count PREPAREs and COMMITs for any digest as votes for their batch",
            SimulatedPool::plantVotesForAnyDigest);

    public final String label;
    public final String description;
    private final Consumer<SimulatedPool> plant;

    Weakness(String label, String description, Consumer<SimulatedPool> plant) {
        this.label = label;
        this.description = description;
        this.plant = plant;
    }

    /** Plants the weakness in every node {@code pool} starts from now on. */
    void plantIn(SimulatedPool pool) {
        plant.accept(pool);
    }

    public static String labels() {
        return Arrays.stream(values()).map(w -> w.label).collect(Collectors.joining(" or "));
    }

    /** The weakness named {@code label}; a one-line error naming the others otherwise. */
    public static Weakness parse(String label) {
        for (Weakness w : values()) {
            if (w.label.equals(label)) {
                return w;
            }
        }
        throw new StackCompanionException("--plant takes " + labels() + ", not '" + label + "'");
    }
}
