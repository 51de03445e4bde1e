package io.stackcompanion.node.collect;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * {@code MANIFEST.json} at the root of a recording archive: what is in it and how to check it.
 * {@code MANIFEST.json.sha256} beside it holds the manifest's own SHA-256 ({@code sha256sum -c}
 * format), so a damaged manifest is named as such rather than blamed on the files it lists.
 *
 * @param format          always {@value #FORMAT}
 * @param formatVersion   version of this layout ({@value #FORMAT_VERSION})
 * @param createdAt       when the archive was written (UTC, ISO-8601)
 * @param tool            the tool that wrote it
 * @param toolVersion     that tool's software version
 * @param poolGenesisHash the pool every recording in the archive belongs to
 * @param nodes           per node what was collected, by name
 * @param files           every file of the archive except the two manifest files, by path
 * @param sanitized       how the recordings were sanitized; absent when they hold the customer's data
 */
public record Manifest(String format, int formatVersion, String createdAt, String tool, String toolVersion,
                       String poolGenesisHash, List<NodeEntry> nodes, List<FileEntry> files,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Sanitized sanitized) {
    public static final String FORMAT = "stack-companion-recording-archive";
    public static final int FORMAT_VERSION = 1;

    /** A manifest of recordings as recorded (not sanitized). */
    public Manifest(String format, int formatVersion, String createdAt, String tool, String toolVersion,
                    String poolGenesisHash, List<NodeEntry> nodes, List<FileEntry> files) {
        this(format, formatVersion, createdAt, tool, toolVersion, poolGenesisHash, nodes, files, null);
    }

    /**
     * The recordings' customer data was replaced by keyed pseudonyms (see {@code SANITIZED.json} in
     * each recorder folder).
     *
     * @param method   how pseudonyms are made, e.g. {@code hmac-sha256}
     * @param version  the sanitizer's version
     * @param keyId    names the key (reveals nothing of it): equal ids, same key
     * @param replaced distinct values replaced, per kind
     */
    public record Sanitized(String method, int version, String keyId, Map<String, Integer> replaced) {
    }

    /** One file: its path inside the archive, its size and its SHA-256 (hex). */
    public record FileEntry(String path, long size, String sha256) {
    }

    /**
     * One node's recording.
     *
     * @param name          the node
     * @param source        where it was collected from ({@code DIR} or {@code USER@HOST:DIR})
     * @param live          whether the recording was being written while it was copied
     * @param eventsLeftOut events at the end of a live copy left out so it ends on a whole input
     * @param endsWithStop  whether the recording ends with the node's recorded stop
     * @param firstTime     the first event's time (UTC), null for an empty recording
     * @param lastTime      the last event's time (UTC), null for an empty recording
     * @param spanSeconds   time from first to last event
     * @param stacks        the node's two stack recordings
     */
    public record NodeEntry(String name, String source, boolean live, long eventsLeftOut, boolean endsWithStop,
                            String firstTime, String lastTime, double spanSeconds, List<StackEntry> stacks) {
    }

    /**
     * One stack's recording.
     *
     * @param stack           {@code node} or {@code client}
     * @param formatVersion   recording format version
     * @param softwareVersion software that created the recording
     * @param events          number of events
     * @param eventsPerKind   events per kind, in kind order
     */
    public record StackEntry(String stack, int formatVersion, String softwareVersion, long events,
                             Map<String, Long> eventsPerKind) {
    }

    /** The same manifest listing {@code files}. */
    public Manifest withFiles(List<FileEntry> files) {
        return new Manifest(format, formatVersion, createdAt, tool, toolVersion, poolGenesisHash, nodes, files, sanitized);
    }
}
