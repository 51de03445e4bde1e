package io.stackcompanion.node.collect;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;

import java.io.ByteArrayOutputStream;
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
            String name = tar.rawName != null ? tar.rawName : e.getName();
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
     * bound on metadata it would read into memory, and the end-of-archive marker. It also keeps the
     * entry's name as its GNU long name or pax header wrote it, for Commons Compress strips a leading
     * {@code /} there, and the path check must see an absolute name to refuse it.
     */
    private static final class CheckedInput extends TarArchiveInputStream {
        private boolean endMarkerSeen;
        /** The content of the GNU long name or pax header being read, null between them. */
        private ByteArrayOutputStream metadata;
        private byte metadataType;
        /** The current entry's name as its long name or pax header wrote it; null if it had none. */
        String rawName;

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
            endOfMetadata();
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
                metadata = new ByteArrayOutputStream();
                metadataType = type;
            }
            return false;
        }

        private void endOfMetadata() {
            if (metadata == null) {
                return;
            }
            byte[] content = metadata.toByteArray();
            metadata = null;
            if (metadataType == TarConstants.LF_GNUTYPE_LONGNAME) {
                int end = content.length;
                while (end > 0 && content[end - 1] == 0) {
                    end--;
                }
                rawName = new String(content, 0, end, StandardCharsets.UTF_8);
            } else if (metadataType == TarConstants.LF_PAX_EXTENDED_HEADER_LC || metadataType == TarConstants.LF_PAX_EXTENDED_HEADER_UC) {
                String path = paxPath(content);
                rawName = path != null ? path : rawName;
            }
        }

        /** The path record of pax header content ("LENGTH key=value\n" records), already parsed once by Commons Compress. */
        private static String paxPath(byte[] records) {
            String path = null;
            try {
                int i = 0;
                while (i < records.length && records[i] != 0) {
                    int space = i;
                    while (records[space] != ' ') {
                        space++;
                    }
                    int length = Integer.parseInt(new String(records, i, space - i, StandardCharsets.US_ASCII));
                    if (length <= 0) {
                        throw new IllegalArgumentException("empty record");
                    }
                    String record = new String(records, space + 1, i + length - space - 2, StandardCharsets.UTF_8); // without '\n'
                    if (record.startsWith("path=")) {
                        path = record.substring("path=".length());
                    }
                    i = Math.addExact(i, length);
                }
            } catch (RuntimeException e) { // a length that is not a number or runs past the end
                throw new UncheckedFormat("a pax header is malformed");
            }
            return path;
        }

        @Override
        public int read(byte[] buf, int offset, int length) throws IOException {
            int n = super.read(buf, offset, length);
            if (metadata != null && n > 0) {
                metadata.write(buf, offset, n);
            }
            return n;
        }

        @Override
        public TarArchiveEntry getNextEntry() throws IOException {
            rawName = null; // (Commons Compress calls this again once it has read a long name or pax header)
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
