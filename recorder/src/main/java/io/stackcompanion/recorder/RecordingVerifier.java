package io.stackcompanion.recorder;

import java.nio.file.Path;
import java.util.Optional;
import org.rocksdb.RocksDBException;

/**
 * Checks a whole recording: metadata present and of a supported version, every key a valid event
 * key and strictly greater than the one before, every value's format and checksum, and RocksDB's own
 * file checksums. Stops at the first problem and reports it with the folder and key.
 */
public final class RecordingVerifier {

    private RecordingVerifier() {}

    /**
     * The outcome of {@link #verify(Path)}.
     *
     * @param folder the recording's folder
     * @param eventsChecked events found valid before the first problem (all of them if none)
     * @param firstProblem the first problem, with folder and key; empty when the recording is sound
     */
    public record Report(Path folder, long eventsChecked, Optional<String> firstProblem) {

        /** Whether no problem was found. */
        public boolean ok() {
            return firstProblem.isEmpty();
        }
    }

    /** Verifies the recording in {@code dir}; never throws for a bad recording, reports it. */
    public static Report verify(Path dir) {
        long checked = 0;
        try (RecordingReader reader = RecordingReader.open(dir)) {
            EventKey previous = null;
            try (EventCursor cursor = reader.iterator()) {
                while (cursor.hasNext()) {
                    byte[][] raw = cursor.nextRaw();
                    RecordedEvent event = EventCodec.decode(raw[0], raw[1], dir);
                    EventKey key = event.key();
                    if (previous != null && key.compareTo(previous) <= 0) {
                        return new Report(dir, checked, Optional.of("recording " + dir + ": event at " + key
                                + " does not follow the previous event at " + previous + ": keys out of order"));
                    }
                    previous = key;
                    checked++;
                }
            }
            reader.verifyFileChecksums();
            return new Report(dir, checked, Optional.empty());
        } catch (RecordingException e) {
            return new Report(dir, checked, Optional.of(e.getMessage()));
        }
    }

    static void verifyFileChecksums(RecordingDb db) {
        try {
            db.db.verifyChecksum();
        } catch (RocksDBException e) {
            throw new RecordingFormatException("recording " + db.folder + ": RocksDB file checksum failed: "
                    + e.getMessage() + ": the recording's files are corrupted", e);
        }
    }
}
