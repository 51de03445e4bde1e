package io.stackcompanion.node.message;

/** The node accepted a request for ordering (client stack). */
public record ReqAck(String identifier, long reqId) implements Message {
}
