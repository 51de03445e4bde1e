package io.stackcompanion.node.collect;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The last line of defence against handing over a secret: every path that goes into an archive
 * must lie in a node's {@code recorder/} folder and outside any {@code keys/} folder, and no file
 * may contain an Ed25519 secret key as the node stores it (PKCS#8, raw DER or base64). Collection
 * only ever reads {@code recorder/}; this checks that it stayed so, whatever the folders held.
 */
final class SecretGuard {
    /** PKCS#8 header of an Ed25519 secret key as the JDK encodes it; the 32-byte seed follows. */
    static final byte[] PKCS8_DER = HexFormat.of().parseHex("302e020100300506032b657004220420");
    /** The same header base64-encoded, as in {@code data/<node>/keys/node.key}. */
    static final byte[] PKCS8_BASE64 = "MC4CAQAwBQYDK2VwBCIEI".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern ALLOWED = Pattern.compile("data/[^/]+/recorder/[^/].*");

    private SecretGuard() {
    }

    /** Refuses a path that is not inside a node's recorder folder, or that names a key. */
    static void checkPath(String archivePath) {
        boolean keyish = false;
        for (String segment : archivePath.split("/")) {
            keyish |= segment.equals("keys") || segment.endsWith(".key") || segment.equals("..");
        }
        if (!ALLOWED.matcher(archivePath).matches() || keyish) {
            throw new ArchiveException("refusing to archive " + archivePath
                    + ": only data/<node>/recorder/ goes into a recording archive, never keys");
        }
    }

    /** Finds a secret key's header in a stream of bytes fed in chunks. */
    static final class Scanner {
        private final Matcher der = new Matcher(PKCS8_DER);
        private final Matcher base64 = new Matcher(PKCS8_BASE64);
        private boolean found;

        void update(byte[] b, int off, int len) {
            for (int i = off; i < off + len && !found; i++) {
                found = der.step(b[i]) || base64.step(b[i]);
            }
        }

        boolean found() {
            return found;
        }
    }

    /** Knuth-Morris-Pratt over one pattern, byte by byte, so matches across chunk borders count. */
    private static final class Matcher {
        private final byte[] pattern;
        private final int[] fail;
        private int matched;

        Matcher(byte[] pattern) {
            this.pattern = pattern;
            this.fail = new int[pattern.length];
            for (int i = 1, k = 0; i < pattern.length; i++) {
                while (k > 0 && pattern[i] != pattern[k]) {
                    k = fail[k - 1];
                }
                if (pattern[i] == pattern[k]) {
                    k++;
                }
                fail[i] = k;
            }
        }

        boolean step(byte b) {
            while (matched > 0 && b != pattern[matched]) {
                matched = fail[matched - 1];
            }
            if (b == pattern[matched]) {
                matched++;
            }
            if (matched == pattern.length) {
                matched = fail[matched - 1];
                return true;
            }
            return false;
        }
    }
}
