package io.stackcompanion.node.recording;

import io.stackcompanion.node.core.StackName;
import io.stackcompanion.recorder.RecordedEvent;

/**
 * One event of a node's merged recording: its position in the merged stream (0-based), the stack
 * whose recorder holds it, and the event.
 */
public record MergedEvent(long index, StackName stack, RecordedEvent event) {
}
