package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.StackName;

import java.util.List;

/** Where a live runtime puts the core's sends: the two stacks, or nothing at all in a replay. */
public interface Transport {

    /** Drops everything: what a replay uses, so a replayed node never touches the network. */
    Transport SILENT = new Transport() {
        @Override
        public void send(StackName stack, List<String> peers, byte[] payload) {
        }

        @Override
        public void disconnect(StackName stack, String peer) {
        }
    };

    void send(StackName stack, List<String> peers, byte[] payload);

    void disconnect(StackName stack, String peer);
}
