package io.stackcompanion.node.recording;

import io.stackcompanion.node.core.StackName;
import io.stackcompanion.recorder.EventCursor;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.RecordingReader;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A node's two recordings merged by key into one ordered stream, lazily: a two-way merge over the
 * two recorders' iterators (Indy copied both databases into a third). Both recorders of a node
 * draw keys from one clock and one sequence, so the merge is exactly the order the node recorded.
 */
public final class CombinedRecorder implements Iterator<MergedEvent>, AutoCloseable {
    private final EventCursor node;
    private final EventCursor client;
    private RecordedEvent nextNode;
    private RecordedEvent nextClient;
    private long index;

    public CombinedRecorder(RecordingReader nodeRecording, RecordingReader clientRecording) {
        this.node = nodeRecording.iterator();
        this.client = clientRecording.iterator();
        this.nextNode = node.hasNext() ? node.next() : null;
        this.nextClient = client.hasNext() ? client.next() : null;
    }

    @Override
    public boolean hasNext() {
        return nextNode != null || nextClient != null;
    }

    @Override
    public MergedEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        boolean takeNode = nextClient == null
                || nextNode != null && nextNode.key().compareTo(nextClient.key()) <= 0;
        MergedEvent e;
        if (takeNode) {
            e = new MergedEvent(index++, StackName.NODE, nextNode);
            nextNode = node.hasNext() ? node.next() : null;
        } else {
            e = new MergedEvent(index++, StackName.CLIENT, nextClient);
            nextClient = client.hasNext() ? client.next() : null;
        }
        return e;
    }

    @Override
    public void close() {
        try {
            node.close();
        } finally {
            client.close();
        }
    }
}
