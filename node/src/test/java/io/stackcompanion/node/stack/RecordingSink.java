package io.stackcompanion.node.stack;

import io.stackcompanion.node.core.CoreInput;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Stands in for the node's input queue: keeps every input, thread-safely, in arrival order. */
final class RecordingSink implements Consumer<CoreInput> {
    private final List<CoreInput> inputs = new ArrayList<>();

    @Override
    public synchronized void accept(CoreInput input) {
        inputs.add(input);
    }

    synchronized List<CoreInput> all() {
        return List.copyOf(inputs);
    }

    /** Connected and Disconnected events about {@code peer}, in order. */
    List<CoreInput> linkEvents(String peer) {
        return all().stream()
                .filter(i -> (i instanceof CoreInput.Connected c && c.peer().equals(peer))
                        || (i instanceof CoreInput.Disconnected d && d.peer().equals(peer)))
                .toList();
    }

    long connectedCount(String peer) {
        return linkEvents(peer).stream().filter(i -> i instanceof CoreInput.Connected).count();
    }

    long disconnectedCount(String peer) {
        return linkEvents(peer).stream().filter(i -> i instanceof CoreInput.Disconnected).count();
    }

    boolean isConnected(String peer) {
        List<CoreInput> events = linkEvents(peer);
        return !events.isEmpty() && events.get(events.size() - 1) instanceof CoreInput.Connected;
    }

    boolean sawAnyConnected() {
        return all().stream().anyMatch(i -> i instanceof CoreInput.Connected);
    }

    /** Payloads received from {@code peer}, in order. */
    List<byte[]> receivedFrom(String peer) {
        return all().stream()
                .filter(i -> i instanceof CoreInput.Received r && r.peer().equals(peer))
                .map(i -> ((CoreInput.Received) i).bytes())
                .toList();
    }
}
