package io.stackcompanion.recorder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.rocksdb.SstFileMetaData;

/**
 * Checks a recording against its {@link Seal}: the table files RocksDB has are the ones the seal
 * names ({@link #requireTables}), and the events read back, in order, give the seal's counts and
 * chain values table by table, and the chain values the journal's records carry ({@link #accept}).
 * The first difference is an error naming the table file or journal segment.
 */
final class SealCheck {

    private final Seal seal;
    private final Path folder;
    private final Map<Integer, String> fileNames;
    private final long[] eventsThrough;
    private final Chain chainer = new Chain();
    private int next;
    private long events;
    private int chain = Chain.START;

    /**
     * @param fileNames the live table file holding each seal table, by index, for messages
     */
    SealCheck(Seal seal, Path folder, Map<Integer, String> fileNames) {
        this.seal = seal;
        this.folder = folder;
        this.fileNames = fileNames;
        this.eventsThrough = new long[seal.tables().size()];
        long sum = 0;
        for (int i = 0; i < eventsThrough.length; i++) {
            sum += seal.tables().get(i).events();
            eventsThrough[i] = sum;
        }
    }

    /**
     * Every table the seal names is a live table file with the same key range and size, and RocksDB
     * has no other. The seal's last table may be missing while its journal segment is still there:
     * the seal names a table before RocksDB takes it in.
     *
     * @return the live file holding each seal table, by index
     * @throws RecordingFormatException naming the table file, or the events that are missing
     */
    static Map<Integer, String> requireTables(RecordingDb db, Seal seal, Path dir) {
        HexFormat hex = HexFormat.of();
        Map<String, SstFileMetaData> live = new HashMap<>();
        for (SstFileMetaData file : db.eventTables()) {
            live.put(hex.formatHex(file.smallestKey()) + "-" + hex.formatHex(file.largestKey()), file);
        }
        Map<Integer, String> names = new HashMap<>();
        List<Seal.Table> tables = seal.tables();
        for (int i = 0; i < tables.size(); i++) {
            Seal.Table t = tables.get(i);
            SstFileMetaData file = live.remove(t.firstKey() + "-" + t.lastKey());
            if (file == null) {
                boolean lastStillInJournal = i == tables.size() - 1 && t.segment() > 0
                        && Files.exists(Journal.segmentFile(Journal.folder(dir), t.segment()));
                if (!lastStillInJournal) {
                    throw new RecordingFormatException("recording " + dir + ": " + t.describe() + " (a table file of " + t.bytes()
                            + " bytes) are not in RocksDB: a table file or the MANIFEST was lost or damaged; keep a copy and"
                            + " move the recording away");
                }
                continue;
            }
            String name = dir.resolve(strip(file.fileName())).toString();
            names.put(i, name);
            if (file.size() != t.bytes()) {
                throw new RecordingFormatException("table file " + name + " holds " + t.describe() + " but is " + file.size()
                        + " bytes; the seal says " + t.bytes() + ": the file was altered; keep a copy and move the recording away");
            }
        }
        if (!live.isEmpty()) {
            SstFileMetaData extra = live.values().iterator().next();
            throw new RecordingFormatException("table file " + dir.resolve(strip(extra.fileName())) + " is in RocksDB but not in "
                    + dir.resolve(Seal.FILE) + ": the recording was altered; keep a copy and move the recording away");
        }
        return names;
    }

    /** The journal segments the seal says must exist do. */
    static void requireJournal(Seal seal, Path dir) {
        for (long n = seal.journalFrom(); n <= seal.journalTo(); n++) {
            Path segment = Journal.segmentFile(Journal.folder(dir), n);
            if (!Files.exists(segment)) {
                throw new RecordingFormatException("journal segment " + segment + " is missing (" + dir.resolve(Seal.FILE)
                        + " says segments " + seal.journalFrom() + ".." + seal.journalTo() + " hold the latest events): "
                        + "events are lost; keep a copy and move the recording away");
            }
        }
    }

    private static String strip(String fileName) {
        return fileName.startsWith("/") ? fileName.substring(1) : fileName;
    }

    /**
     * The next event in key order.
     *
     * @param stored the chain value a journal record carries for it, or null (in RocksDB, or an
     *     unchained segment)
     * @param source where it was read, for messages
     */
    void accept(byte[] key, byte[] value, Integer stored, Object source) {
        if (next < eventsThrough.length && Arrays.compareUnsigned(key, seal.tables().get(next).lastKeyBytes()) > 0) {
            throw missing(next);
        }
        chain = chainer.next(chain, key, value);
        events++;
        if (stored != null && stored != chain) {
            throw new RecordingFormatException(source + ": the chain breaks at event " + EventKey.fromBytes(key) + " (event " + events
                    + " of the recording): an event before it is missing or altered; keep a copy and move the recording away");
        }
        if (next < eventsThrough.length && Arrays.equals(key, seal.tables().get(next).lastKeyBytes())) {
            Seal.Table t = seal.tables().get(next);
            if (events != eventsThrough[next] || chain != t.chainValue()) {
                throw new RecordingFormatException(where(next) + ": " + (events != eventsThrough[next]
                        ? "found " + (events - (next == 0 ? 0 : eventsThrough[next - 1])) + " events where the seal says " + t.describe()
                        : "its events differ from what was sealed (chain " + Chain.hex(chain) + ", sealed " + t.chain() + ")")
                        + ": events are missing or altered; keep a copy and move the recording away");
            }
            next++;
        }
    }

    /** After the last event: every sealed table was seen. */
    void finish() {
        if (next < eventsThrough.length) {
            throw missing(next);
        }
    }

    long events() {
        return events;
    }

    int chain() {
        return chain;
    }

    private RecordingFormatException missing(int table) {
        Seal.Table t = seal.tables().get(table);
        long before = table == 0 ? 0 : eventsThrough[table - 1];
        return new RecordingFormatException(where(table) + ": the recording has " + Math.max(0, events - before) + " of the "
                + t.describe() + " the seal names: events are missing; keep a copy and move the recording away");
    }

    private String where(int table) {
        String name = fileNames.get(table);
        return name != null ? "table file " + name : "recording " + folder + " (table of journal segment " + seal.tables().get(table).segment() + ")";
    }
}
