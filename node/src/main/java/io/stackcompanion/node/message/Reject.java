package io.stackcompanion.node.message;

/** The node refused a request, with the reason (client stack). */
public record Reject(String identifier, long reqId, String reason) implements Message {
}
