package io.stackcompanion.node.collect;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The recording archive's tar, without a pool: archives written before Commons Compress still
 * unpack, pax and GNU extensions are read, and whatever is not a plain tree of regular files inside
 * the target folder is refused with one line naming the entry.
 */
class RecordingArchiveTest {
    /** Written by the hand-written tar writer this module had before Commons Compress (ustar, a name in the prefix field). */
    private static final String OLD_ARCHIVE = "written-by-the-hand-written-tar-writer.tar.gz";
    private static final String LONG_NAME = "data/Node1/recorder/initial-state/"
            + "a-table-file-whose-name-is-long-enough-that-ustar-needs-its-prefix-field-to-hold-the-path.sst";

    @TempDir
    Path tmp;

    @Test
    void anArchiveWrittenByTheOldTarWriterStillUnpacks() throws Exception {
        Manifest m = RecordingArchive.unpack(oldArchive(), Files.createDirectories(tmp.resolve("into")));
        assertThat(m.files()).extracting(Manifest.FileEntry::path).containsExactly(LONG_NAME,
                "data/Node1/recorder/node/000001.sst", "data/Node1/recorder/pool_genesis.json");
        assertThat(Files.size(tmp.resolve("into").resolve(LONG_NAME))).isEqualTo(1000);
    }

