package io.stackcompanion.recorder;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rocksdb.RocksDBException;

/**
 * Checks a whole stack recording: metadata present and of a supported version; every key a valid
 * event key, strictly greater than the one before; every value's format and checksum; RocksDB's own
 * file checksums; and, for a sealed recording (format 3 and later), that nothing is missing: the
 * table files are the ones its seal names, with their sizes, event counts and chain values, the
 * journal segments the seal names exist, and each journal record continues the chain. Stops at the
 * first problem and reports it with the file and the key or offset.
 *
 * <p>What cannot be checked is said in {@link Report#notes()}: a recording of a format before seals
 * (whether events are missing), a recording being written (checked up to the moment it was opened),
 * a last record a killed writer never finished or an OS crash tore (not part of the recording).
 */
public final class RecordingVerifier {

    private RecordingVerifier() {}

    /**
     * The outcome of {@link #verify(Path)}.
     *
     * @param folder the recording's folder
     * @param eventsChecked events found valid before the first problem (all of them if none)
     * @param firstProblem the first problem, with file and key or offset; empty when the recording is sound
     * @param notes what could not be checked, or was found but is not damage, one sentence each
     * @param sealed whether completeness was proven by a seal
     */
    public record Report(Path folder, long eventsChecked, Optional<String> firstProblem, List<String> notes, boolean sealed) {

        public Report {
            notes = List.copyOf(notes);
        }

        /** Whether no problem was found. */
        public boolean ok() {
            return firstProblem.isEmpty();
        }
    }

    /** Verifies the recording in {@code dir}; never throws for a bad recording, reports it. */
    public static Report verify(Path dir) {
        long[] checked = {0};
        List<String> notes = new ArrayList<>();
        boolean sealed = false;
        try (RecordingReader reader = RecordingReader.open(dir)) {
            int format = reader.metadata().formatVersion();
            Optional<Seal> seal = reader.seal();
            if (reader.live()) {
                notes.add("a writer has it open: checked up to the moment it was opened");
            }
            SealCheck check = null;
            if (seal.isPresent()) {
                Map<Integer, String> names = Map.of();
                if (!reader.live()) {
                    names = SealCheck.requireTables(reader.db(), seal.get(), dir);
                    SealCheck.requireJournal(seal.get(), dir);
                }
                check = new SealCheck(seal.get(), dir, names);
            } else {
                notes.add("recorded by an earlier version (format " + format + ", before seals): checksums and key order were checked,"
                        + " whether events are missing cannot be");
            }
            scan(reader, dir, check, checked);
            if (check != null && !reader.live()) {
                check.finish();
                sealed = true;
            }
            reader.verifyFileChecksums();
            if (reader.tornBytes() > 0) {
                notes.add("the journal ends in " + reader.tornBytes() + " bytes of a last append that was never finished (the writer"
                        + " was killed while appending) or was torn (an OS crash): never acknowledged, not part of the recording");
            }
            return new Report(dir, checked[0], Optional.empty(), notes, sealed);
        } catch (RecordingException e) {
            return new Report(dir, checked[0], Optional.of(e.getMessage()), notes, false);
        }
    }

    private static void scan(RecordingReader reader, Path dir, SealCheck check, long[] checked) {
        EventKey previous = null;
        try (EventCursor cursor = reader.iterator()) {
            while (cursor.hasNext()) {
                byte[][] raw = cursor.nextRaw();
                RecordedEvent event = EventCodec.decode(raw[0], raw[1], dir);
                EventKey key = event.key();
                if (previous != null && key.compareTo(previous) <= 0) {
                    throw new RecordingFormatException("recording " + dir + ": event at " + key
                            + " does not follow the previous event at " + previous + ": keys out of order");
                }
                if (check != null) {
                    check.accept(raw[0], raw[1], raw.length > 2 ? ByteBuffer.wrap(raw[2]).getInt() : null, cursor.lastSource());
                }
                previous = key;
                checked[0]++;
            }
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
