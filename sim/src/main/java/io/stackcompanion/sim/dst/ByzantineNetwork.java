package io.stackcompanion.sim.dst;

import io.stackcompanion.node.crypto.NodeSigner;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.sim.byzantine.Liar;
import io.stackcompanion.sim.world.Network;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Up to f lying nodes (issue 18's test bench). Their cores are the real, honest ones; what they send
 * to other nodes is changed on the wire, message by message, by the lies drawn from the seed (one
 * {@link Liar} for all of them): so every honest node's recording holds what a Byzantine peer really
 * sent it, and replays to MATCH.
 */
final class ByzantineNetwork implements Network {
    private final Network honest;
    private final Set<String> liars;
    private final Liar liar;

    /**
     * @param honest how the wire carries a message (the lies are told before it)
     * @param liars  the lying nodes
     * @param keys   each node's signer: a liar signs its own lies
     */
    ByzantineNetwork(Network honest, SplittableRandom random, Set<String> liars, Function<String, NodeSigner> keys) {
        this.honest = honest;
        this.liars = Set.copyOf(liars);
        this.liar = Liar.drawn(random).signingWith(keys);
    }

    /** Whether the liars tell {@code lie} (some lies are told by their cores too, not only on the wire). */
    boolean tells(Liar.Lie lie) {
        return liar.tells(lie);
    }

    /** {@code wrong-digest, replay (42% of messages)} for the summary. */
    String describe() {
        return liar.describe();
    }

    @Override
    public void carry(String from, String to, Message message, byte[] payload, Delivery delivery) {
        if (!liars.contains(from)) {
            honest.carry(from, to, message, payload, delivery);
            return;
        }
        Liar.Told told = liar.tell(message, payload, from, to);
        if (told != null) {
            honest.carry(from, to, told.message(), told.payload(), delivery);
        }
    }
}
