package io.stackcompanion.node.message;

/** Asks a node for its {@link Status} (client stack); what {@code pool.sh status} sends. */
public record GetStatus() implements Message {
}