    @Test
    void anArchiveRepackedByGnuTarAsPaxOrGnuUnpacks() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        RecordingArchive.unpack(oldArchive(), tree);
        for (String format : List.of("pax", "gnu")) {
            Path repacked = tmp.resolve(format + ".tar.gz");
            exec(tree, "tar", "--format=" + format, "-czf", repacked.toString(), ".");
            Manifest m = RecordingArchive.unpack(repacked, Files.createDirectories(tmp.resolve("from-" + format)));
            assertThat(m.files()).as(format).hasSize(3);
        }
    }

    @Test
    void paxPathAndSizeRecordsAreRead() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        RecordingArchive.unpack(oldArchive(), tree);
        byte[] tar = tar(t -> {
            for (String name : List.of(RecordingArchive.MANIFEST, RecordingArchive.MANIFEST_SUM, LONG_NAME,
                    "data/Node1/recorder/node/000001.sst", "data/Node1/recorder/pool_genesis.json")) {
                byte[] content = Files.readAllBytes(tree.resolve(name));
                pax(t, paxRecord("path", name) + paxRecord("size", Long.toString(content.length)));
                file(t, "not-the-name", content); // the pax path wins over the ustar name
            }
        });
        Manifest m = RecordingArchive.unpack(gz("pax.tar.gz", tar), Files.createDirectories(tmp.resolve("into")));
        assertThat(m.files()).hasSize(3);
        assertThat(Files.readString(tmp.resolve("into/data/Node1/recorder/node/000001.sst"))).isEqualTo("the node stack's table file\n");
    }

    @Test
    void whatThisBuildWritesUnpacksWithLongNamesIntact() throws Exception {
        Path root = tmp.resolve("root");
        String name = "data/Node1/recorder/initial-state/" + "x".repeat(150) + ".sst";
        Files.createDirectories(root.resolve(name).getParent());
        Files.writeString(root.resolve(name), "content");
        Manifest m = new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION, "2026-12-02T07:00:00Z", "collect-recordings.sh",
                "test", "genesis", List.of(), List.of());
        Path archive = tmp.resolve("new.tar.gz");
        RecordingArchive.write(root, m, archive);
        Manifest read = RecordingArchive.unpack(archive, Files.createDirectories(tmp.resolve("into")));
        assertThat(read.files()).extracting(Manifest.FileEntry::path).containsExactly(name);
        assertThat(Files.readString(tmp.resolve("into").resolve(name))).isEqualTo("content");
    }

    @Test
    void linksAndSpecialFilesAreRefusedNamingTheEntry() throws Exception {
        for (byte type : new byte[] {TarConstants.LF_SYMLINK, TarConstants.LF_LINK, TarConstants.LF_CHR, TarConstants.LF_BLK,
                TarConstants.LF_FIFO}) {
            Path archive = gz("link-" + (char) type + ".tar.gz", tar(t -> {
                file(t, RecordingArchive.MANIFEST, new byte[0]);
                TarArchiveEntry link = new TarArchiveEntry("data/Node1/recorder/node/CURRENT", type);
                link.setLinkName("/etc/passwd");
                t.putArchiveEntry(link);
                t.closeArchiveEntry();
            }));
            Path into = Files.createDirectories(tmp.resolve("into-" + (char) type));
            assertThatThrownBy(() -> RecordingArchive.unpack(archive, into)).isInstanceOf(ArchiveException.class)
                    .hasMessage("recording archive " + archive + " is damaged or truncated (entry 'data/Node1/recorder/node/CURRENT'"
                            + " is a link or special file (tar type '" + (char) type + "'); a recording archive holds regular files only);"
                            + " get a fresh copy of it");
            assertThat(into.resolve("data/Node1/recorder/node/CURRENT")).doesNotExist();
        }
    }

    @Test
    void entriesOutsideTheFolderAreRefused() throws Exception {
        Path into = Files.createDirectories(tmp.resolve("into"));
        Path escape = tmp.resolve("escape.txt");
        for (String outside : List.of("../escape.txt", "data/../../escape.txt", "./../escape.txt", escape.toString())) {
            for (String how : List.of("ustar", "pax", "gnu")) {
                // the name in the header, in a pax path record, or in a GNU long name (so made longer than 100)
                String name = how.equals("gnu") ? outside + "/" + "y".repeat(100) : outside;
                Path archive = gz("outside.tar.gz", tar(how.equals("gnu") ? TarArchiveOutputStream.LONGFILE_GNU
                        : TarArchiveOutputStream.LONGFILE_POSIX, t -> {
                    if (how.equals("pax")) {
                        pax(t, paxRecord("path", name));
                    }
                    TarArchiveEntry e = new TarArchiveEntry(how.equals("pax") ? "not-the-name" : name, true);
                    e.setSize(3);
                    t.putArchiveEntry(e);
                    t.write("bad".getBytes(StandardCharsets.US_ASCII));
                    t.closeArchiveEntry();
                }));
                assertThatThrownBy(() -> RecordingArchive.unpack(archive, into)).as(how + " " + name)
                        .isInstanceOf(ArchiveException.class)
                        .hasMessage("recording archive " + archive + ": entry '" + name
                                + "' points outside the archive's folder; refusing to unpack it");
                assertThat(escape).as(how + " " + name).doesNotExist();
                Files.delete(archive);
            }
        }
    }

    @Test
    void aDamagedOrTruncatedTarIsRefused() throws Exception {
        byte[] good = tar(t -> file(t, RecordingArchive.MANIFEST, "{}".getBytes(StandardCharsets.US_ASCII)));

        byte[] badSum = good.clone();
        badSum[0] ^= 1;
        assertDamaged(gz("sum.tar.gz", badSum), "not a tar archive, or a damaged one (a header checksum does not match)");

        assertDamaged(gz("no-marker.tar.gz", Arrays.copyOf(good, 2 * 512)),
                "the archive ends without the end-of-archive marker: it is truncated");

        assertDamaged(gz("cut.tar.gz", Arrays.copyOf(good, 512 + 1)), "Truncated TAR archive");

        byte[] hugeName = tar(t -> {
            TarArchiveEntry pax = new TarArchiveEntry("PaxHeaders/entry", TarConstants.LF_PAX_EXTENDED_HEADER_LC);
            pax.setSize(2L << 20);
            t.putArchiveEntry(pax);
            t.write(new byte[2 << 20]);
            t.closeArchiveEntry();
        });
        assertDamaged(gz("huge.tar.gz", hugeName), "a tar metadata entry is implausibly large");

        Path notGzip = Files.writeString(tmp.resolve("plain.tar.gz"), "not an archive");
        assertDamaged(notGzip, "Not in GZIP format");
    }

    // --- helpers

    private void assertDamaged(Path archive, String why) throws IOException {
        Path into = Files.createDirectories(tmp.resolve("into-" + archive.getFileName()));
        assertThatThrownBy(() -> RecordingArchive.unpack(archive, into)).isInstanceOf(ArchiveException.class)
                .hasMessage("recording archive " + archive + " is damaged or truncated (" + why + "); get a fresh copy of it");
    }

    private Path oldArchive() throws IOException {
        Path copy = tmp.resolve(OLD_ARCHIVE);
        try (InputStream in = getClass().getResourceAsStream(OLD_ARCHIVE)) {
            Files.copy(in, copy);
        }
        return copy;
    }

    interface TarBody {
        void write(TarArchiveOutputStream t) throws IOException;
    }

    private static byte[] tar(TarBody body) throws IOException {
        return tar(TarArchiveOutputStream.LONGFILE_POSIX, body);
    }

    private static byte[] tar(int longFileMode, TarBody body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarArchiveOutputStream t = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
        t.setLongFileMode(longFileMode);
        body.write(t);
        t.finish();
        return bytes.toByteArray();
    }

    private static void file(TarArchiveOutputStream t, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        t.putArchiveEntry(e);
        t.write(content);
        t.closeArchiveEntry();
    }

    /** A pax extended header for the next entry. */
    private static void pax(TarArchiveOutputStream t, String records) throws IOException {
        byte[] bytes = records.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry pax = new TarArchiveEntry("PaxHeaders/entry", TarConstants.LF_PAX_EXTENDED_HEADER_LC);
        pax.setSize(bytes.length);
        t.putArchiveEntry(pax);
        t.write(bytes);
        t.closeArchiveEntry();
    }

    /** One pax record: its own length in decimal, a space, key=value, a newline. */
    private static String paxRecord(String key, String value) {
        String rest = " " + key + "=" + value + "\n";
        int len = rest.length() + 1;
        while (Integer.toString(len).length() + rest.length() != len) {
            len++;
        }
        return len + rest;
    }

    private Path gz(String name, byte[] tar) throws IOException {
        Path p = tmp.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(tar);
        }
        return p;
    }

    private static void exec(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + output).isZero();
    }
}
