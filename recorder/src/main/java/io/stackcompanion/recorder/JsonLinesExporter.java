package io.stackcompanion.recorder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Function;

/**
 * Writes events as JSON Lines, one event a line, so a user can read a recording before handing it
 * over:
 *
 * <pre>
 * {"time":"2026-11-22T02:20:47.123456789Z","timeNanos":1795...,"seq":7,"kind":"INCOMING",
 *  "peers":["Beta"],"payloadBytes":312,"payload":{...}}
 * </pre>
 *
 * The payload goes through a pluggable decoder so the node can decode its own messages. The {@link
 * #DEFAULT_PAYLOAD_DECODER} embeds a payload that is valid UTF-8 JSON as JSON, and anything else as
 * {@code {"base64":"..."}}. If a custom decoder throws, the line carries the base64 form plus a
 * {@code "decodeError"}, so one odd payload does not stop an export.
 */
public final class JsonLinesExporter {

    /** Valid UTF-8 JSON is embedded as JSON; anything else becomes {@code {"base64": "..."}}. */
    public static final Function<byte[], JsonNode> DEFAULT_PAYLOAD_DECODER = JsonLinesExporter::decodeDefault;

    private final Function<byte[], JsonNode> payloadDecoder;

    /** An exporter with the {@link #DEFAULT_PAYLOAD_DECODER}. */
    public JsonLinesExporter() {
        this(DEFAULT_PAYLOAD_DECODER);
    }

    /** An exporter whose payloads go through {@code payloadDecoder}. */
    public JsonLinesExporter(Function<byte[], JsonNode> payloadDecoder) {
        this.payloadDecoder = Objects.requireNonNull(payloadDecoder, "payloadDecoder");
    }

    /**
     * Writes every event of the recording, one line each, and returns how many.
     *
     * @throws RecordingFormatException at the first corrupted event (lines before it are written)
     */
    public long export(RecordingReader reader, Writer out) throws IOException {
        try (EventCursor cursor = reader.iterator()) {
            return export(cursor, out);
        }
    }

    /** Writes the events one line each and returns how many. */
    public long export(Iterator<RecordedEvent> events, Writer out) throws IOException {
        long lines = 0;
        while (events.hasNext()) {
            out.write(toJsonLine(events.next()));
            out.write('\n');
            lines++;
        }
        out.flush();
        return lines;
    }

    /** One event as a single line of JSON (no line break). */
    public String toJsonLine(RecordedEvent event) {
        return toJsonLine(Json.MAPPER.createObjectNode(), event);
    }

    /**
     * One event as a single line of JSON (no line break), after the fields already in {@code line}
     * (e.g. a merged stream's {@code index} and {@code stack}).
     */
    public String toJsonLine(ObjectNode line, RecordedEvent event) {
        line.put("time", EventKey.instantOf(event.timeNanos()).toString());
        line.put("timeNanos", event.timeNanos());
        line.put("seq", event.seq());
        line.put("kind", event.kind().name());
        event.peers().forEach(line.putArray("peers")::add);
        line.put("payloadBytes", event.payload().length);
        try {
            JsonNode payload = payloadDecoder.apply(event.payload());
            line.set("payload", payload == null ? base64(event.payload()) : payload);
        } catch (RuntimeException e) {
            line.set("payload", base64(event.payload()));
            line.put("decodeError", String.valueOf(e.getMessage()));
        }
        try {
            return Json.MAPPER.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write event " + event.key() + " as JSON", e);
        }
    }

    private static JsonNode decodeDefault(byte[] payload) {
        if (payload.length > 0) {
            try {
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload));
                JsonNode json = Json.MAPPER.readTree(payload);
                if (json != null && !json.isMissingNode()) {
                    return json;
                }
            } catch (CharacterCodingException e) {
                // not UTF-8 text: fall through to base64
            } catch (IOException e) {
                // UTF-8 but not JSON: fall through to base64
            }
        }
        return base64(payload);
    }

    private static ObjectNode base64(byte[] payload) {
        return Json.MAPPER.createObjectNode().put("base64", Base64.getEncoder().encodeToString(payload));
    }
}
