package io.stackcompanion.sim.world;

import io.stackcompanion.node.message.Message;

/**
 * The simulated wire between two nodes: given one message a node sent to another, it decides whether,
 * when and how often (and with which bytes) it arrives. A network draws its randomness only from a
 * seeded source of its own, so the same seed gives the same run.
 */
@FunctionalInterface
public interface Network {
    /** Hands one arrival of a message to the pool: after {@code delayNanos} from the send, these bytes. */
    @FunctionalInterface
    interface Delivery {
        void after(long delayNanos, byte[] payload);
    }

    /**
     * Carries {@code message} ({@code payload} as sent) from {@code from} to {@code to}: calls
     * {@code delivery} once per arrival (none: it was lost).
     */
    void carry(String from, String to, Message message, byte[] payload, Delivery delivery);
}
