package io.stackcompanion.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * A summary of one recording, computed by one pass over its events.
 *
 * @param folder the recording's folder
 * @param metadata the recording's metadata
 * @param events number of events
 * @param eventsPerKind events per kind, in {@link EventKind} order, kinds with no events left out
 * @param first key of the first event, empty for an empty recording
 * @param last key of the last event, empty for an empty recording
 * @param payloadBytes total payload bytes
 * @param bytesOnDisk bytes the recording's files take on disk
 */
public record RecordingStats(
        Path folder,
        RecorderMetadata metadata,
        long events,
        Map<EventKind, Long> eventsPerKind,
        Optional<EventKey> first,
        Optional<EventKey> last,
        long payloadBytes,
        long bytesOnDisk) {

    /** Freezes the per-kind map (kept in kind order). */
    public RecordingStats {
        eventsPerKind = Collections.unmodifiableMap(eventsPerKind.isEmpty()
                ? new EnumMap<>(EventKind.class) : new EnumMap<>(eventsPerKind));
    }

    /**
     * Reads every event of the recording once.
     *
     * @throws RecordingFormatException at the first corrupted event
     */
    public static RecordingStats of(RecordingReader reader) {
        EnumMap<EventKind, Long> perKind = new EnumMap<>(EventKind.class);
        long events = 0;
        long payloadBytes = 0;
        EventKey first = null;
        EventKey last = null;
        try (EventCursor cursor = reader.iterator()) {
            while (cursor.hasNext()) {
                RecordedEvent event = cursor.next();
                if (first == null) {
                    first = event.key();
                }
                last = event.key();
                events++;
                payloadBytes += event.payload().length;
                perKind.merge(event.kind(), 1L, Long::sum);
            }
        }
        return new RecordingStats(reader.folder(), reader.metadata(), events, perKind, Optional.ofNullable(first),
                Optional.ofNullable(last), payloadBytes, reader.bytesOnDisk());
    }

    /** Time from the first to the last event; zero when there are fewer than two. */
    public Duration span() {
        return first.isPresent() ? Duration.ofNanos(last.get().timeNanos() - first.get().timeNanos()) : Duration.ZERO;
    }

    /** The stats as one JSON object (for {@code --json} output). */
    public ObjectNode toJson() {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("folder", folder.toString());
        json.set("metadata", Json.MAPPER.valueToTree(metadata));
        json.put("events", events);
        ObjectNode kinds = json.putObject("eventsPerKind");
        eventsPerKind.forEach((kind, count) -> kinds.put(kind.name(), count));
        first.ifPresent(k -> json.put("firstTime", k.instant().toString()).put("firstTimeNanos", k.timeNanos()));
        last.ifPresent(k -> json.put("lastTime", k.instant().toString()).put("lastTimeNanos", k.timeNanos()));
        json.put("spanNanos", span().toNanos());
        json.put("payloadBytes", payloadBytes);
        json.put("bytesOnDisk", bytesOnDisk);
        return json;
    }
}
