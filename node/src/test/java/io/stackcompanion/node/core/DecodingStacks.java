package io.stackcompanion.node.core;

import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.runtime.Stacks;

import java.util.ArrayList;
import java.util.List;

/** A core's stacks in a test: every message it sends, decoded, in order, per stack; nothing reaches a network. */
final class DecodingStacks implements Stacks {
    final List<Message> toNodes = new ArrayList<>();
    final List<Message> toClients = new ArrayList<>();
    /** Both stacks' messages, in the order sent. */
    final List<Message> all = new ArrayList<>();

    @Override
    public void send(StackName stack, List<String> peers, byte[] payload) {
        Message m;
        try {
            m = Codec.decode(payload);
        } catch (Exception e) {
            throw new AssertionError("the core sent a payload it cannot read back", e);
        }
        (stack == StackName.CLIENT ? toClients : toNodes).add(m);
        all.add(m);
    }

    @Override
    public void flush() {
    }

    @Override
    public void disconnect(StackName stack, String peer) {
    }
}
