package io.stackcompanion.node.core;

import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Message;

import java.util.List;

/**
 * Encodes messages once and hands them to the runtime: the core's only way to send. Node-stack
 * messages go binary where they have the form, client-stack ones JSON (what clients speak).
 */
final class Outbox {
    private final CoreRuntime runtime;
    private final List<String> otherNodes;

    Outbox(CoreRuntime runtime, List<String> otherNodes) {
        this.runtime = runtime;
        this.otherNodes = List.copyOf(otherNodes);
    }

    /** To every other node of the pool (genesis order). */
    void broadcast(Message m) {
        if (!otherNodes.isEmpty()) {
            runtime.send(StackName.NODE, otherNodes, Codec.encodeForNodeStack(m));
        }
    }

    /** To one other node. */
    void toNode(String node, Message m) {
        runtime.send(StackName.NODE, List.of(node), Codec.encodeForNodeStack(m));
    }

    /** To some other nodes. */
    void toNodes(List<String> nodes, Message m) {
        if (!nodes.isEmpty()) {
            runtime.send(StackName.NODE, List.copyOf(nodes), Codec.encodeForNodeStack(m));
        }
    }

    void toClient(String connection, Message m) {
        runtime.send(StackName.CLIENT, List.of(connection), Codec.encode(m));
    }

    void toClients(List<String> connections, Message m) {
        if (!connections.isEmpty()) {
            runtime.send(StackName.CLIENT, connections, Codec.encode(m));
        }
    }
}
