package io.stackcompanion.node.collect;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The little of POSIX tar a recording archive needs: the writer emits ustar entries for regular
 * files; the reader also takes what GNU tar and pax write for them (long names, pax paths,
 * directories), so an archive repacked with {@code tar czf} still unpacks. Links and special files
 * are refused: a recording archive holds regular files only.
 */
final class Tar {
    static final int BLOCK = 512;
    private static final long MAX_SIZE = 077777777777L; // 11 octal digits: 8 GiB - 1

    private Tar() {
    }

    /** Writes entries into {@code out}; {@link #finish()} writes the end-of-archive blocks. */
    static final class Writer {
        private final OutputStream out;
        private final long mtimeSeconds;

        Writer(OutputStream out, long mtimeSeconds) {
            this.out = out;
            this.mtimeSeconds = mtimeSeconds;
        }

        void addFile(String name, Path file) throws IOException {
            long size = Files.size(file);
            if (size > MAX_SIZE) {
                throw new IOException(file + " is larger than a tar entry holds (8 GiB)");
            }
            out.write(header(name, size, mtimeSeconds));
            long written;
            try (InputStream in = Files.newInputStream(file)) {
                written = in.transferTo(out);
            }
            if (written != size) {
                throw new IOException(file + " changed size while it was archived");
            }
            pad(size);
        }

        void addBytes(String name, byte[] content) throws IOException {
            out.write(header(name, content.length, mtimeSeconds));
            out.write(content);
            pad(content.length);
        }

        void finish() throws IOException {
            out.write(new byte[2 * BLOCK]);
        }

        private void pad(long size) throws IOException {
            int rest = (int) (size % BLOCK);
            if (rest != 0) {
                out.write(new byte[BLOCK - rest]);
            }
        }
    }

    static byte[] header(String name, long size, long mtimeSeconds) throws IOException {
        byte[] h = new byte[BLOCK];
        byte[] full = name.getBytes(StandardCharsets.UTF_8);
        String prefix = "";
        String base = name;
        if (full.length > 100) {
            int cut = -1;
            for (int i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
                if (utf8Length(name.substring(0, i)) <= 155 && utf8Length(name.substring(i + 1)) <= 100) {
                    cut = i;
                    break;
                }
            }
            if (cut < 0) {
                throw new IOException("path too long for a tar entry: " + name);
            }
            prefix = name.substring(0, cut);
            base = name.substring(cut + 1);
        }
        put(h, 0, 100, base.getBytes(StandardCharsets.UTF_8));
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtimeSeconds);
        h[156] = '0';
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        put(h, 345, 155, prefix.getBytes(StandardCharsets.UTF_8));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] chk = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void put(byte[] h, int at, int len, byte[] v) {
        System.arraycopy(v, 0, h, at, Math.min(len, v.length));
    }

    private static void octal(byte[] h, int at, int len, long v) {
        String s = Long.toOctalString(v);
        String padded = "0".repeat(len - 1 - s.length()) + s;
        put(h, at, len - 1, padded.getBytes(StandardCharsets.US_ASCII));
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
        byte[] h = new byte[BLOCK];
        String longName = null;
        while (true) {
            if (!readBlock(in, h)) {
                throw new FormatException("the archive ends without the end-of-archive marker: it is truncated");
            }
            if (allZero(h)) {
                return;
            }
            checkChecksum(h);
            long size = number(h, 124, 12);
            char type = (char) h[156];
            String name = longName != null ? longName : name(h);
            longName = null;
            switch (type) {
                case '0', '\0', '7' -> {
                    BoundedInput data = new BoundedInput(in, size);
                    visitor.file(name, size, data);
                    data.skipRest();
                    skipPadding(in, size);
                }
                case '5' -> {
                    visitor.directory(name);
                    skipData(in, size);
                }
                case 'L' -> longName = trimNul(new String(readData(in, size), StandardCharsets.UTF_8));
                case 'x' -> longName = paxPath(readData(in, size));
                case 'g' -> skipData(in, size);
                default -> throw new FormatException("entry '" + name + "' is a link or special file (tar type '" + type
                        + "'); a recording archive holds regular files only");
            }
        }
    }

    private static String name(byte[] h) {
        String base = cString(h, 0, 100);
        boolean ustar = cString(h, 257, 6).equals("ustar") && h[263] == '0' && h[264] == '0';
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? base : prefix + "/" + base;
    }

    private static String paxPath(byte[] records) throws FormatException {
        String path = null;
        int i = 0;
        while (i < records.length) {
            int sp = indexOf(records, (byte) ' ', i);
            if (sp < 0) {
                break;
            }
            int len;
            try {
                len = Integer.parseInt(new String(records, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new FormatException("a pax header is malformed");
            }
            if (len <= 0 || i + len > records.length) {
                throw new FormatException("a pax header is malformed");
            }
            String rec = new String(records, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8);
            if (rec.startsWith("path=")) {
                path = rec.substring(5);
            } else if (rec.startsWith("size=")) {
                throw new FormatException("pax size records are not supported; repack without them");
            }
            i += len;
        }
        return path;
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static void checkChecksum(byte[] h) throws FormatException {
        long expected;
        try {
            expected = number(h, 148, 8);
        } catch (FormatException e) {
            throw new FormatException("not a tar archive (a header has no valid checksum)");
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += (i >= 148 && i < 156) ? ' ' : h[i];
        }
        if (expected != unsigned && expected != signed) {
            throw new FormatException("not a tar archive, or a damaged one (a header checksum does not match)");
        }
    }

    private static long number(byte[] h, int at, int len) throws FormatException {
        if ((h[at] & 0x80) != 0) { // GNU base-256
            long v = h[at] & 0x7f;
            for (int i = at + 1; i < at + len; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        String s = cString(h, at, len).trim();
        if (s.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new FormatException("not a tar archive (a header field is not a number)");
        }
    }

    private static String cString(byte[] h, int at, int len) {
        int end = at;
        while (end < at + len && h[end] != 0) {
            end++;
        }
        return new String(h, at, end - at, StandardCharsets.UTF_8);
    }

    private static String trimNul(String s) {
        int i = s.indexOf('\0');
        return i < 0 ? s : s.substring(0, i);
    }

    private static boolean allZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean readBlock(InputStream in, byte[] h) throws IOException {
        int n = in.readNBytes(h, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw new FormatException("the archive is truncated");
        }
        return true;
    }

    private static byte[] readData(InputStream in, long size) throws IOException {
        if (size > 1 << 20) {
            throw new FormatException("a tar metadata entry is implausibly large");
        }
        byte[] b = in.readNBytes((int) size);
        if (b.length < size) {
            throw new FormatException("the archive is truncated");
        }
        skipPadding(in, size);
        return b;
    }

    private static void skipData(InputStream in, long size) throws IOException {
        skipFully(in, size);
        skipPadding(in, size);
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            skipFully(in, BLOCK - rest);
        }
    }

    private static void skipFully(InputStream in, long n) throws IOException {
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw new FormatException("the archive is truncated");
        }
    }

    /** The content of one entry: reads stop at its end. */
    private static final class BoundedInput extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInput(InputStream in, long size) {
            this.in = in;
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new FormatException("the archive is truncated");
            }
            left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new FormatException("the archive is truncated");
            }
            left -= n;
            return n;
        }

        void skipRest() throws IOException {
            skipFully(in, left);
            left = 0;
        }

        @Override
        public void close() {
            // the archive stream stays open for the next entry
        }
    }
}
