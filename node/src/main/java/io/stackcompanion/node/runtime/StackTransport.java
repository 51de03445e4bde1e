package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.stack.Stack;

import java.util.List;

/** The live transport: the node stack and the client stack. */
public final class StackTransport implements Transport {
    private final Stack nodeStack;
    private final Stack clientStack;

    public StackTransport(Stack nodeStack, Stack clientStack) {
        this.nodeStack = nodeStack;
        this.clientStack = clientStack;
    }

    @Override
    public void send(StackName stack, List<String> peers, byte[] payload) {
        (stack == StackName.NODE ? nodeStack : clientStack).send(peers, payload);
    }

    @Override
    public void disconnect(StackName stack, String peer) {
        (stack == StackName.NODE ? nodeStack : clientStack).disconnect(peer);
    }
}
