package io.stackcompanion.recorder;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * What a stack recording must hold, kept beside its RocksDB files in {@value #FILE}: every table
 * file of events (its key range, event count, size and the {@link Chain} value after its last
 * event), and which journal segments must exist. A reader that finds fewer events, another chain
 * value, a table file missing or of another size, or a journal segment missing, knows the
 * recording is damaged, and which part. RocksDB's own MANIFEST cannot tell: truncated, it opens a
 * database that silently lacks files.
 *
 * <p>Written (a new file, then renamed over the old one) when the recording is created, before
 * each table file is taken into RocksDB, when a journal segment is created, and at close. Events
 * after the last table are in journal segments {@code journalFrom..journalTo}, whose records carry
 * the chain themselves.
 *
 * <pre>
 * line 1  JSON: {"sealVersion":1,"tables":[{"segment":..,"firstKey":"hex","lastKey":"hex","events":..,"chain":"hex","bytes":..}],
 *               "journalFrom":..,"journalTo":..,"closed":..}
 * line 2  "crc32c " + 8 hex digits: CRC32C of line 1's bytes
 * </pre>
 *
 * @param sealVersion layout version ({@value #VERSION})
 * @param tables the table files of events in key order
 * @param journalFrom the first journal segment whose events are not in a table
 * @param journalTo the last journal segment created; segments {@code journalFrom..journalTo} must exist
 * @param closed whether the writer closed the recording (its journal then holds nothing)
 */
record Seal(int sealVersion, List<Table> tables, long journalFrom, long journalTo, boolean closed) {

    static final String FILE = "seal.json";
    static final int VERSION = 1;
    private static final String CRC_PREFIX = "crc32c ";

    Seal {
        tables = List.copyOf(tables);
    }

    /**
     * One table file of events.
     *
     * @param segment the journal segment it was made from (0 when it was not made from one)
     * @param firstKey its first event key, hex
     * @param lastKey its last event key, hex
     * @param events how many events it holds
     * @param chain the chain value after its last event, hex
     * @param bytes the file's size
     */
    record Table(long segment, String firstKey, String lastKey, long events, String chain, long bytes) {
        byte[] firstKeyBytes() {
            return HexFormat.of().parseHex(firstKey);
        }

        byte[] lastKeyBytes() {
            return HexFormat.of().parseHex(lastKey);
        }

        @JsonIgnore
        int chainValue() {
            return HexFormat.fromHexDigits(chain);
        }

        String describe() {
            return events + " events " + EventKey.fromBytes(firstKeyBytes()) + " .. " + EventKey.fromBytes(lastKeyBytes());
        }
    }

    static Seal empty() {
        return new Seal(VERSION, List.of(), 1, 0, false);
    }

    /** Events in the tables. */
    @JsonIgnore
    long events() {
        return tables.stream().mapToLong(Table::events).sum();
    }

    /** The chain value after the last event in a table ({@link Chain#START} for none). */
    @JsonIgnore
    int chain() {
        return tables.isEmpty() ? Chain.START : tables.get(tables.size() - 1).chainValue();
    }

    /** With one more table; one with the same first key as the last replaces it (made again after a failed take-in). */
    Seal withTable(Table table) {
        List<Table> more = new ArrayList<>(tables);
        if (!more.isEmpty() && more.get(more.size() - 1).firstKey().equals(table.firstKey())) {
            more.remove(more.size() - 1);
        }
        more.add(table);
        return new Seal(sealVersion, more, Math.max(journalFrom, table.segment() + 1), Math.max(journalTo, table.segment()), false);
    }

    Seal withJournal(long from, long to, boolean isClosed) {
        return new Seal(sealVersion, tables, from, to, isClosed);
    }

    /**
     * A seal for the events RocksDB holds now, table file by table file: what a recording of a
     * format before seals gets when a writer continues it (its events were checked one by one on
     * the way: value checksums and key order).
     */
    static Seal survey(RecordingDb db, long journalTo) {
        List<org.rocksdb.SstFileMetaData> files = db.eventTables();
        List<Table> tables = new ArrayList<>();
        Chain chainer = new Chain();
        int chain = Chain.START;
        HexFormat hex = HexFormat.of();
        try (org.rocksdb.RocksIterator it = db.db.newIterator(db.events)) {
            it.seekToFirst();
            for (org.rocksdb.SstFileMetaData file : files) {
                long events = 0;
                byte[] first = null;
                byte[] last = null;
                while (it.isValid() && java.util.Arrays.compareUnsigned(it.key(), file.largestKey()) <= 0) {
                    byte[] key = it.key();
                    byte[] value = it.value();
                    EventCodec.decode(key, value, db.folder);
                    if (last != null && java.util.Arrays.compareUnsigned(key, last) <= 0) {
                        throw new RecordingFormatException("recording " + db.folder + ": keys out of order at " + EventKey.fromBytes(key));
                    }
                    chain = chainer.next(chain, key, value);
                    first = first == null ? key : first;
                    last = key;
                    events++;
                    it.next();
                }
                db.check(it);
                if (events == 0 || !java.util.Arrays.equals(first, file.smallestKey())) {
                    throw new RecordingFormatException("recording " + db.folder + ": table file " + file.fileName()
                            + " overlaps another or is empty; it cannot be sealed");
                }
                tables.add(new Table(0, hex.formatHex(first), hex.formatHex(last), events, Chain.hex(chain), file.size()));
            }
            if (it.isValid()) {
                throw new RecordingFormatException("recording " + db.folder + ": events outside every table file; it cannot be sealed");
            }
            db.check(it);
        }
        return new Seal(VERSION, tables, journalTo + 1, journalTo, false);
    }

    static Path file(Path recording) {
        return recording.resolve(FILE);
    }

    /** The seal of the recording in {@code folder}, or empty when it has none. */
    static Optional<Seal> read(Path folder) {
        Path file = file(folder);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RecordingException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String json = newline < 0 ? text : text.substring(0, newline);
        String rest = newline < 0 ? "" : text.substring(newline + 1).strip();
        if (!rest.startsWith(CRC_PREFIX) || !rest.substring(CRC_PREFIX.length()).equals(crc(json))) {
            throw new RecordingFormatException(file + " is damaged (its checksum does not match): the recording's "
                    + "completeness cannot be checked; keep a copy and move the recording away");
        }
        try {
            Seal seal = Json.MAPPER.readValue(json, Seal.class);
            if (seal.sealVersion() > VERSION) {
                throw new RecordingFormatException(file + " has seal version " + seal.sealVersion() + ", newer than this build reads ("
                        + VERSION + "); use a newer Stack Companion");
            }
            return Optional.of(seal);
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new RecordingFormatException(file + " is damaged (" + e.getMessage().lines().findFirst().orElse("")
                    + "); keep a copy and move the recording away", e);
        }
    }

    /** Writes this seal into {@code folder}, replacing the old one in one step (a crash leaves one or the other). */
    void write(Path folder) {
        write(folder, true);
    }

    /**
     * @param durable whether to wait for the disk (fsync); without it the rename is still atomic
     *     for a crash of the process, and an OS crash may keep the previous seal
     */
    void write(Path folder, boolean durable) {
        Path file = file(folder);
        Path tmp = folder.resolve(FILE + ".tmp");
        boolean interrupted = Thread.interrupted(); // a channel would refuse an interrupted thread
        try {
            String json = Json.MAPPER.writeValueAsString(this);
            byte[] bytes = (json + "\n" + CRC_PREFIX + crc(json) + "\n").getBytes(StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (durable) {
                    channel.force(true);
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RecordingException("recording " + folder + ": cannot write " + file + ": " + e
                    + "; check free disk space", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String crc(String json) {
        CRC32C crc = new CRC32C();
        crc.update(json.getBytes(StandardCharsets.UTF_8));
        return Chain.hex((int) crc.getValue());
    }

    /**
     * The seal of a recording being written, shared by its writer (segments created) and its
     * ingester (tables taken in); every change is written at once.
     */
    static final class Keeper {
        private final Path folder;
        private Seal seal;

        Keeper(Path folder, Seal seal) {
            this.folder = folder;
            this.seal = seal;
        }

        synchronized Seal seal() {
            return seal;
        }

        synchronized void table(Table table) {
            update(seal.withTable(table));
        }

        /** A segment whose events were all in tables already was deleted. */
        synchronized void segmentGone(long segment) {
            update(seal.withJournal(Math.max(seal.journalFrom(), segment + 1), Math.max(seal.journalTo(), segment), false));
        }

        /**
         * On the writer's (the node's core) thread: no fsync, which would stall it for milliseconds;
         * after an OS crash the seal may then not require the newest segment, never require one
         * that was not made.
         */
        synchronized void segmentCreated(long segment) {
            update(seal.withJournal(seal.journalFrom(), Math.max(seal.journalTo(), segment), false), false);
        }

        /** The writer is open (again): the journal may grow. */
        synchronized void opened(long lastSegment) {
            update(seal.withJournal(seal.journalFrom(), Math.max(seal.journalTo(), lastSegment), false));
        }

        /** The writer closed with its journal empty. */
        synchronized void closed() {
            update(seal.withJournal(seal.journalFrom(), seal.journalFrom() - 1, true));
        }

        private void update(Seal next) {
            update(next, true);
        }

        private void update(Seal next, boolean durable) {
            if (!next.equals(seal)) {
                next.write(folder, durable);
                seal = next;
            }
        }
    }
}
