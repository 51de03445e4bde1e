package io.stackcompanion.recorder;

import java.util.Objects;

/**
 * What a recording is: stored once, when the recording is created, as JSON in the {@code meta}
 * column family (see {@code recorder/FORMAT.md}), apart from the events so that iterating the
 * default column family yields events only.
 *
 * @param formatVersion the recording format version ({@link EventCodec#FORMAT_VERSION} when written)
 * @param nodeName the node that recorded
 * @param stackName which stack, e.g. {@code node} or {@code client}
 * @param poolGenesisHash hash of the pool genesis the node ran with (hex, as the node computes it)
 * @param softwareVersion version of the software that created the recording
 * @param clockAnchorWallNanos the recording clock's wall-time anchor, nanoseconds since the epoch
 * @param createdAtNanos recording time at creation, nanoseconds since the epoch
 */
public record RecorderMetadata(
        int formatVersion,
        String nodeName,
        String stackName,
        String poolGenesisHash,
        String softwareVersion,
        long clockAnchorWallNanos,
        long createdAtNanos) {

    /** Validates required fields. */
    public RecorderMetadata {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(stackName, "stackName");
        Objects.requireNonNull(poolGenesisHash, "poolGenesisHash");
        Objects.requireNonNull(softwareVersion, "softwareVersion");
        if (nodeName.isBlank() || stackName.isBlank()) {
            throw new IllegalArgumentException("node name and stack name must not be blank");
        }
    }

    /** Metadata for a new recording in the current format, anchored to the given clock. */
    public static RecorderMetadata create(String nodeName, String stackName, String poolGenesisHash,
            String softwareVersion, RecordingClock clock) {
        return new RecorderMetadata(EventCodec.FORMAT_VERSION, nodeName, stackName, poolGenesisHash,
                softwareVersion, clock.anchorWallNanos(), clock.now());
    }

    /** The same metadata labelled with another format version (a continued recording is upgraded). */
    RecorderMetadata withFormatVersion(int version) {
        return new RecorderMetadata(version, nodeName, stackName, poolGenesisHash, softwareVersion, clockAnchorWallNanos, createdAtNanos);
    }

    /** Whether another metadata describes the same node, stack and pool (so a recording may continue). */
    boolean sameIdentity(RecorderMetadata other) {
        return nodeName.equals(other.nodeName) && stackName.equals(other.stackName)
                && poolGenesisHash.equals(other.poolGenesisHash);
    }

    String describe() {
        return "node " + nodeName + ", stack " + stackName + ", pool genesis " + poolGenesisHash;
    }
}
