package io.stackcompanion.node.collect;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackcompanion.node.message.Codec;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * A recording archive: a {@code .tar.gz} holding {@code data/<node>/recorder/...} of one or more
 * nodes, {@code MANIFEST.json} (every file's path, size and SHA-256, and what each node's
 * recording holds) and {@code MANIFEST.json.sha256}. Written atomically; unpacked only into a fresh
 * folder, and only trusted once every byte matches the manifest.
 */
public final class RecordingArchive {
    public static final String MANIFEST = "MANIFEST.json";
    public static final String MANIFEST_SUM = "MANIFEST.json.sha256";
    private static final String DAMAGED = "; the archive was damaged or altered in transit";
    private static final ObjectMapper LENIENT = Codec.mapper().copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private RecordingArchive() {
    }

    /** Whether {@code path} is an archive file (rather than a folder): a regular file named *.tar.gz or *.tgz. */
    public static boolean isArchive(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        return Files.isRegularFile(path) && hasArchiveName(name);
    }

    static boolean hasArchiveName(String name) {
        return name.endsWith(".tar.gz") || name.endsWith(".tgz");
    }

    /**
     * Archives every regular file under {@code root} (which must hold only {@code data/<node>/recorder/...})
     * with {@code manifest} completed by the file list, into {@code out}: written to a temporary
     * file beside it and moved into place, so {@code out} is either absent or whole.
     *
     * @return the manifest as written
     * @throws ArchiveException if a file is outside a recorder folder or holds a secret key
     */
    public static Manifest write(Path root, Manifest manifest, Path out) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted(java.util.Comparator.comparing(p -> relative(root, p))).toList();
        }
        List<Manifest.FileEntry> entries = new ArrayList<>();
        for (Path f : files) {
            String rel = relative(root, f);
            SecretGuard.checkPath(rel);
            entries.add(digest(f, rel, true));
        }
        Manifest full = manifest.withFiles(entries);
        byte[] manifestBytes = Codec.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(full);
        byte[] sum = (sha256Hex(manifestBytes) + "  " + MANIFEST + "\n").getBytes(StandardCharsets.US_ASCII);
        Path parent = out.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(parent, "." + out.getFileName() + ".", ".partial");
        try {
            long mtime = System.currentTimeMillis() / 1000;
            try (OutputStream fileOut = Files.newOutputStream(tmp, StandardOpenOption.WRITE);
                 GZIPOutputStream gz = new GZIPOutputStream(new BufferedOutputStream(fileOut, 1 << 16), 1 << 16)) {
                Tar.Writer tar = new Tar.Writer(gz, mtime);
                tar.addBytes(MANIFEST, manifestBytes);
                tar.addBytes(MANIFEST_SUM, sum);
                for (int i = 0; i < files.size(); i++) {
                    tar.addFile(entries.get(i).path(), files.get(i));
                }
                tar.finish();
            }
            try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            return full;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Unpacks {@code archive} into the empty folder {@code into} and checks it against its manifest:
     * the manifest's own checksum, then every listed file's size and SHA-256, then that nothing
     * unlisted came with it.
     *
     * @return the manifest
     * @throws ArchiveException naming the archive and the first bad file
     */
    public static Manifest unpack(Path archive, Path folder) {
        Path into = folder.toAbsolutePath().normalize();
        String what = "recording archive " + archive;
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16)) {
            Tar.read(in, new Tar.Visitor() {
                @Override
                public void file(String name, long size, InputStream data) throws IOException {
                    Path target = safeTarget(what, into, name);
                    Files.createDirectories(target.getParent());
                    try (OutputStream o = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        data.transferTo(o);
                    } catch (FileAlreadyExistsException e) {
                        throw new ArchiveException(what + ": " + name + " appears twice in the archive; it was altered");
                    }
                }

                @Override
                public void directory(String name) throws IOException {
                    Path target = safeTarget(what, into, name);
                    if (!target.equals(into)) {
                        Files.createDirectories(target);
                    }
                }
            });
        } catch (ZipException | EOFException | Tar.FormatException e) {
            throw new ArchiveException(what + " is damaged or truncated (" + e.getMessage() + "); get a fresh copy of it");
        } catch (IOException e) {
            throw new ArchiveException("cannot unpack " + what + " into " + into + ": " + e.getMessage(), e);
        }
        return check(what, into);
    }

    private static Manifest check(String what, Path root) {
        Path manifestFile = root.resolve(MANIFEST);
        Path sumFile = root.resolve(MANIFEST_SUM);
        if (!Files.isRegularFile(manifestFile) || !Files.isRegularFile(sumFile)) {
            throw new ArchiveException(what + " has no " + (Files.isRegularFile(manifestFile) ? MANIFEST_SUM : MANIFEST)
                    + ": it is not an archive from collect-recordings.sh, or it was altered");
        }
        byte[] manifestBytes;
        String sum;
        try {
            manifestBytes = Files.readAllBytes(manifestFile);
            sum = Files.readString(sumFile, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new ArchiveException("cannot read the manifest of " + what + ": " + e.getMessage(), e);
        }
        if (!sum.equals(sha256Hex(manifestBytes) + "  " + MANIFEST)) {
            throw new ArchiveException(what + ": " + MANIFEST + " does not match its checksum in " + MANIFEST_SUM + DAMAGED);
        }
        Manifest manifest;
        try {
            JsonNode tree = LENIENT.readTree(manifestBytes);
            if (tree == null || !Manifest.FORMAT.equals(tree.path("format").asText())) {
                throw new ArchiveException(what + ": " + MANIFEST + " is not a recording archive manifest");
            }
            if (tree.path("formatVersion").asInt() > Manifest.FORMAT_VERSION) {
                throw new ArchiveException(what + " has archive format " + tree.path("formatVersion").asInt()
                        + ", newer than this build reads (" + Manifest.FORMAT_VERSION + "); use a newer Stack Companion");
            }
            manifest = LENIENT.treeToValue(tree, Manifest.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new ArchiveException(what + ": " + MANIFEST + " is not valid (" + e.getMessage().lines().findFirst().orElse("")
                    + ")" + DAMAGED);
        }
        TreeSet<String> listed = new TreeSet<>();
        for (Manifest.FileEntry f : manifest.files()) {
            Path file = safeTarget(what, root, f.path());
            listed.add(f.path());
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new ArchiveException(what + ": " + f.path() + " is listed in " + MANIFEST + " but missing from the archive" + DAMAGED);
            }
            Manifest.FileEntry actual;
            try {
                actual = digest(file, f.path(), false);
            } catch (IOException e) {
                throw new ArchiveException("cannot read " + file + ": " + e.getMessage(), e);
            }
            if (actual.size() != f.size() || !actual.sha256().equalsIgnoreCase(f.sha256())) {
                throw new ArchiveException(what + ": " + f.path() + " does not match its checksum in " + MANIFEST + DAMAGED);
            }
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                String rel = relative(root, p);
                if (!listed.contains(rel) && !rel.equals(MANIFEST) && !rel.equals(MANIFEST_SUM)) {
                    throw new ArchiveException(what + ": " + rel + " is in the archive but not listed in " + MANIFEST
                            + "; the archive was altered");
                }
            }
        } catch (IOException e) {
            throw new ArchiveException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return manifest;
    }

    /** The target of an archive entry inside {@code root}; refuses absolute paths and {@code ..}. */
    private static Path safeTarget(String what, Path root, String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        boolean bad = n.startsWith("/") || n.contains("\\") || n.contains("\0");
        for (String segment : n.split("/")) {
            bad |= segment.equals("..");
        }
        Path target = root.resolve(n).normalize();
        if (bad || !target.startsWith(root)) {
            throw new ArchiveException(what + ": entry '" + name + "' points outside the archive's folder; refusing to unpack it");
        }
        return target;
    }

    /** Size and SHA-256 of a file; with {@code guard}, refuses one that holds a secret key. */
    static Manifest.FileEntry digest(Path file, String rel, boolean guard) throws IOException {
        MessageDigest sha = sha256();
        SecretGuard.Scanner scanner = new SecretGuard.Scanner();
        long size = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                if (guard) {
                    scanner.update(buf, 0, n);
                }
                size += n;
            }
        }
        if (scanner.found()) {
            throw new ArchiveException("refusing to archive " + rel + ": it holds what looks like a secret key (PKCS#8 Ed25519)");
        }
        return new Manifest.FileEntry(rel, size, HexFormat.of().formatHex(sha.digest()));
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }
}
