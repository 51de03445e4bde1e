package io.stackcompanion.replay;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Where a replay first stopped reproducing the recording.
 *
 * @param eventIndex    position of the recorded event in the node's merged stream (0-based)
 * @param recordedTime  the event's recorded time, ISO-8601
 * @param stack         the stack of the message concerned ({@code NODE} or {@code CLIENT}), or null
 * @param reason        what differs, in a sentence
 * @param expected      what the recorded node did (a message as JSON, or a state), or null
 * @param actual        what the replayed node did, or null
 * @param cause         what the replayed core threw, when it failed on the input, with its whole
 *                      stack (in the JSON verdict as {@code causeTrace}); otherwise null
 */
public record Divergence(long eventIndex, String recordedTime, String stack, String reason,
                         JsonNode expected, JsonNode actual, @JsonIgnore Throwable cause) {

    /** A divergence the replayed core did not throw. */
    public Divergence(long eventIndex, String recordedTime, String stack, String reason,
                      JsonNode expected, JsonNode actual) {
        this(eventIndex, recordedTime, stack, reason, expected, actual, null);
    }

    /** The cause's stack trace as printed by the JVM, or null: what a developer reads in the verdict. */
    @JsonProperty("causeTrace")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String causeTrace() {
        if (cause == null) {
            return null;
        }
        StringWriter w = new StringWriter();
        cause.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
