package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where a replay first stopped reproducing the recording.
 *
 * @param eventIndex    position of the recorded event in the node's merged stream (0-based)
 * @param recordedTime  the event's recorded time, ISO-8601
 * @param stack         the stack of the message concerned ({@code NODE} or {@code CLIENT}), or null
 * @param reason        what differs, in a sentence
 * @param expected      what the recorded node did (a message as JSON, or a state), or null
 * @param actual        what the replayed node did, or null
 */
public record Divergence(long eventIndex, String recordedTime, String stack, String reason,
                         JsonNode expected, JsonNode actual) {
}
