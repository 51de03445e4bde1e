package io.stackcompanion.node.message;

/** A vote to move the pool to view {@code viewNo}: the primary is lost or ordering stalls. */
public record InstanceChange(int viewNo, String reason) implements Message {
}
