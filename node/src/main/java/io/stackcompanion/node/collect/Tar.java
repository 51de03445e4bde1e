package io.stackcompanion.node.collect;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * The tar of a recording archive, over Commons Compress: the writer emits ustar entries for regular
 * files (pax headers only for what ustar cannot hold: long names, sizes of 8 GiB and more); the
 * reader takes what GNU tar and pax write (long names, pax paths and sizes, directories), so an
 * archive repacked with {@code tar czf} still unpacks. The archive is untrusted: links, devices,
 * sparse files, damaged headers, oversized metadata and a missing end-of-archive marker are refused.
 */
final class Tar {
    /** GNU long names and pax headers are read into memory; no real path needs more. */
    private static final long MAX_METADATA = 1 << 20;

    private Tar() {
    }

    /** Writes entries into {@code out}; {@link #finish()} writes the end-of-archive blocks. */
    static final class Writer {
        private final TarArchiveOutputStream tar;
        private final FileTime mtime;

        Writer(OutputStream out, long mtimeSeconds) {
            this.tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            this.mtime = FileTime.fromMillis(mtimeSeconds * 1000);
        }

        void addFile(String name, Path file) throws IOException {
            long size = Files.size(file);
            tar.putArchiveEntry(entry(name, size));
            long written = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buf)) > 0; written += n) {
                    if (written + n > size) {
                        throw new IOException(file + " changed size while it was archived");
                    }
                    tar.write(buf, 0, n);
                }
            }
            if (written != size) {
                throw new IOException(file + " changed size while it was archived");
            }
            tar.closeArchiveEntry();
        }

        void addBytes(String name, byte[] content) throws IOException {
            tar.putArchiveEntry(entry(name, content.length));
            tar.write(content);
            tar.closeArchiveEntry();
        }

        /** Ends the archive; {@code out} stays open for its owner to close. */
        void finish() throws IOException {
            tar.finish();
        }

        private TarArchiveEntry entry(String name, long size) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(size);
            e.setMode(0644);
            e.setLastModifiedTime(mtime);
            return e; // no user or group names: an archive leaves the operator's machine
        }
    }

    /** One entry as the reader found it; {@code data} is positioned at its content. */
    interface Visitor {
        /** A regular file of {@code size} bytes; read it from {@code data} (what is left is skipped). */
        void file(String name, long size, InputStream data) throws IOException;

        /** A directory entry. */
        void directory(String name) throws IOException;
    }

    /** Thrown for input that is not a tar archive of regular files. */
    static final class FormatException extends IOException {
        FormatException(String message) {
            super(message);
        }
    }

    /** Reads every entry of {@code in}. */
    static void read(InputStream in, Visitor visitor) throws IOException {
        CheckedInput tar = new CheckedInput(in);
        InputStream data = new EntryData(tar);
        for (TarArchiveEntry e; (e = next(tar)) != null; ) {
            String name = e.getName();
            byte type = e.getLinkFlag();
            if (e.isDirectory()) {
                visitor.directory(name);
            } else if (e.isSparse()) {
                throw new FormatException("entry '" + name + "' is a sparse file; repack the archive without --sparse");
            } else if (type == TarConstants.LF_NORMAL || type == TarConstants.LF_OLDNORM || type == TarConstants.LF_CONTIG) {
                visitor.file(name, e.getSize(), data);
            } else {
                throw new FormatException("entry '" + name + "' is a link or special file (tar type '" + (char) type
                        + "'); a recording archive holds regular files only");
            }
        }
    }

    private static TarArchiveEntry next(CheckedInput tar) throws FormatException {
        try {
            return tar.getNextEntry();
        } catch (FormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) { // Commons Compress reports a malformed header either way
            throw malformed(e);
        }
    }

    private static FormatException malformed(Exception e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        FormatException f = new FormatException(why);
        f.initCause(e);
        return f;
    }

    /**
     * Commons Compress's reader with the checks it leaves to its caller, made on every raw header
     * (including those it consumes itself: GNU long names and pax headers): the header checksum, a
     * bound on metadata it would read into memory, and the end-of-archive marker.
     */
    private static final class CheckedInput extends TarArchiveInputStream {
        private boolean endMarkerSeen;

        CheckedInput(InputStream in) {
            super(in, StandardCharsets.UTF_8.name());
        }

        @Override
        protected boolean isEOFRecord(byte[] record) {
            if (endMarkerSeen) {
                return super.isEOFRecord(record);
            }
            if (record == null) {
                throw new TruncatedException();
            }
            if (super.isEOFRecord(record)) {
                endMarkerSeen = true;
                return true;
            }
            if (!TarUtils.verifyCheckSum(record)) {
                throw new UncheckedFormat("not a tar archive, or a damaged one (a header checksum does not match)");
            }
            byte type = record[TarConstants.NAMELEN + TarConstants.MODELEN + TarConstants.UIDLEN + TarConstants.GIDLEN
                    + TarConstants.SIZELEN + TarConstants.MODTIMELEN + TarConstants.CHKSUMLEN];
            if (type == TarConstants.LF_GNUTYPE_LONGNAME || type == TarConstants.LF_GNUTYPE_LONGLINK
                    || type == TarConstants.LF_PAX_EXTENDED_HEADER_LC || type == TarConstants.LF_PAX_EXTENDED_HEADER_UC
                    || type == TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER) {
                int sizeAt = TarConstants.NAMELEN + TarConstants.MODELEN + TarConstants.UIDLEN + TarConstants.GIDLEN;
                long size;
                try {
                    size = TarUtils.parseOctalOrBinary(record, sizeAt, TarConstants.SIZELEN);
                } catch (IllegalArgumentException e) {
                    throw new UncheckedFormat("not a tar archive (a header field is not a number)");
                }
                if (size > MAX_METADATA) {
                    throw new UncheckedFormat("a tar metadata entry is implausibly large");
                }
            }
            return false;
        }

        @Override
        public TarArchiveEntry getNextEntry() throws IOException {
            try {
                return super.getNextEntry();
            } catch (TruncatedException e) {
                throw new FormatException("the archive ends without the end-of-archive marker: it is truncated");
            } catch (UncheckedFormat e) {
                throw new FormatException(e.getMessage());
            }
        }
    }

    /** {@link TarArchiveInputStream#isEOFRecord} cannot throw a checked exception; carried out through it. */
    private static class UncheckedFormat extends RuntimeException {
        UncheckedFormat(String message) {
            super(message, null, false, false);
        }
    }

    private static final class TruncatedException extends UncheckedFormat {
        TruncatedException() {
            super("truncated");
        }
    }

    /** The current entry's content: a read error is the archive's fault, and closing leaves the archive open. */
    private static final class EntryData extends FilterInputStream {
        EntryData(InputStream tar) {
            super(tar);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                throw e instanceof FormatException f ? f : malformed(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw e instanceof FormatException f ? f : malformed(e);
            }
        }

        @Override
        public void close() {
            // the archive stream stays open for the next entry
        }
    }
}
