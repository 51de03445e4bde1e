package io.stackcompanion.node.crypto;

import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Keys#verify} answers exactly as Bouncy Castle's {@code Ed25519.verify} on the key's bytes,
 * on the inputs where Ed25519 implementations disagree: non-canonical S (S + L) and point encodings
 * (y &gt;= p, x = 0 with the sign bit), small-order A and R, and points with a small-order component,
 * where the cofactored equation (Bouncy Castle's) accepts and the cofactorless one (AWS-LC's,
 * libsodium's) rejects. The vectors are built here with the curve's arithmetic in BigInteger.
 */
class Ed25519EdgeCasesTest {
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    private static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    private static final BigInteger D = BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    private static final BigInteger SQRT_M1 = BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
    private static final Point O = new Point(BigInteger.ZERO, BigInteger.ONE);
    private static final Point B = decode(HexFormat.of().parseHex("5866666666666666666666666666666666666666666666666666666666666666"));
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private final Random random = new Random(25519);

    record Point(BigInteger x, BigInteger y) {
    }

    /** One input and what Bouncy Castle says of it. */
    record Vector(String name, byte[] a, byte[] message, byte[] signature) {
        boolean bc() {
            return Ed25519.verify(signature, 0, a, 0, message, 0, message.length);
        }
    }

    @Test
    void theCurveArithmeticHereIsRight() {
        byte[] seed = bytes(32);
        byte[] pk = new byte[32];
        Ed25519.generatePublicKey(seed, 0, pk, 0);
        assertThat(encode(mul(secretScalar(seed), B))).isEqualTo(pk);
        assertThat(mul(L, B)).isEqualTo(O);
        for (Point t : torsion()) {
            assertThat(mul(BigInteger.valueOf(8), t)).isEqualTo(O);
        }
        assertThat(torsion().stream().map(Ed25519EdgeCasesTest::encode).map(HexFormat.of()::formatHex).distinct()).hasSize(8);
    }

    @Test
    void verifyAnswersAsBouncyCastleOnEveryEdgeVector() throws InterruptedException {
        Keys.FAST_LOADER.join(); // AWS-LC where it loads, and Bouncy Castle for its rejections
        List<Vector> vectors = vectors();
        int bcAccepts = 0;
        for (Vector v : vectors) {
            boolean bc = v.bc();
            bcAccepts += bc ? 1 : 0;
            assertThat(Keys.verify(key(v.a()), v.message(), v.signature())).as(v.name()).isEqualTo(bc);
            // twice: the second answer comes from the key cache
            assertThat(Keys.verify(key(v.a()), v.message(), v.signature())).as(v.name() + ", again").isEqualTo(bc);
        }
        // The vectors reach both answers, including acceptances that only the cofactored equation gives.
        assertThat(bcAccepts).isGreaterThan(8 + 8 + 20);
        assertThat(vectors.size() - bcAccepts).isGreaterThan(100);
    }

    @Test
    void bouncyCastlesCachedPointAnswersAsItsBytes() {
        // Keys keeps validatePublicKeyPartialExport's point: the same checks of the key as verify on its bytes.
        for (Vector v : vectors()) {
            Ed25519.PublicPoint point = Ed25519.validatePublicKeyPartialExport(v.a(), 0);
            boolean viaPoint = point != null
                    && Ed25519.verify(v.signature(), 0, point, v.message(), 0, v.message().length);
            assertThat(viaPoint).as(v.name()).isEqualTo(v.bc());
        }
    }

    @Test
    void bouncyCastleAcceptsWhatOnlyTheCofactoredEquationAccepts() {
        // The answers the node's verify is held to (replays of old recordings depend on them).
        for (Vector v : vectors()) {
            if (v.name().startsWith("small-order R ") || v.name().startsWith("mixed-order R")
                    || v.name().startsWith("mixed-order A") || v.name().startsWith("valid")) {
                assertThat(v.bc()).as(v.name()).isTrue();
            }
            if (v.name().startsWith("S + L") || v.name().startsWith("small-order A") || v.name().startsWith("non-canonical")
                    || v.name().startsWith("R x = 0 with sign") || v.name().startsWith("S top bits")) {
                assertThat(v.bc()).as(v.name()).isFalse();
            }
        }
    }

    @Test
    void theFastPathNeverAcceptsWhatBouncyCastleRejects() throws Exception {
        Keys.FAST_LOADER.join();
        AwsLcEd25519 fast = AwsLcEd25519.INSTANCE;
        boolean linuxX64 = System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64");
        if (linuxX64) {
            assertThat(fast).as("AWS-LC loads and passes its self-test on Linux x86_64").isNotNull();
            assertThat(Keys.implementation()).startsWith("AWS-LC");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(fast != null, "AWS-LC does not load on this machine");
        int fastRejectsBcAccepts = 0;
        int fastAcceptsBcRejects = 0;
        for (Vector v : vectors()) {
            boolean fastAccepts;
            try {
                fastAccepts = fast.verify(Ed25519Der.publicFromRaw(v.a()), v.message(), v.signature());
            } catch (Exception e) {
                fastAccepts = false;
            }
            boolean bc = v.bc();
            // What Keys.verify lets AWS-LC decide: keys Bouncy Castle takes, R and S strictly encoded.
            boolean askedOfTheFastPath = Ed25519.validatePublicKeyPartialExport(v.a(), 0) != null
                    && VerifyingKeys.strictRAndS(v.signature());
            if (fastAccepts && !bc) {
                fastAcceptsBcRejects++;
                assertThat(askedOfTheFastPath).as(v.name() + ": AWS-LC accepts what Bouncy Castle rejects").isFalse();
            } else if (!fastAccepts && bc) {
                fastRejectsBcAccepts++;
            }
            if (!VerifyingKeys.strictRAndS(v.signature())) {
                assertThat(v.name()).as("only non-canonical R or S are kept from the fast path")
                        .containsAnyOf("S + L", "S top bits", "non-canonical R", "R x = 0 with sign");
            }
        }
        // They do differ both ways: AWS-LC takes a small-order key (so Bouncy Castle's key check comes
        // first), and rejects the cofactored acceptances (so Bouncy Castle decides every rejection).
        assertThat(fastAcceptsBcRejects).isGreaterThan(0);
        assertThat(fastRejectsBcAccepts).isGreaterThan(10);
    }

    @Test
    void signaturesAreBouncyCastlesByteForByte() throws Exception {
        for (int i = 0; i < 200; i++) {
            byte[] seed = bytes(32);
            byte[] message = bytes(random.nextInt(300));
            byte[] expected = new byte[64];
            Ed25519.sign(seed, 0, message, 0, message.length, expected, 0);
            assertThat(Keys.sign(Ed25519Der.privateFromSeed(seed), message)).isEqualTo(expected);
        }
        KeyPair kp = Keys.generate();
        byte[] message = "the request".getBytes(StandardCharsets.UTF_8);
        assertThat(Keys.sign(kp, message)).isEqualTo(Keys.sign(kp.getPrivate(), message));
    }

    @Test
    void theKeyCacheIsBoundedAndForgetsNothingThatMatters() {
        KeyPair kp = Keys.generate();
        byte[] message = "the request".getBytes(StandardCharsets.UTF_8);
        byte[] sig = Keys.sign(kp, message);
        assertThat(Keys.verify(kp.getPublic(), message, sig)).isTrue();
        for (int i = 0; i < VerifyingKeys.CAPACITY + 100; i++) {
            Keys.verify(key(bytes(32)), message, sig); // random bytes: mostly not a point; cached all the same
        }
        assertThat(VerifyingKeys.size()).isEqualTo(VerifyingKeys.CAPACITY);
        assertThat(Keys.verify(kp.getPublic(), message, sig)).isTrue(); // evicted, decoded again
        sig[5] ^= 4;
        assertThat(Keys.verify(kp.getPublic(), message, sig)).isFalse();
    }

    // ---- the vectors

    private List<Vector> vectors() {
        List<Vector> out = new ArrayList<>();
        List<Point> torsion = torsion();
        for (int i = 0; i < 20; i++) {
            byte[] seed = bytes(32);
            BigInteger a = secretScalar(seed);
            byte[] pk = encode(mul(a, B));
            byte[] m = bytes(1 + random.nextInt(200));
            byte[] sig = new byte[64];
            Ed25519.sign(seed, 0, m, 0, m.length, sig, 0);
            out.add(new Vector("valid " + i, pk, m, sig));
            BigInteger s = le(Arrays.copyOfRange(sig, 32, 64));
            out.add(new Vector("S + L " + i, pk, m, withS(sig, s.add(L))));
            byte[] high = sig.clone();
            high[63] |= (byte) 0xE0;
            out.add(new Vector("S top bits " + i, pk, m, high));
            byte[] flipped = sig.clone();
            flipped[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
            out.add(new Vector("bit flipped " + i, pk, m, flipped));

            Point t = torsion.get(1 + i % 7);
            // R of small order, S = k·a: [8](SB - R - kA) = O, while SB - kA = O != R.
            for (int j = 0; j < torsion.size(); j++) {
                byte[] r = encode(torsion.get(j));
                out.add(new Vector("small-order R " + j + "/" + i, pk, m, sign(r, pk, m, BigInteger.ZERO, a)));
            }
            // R with a small-order component: R = rB + T, S = r + k·a.
            BigInteger rr = new BigInteger(250, random);
            byte[] mixedR = encode(add(mul(rr, B), t));
            out.add(new Vector("mixed-order R " + i, pk, m, sign(mixedR, pk, m, rr, a)));
            // A with a small-order component: A = aB + T, R = rB, S = r + k·a (k over A's bytes).
            byte[] mixedA = encode(add(mul(a, B), t));
            out.add(new Vector("mixed-order A " + i, mixedA, m, sign(encode(mul(rr, B)), mixedA, m, rr, a)));
            // The identity as R with the sign bit set (x = 0 cannot be negative), S = k·a.
            byte[] negZero = encode(O);
            negZero[31] |= (byte) 0x80;
            out.add(new Vector("R x = 0 with sign " + i, pk, m, sign(negZero, pk, m, BigInteger.ZERO, a)));
        }
        byte[] m = bytes(40);
        BigInteger r = new BigInteger(250, random);
        byte[] rB = encode(mul(r, B));
        // Small-order A, each of the 8 points and with the sign bit flipped: R = rB, S = r.
        for (Point t : torsion) {
            for (int sign = 0; sign < 2; sign++) {
                byte[] a = encode(t);
                a[31] ^= (byte) (sign << 7);
                out.add(new Vector("small-order A " + HexFormat.of().formatHex(a), a, m, sign(rB, a, m, r, BigInteger.ZERO)));
                out.add(new Vector("small-order A, S = r + k " + HexFormat.of().formatHex(a), a, m,
                        sign(rB, a, m, r, BigInteger.ONE)));
            }
        }
        // Non-canonical encodings y + p of y = 0..18 (the only ones that fit in 255 bits), as A and as R.
        byte[] seed = bytes(32);
        BigInteger a = secretScalar(seed);
        byte[] pk = encode(mul(a, B));
        for (int y = 0; y <= 18; y++) {
            for (int sign = 0; sign < 2; sign++) {
                byte[] e = le32(P.add(BigInteger.valueOf(y)));
                e[31] |= (byte) (sign << 7);
                out.add(new Vector("non-canonical A y=" + y + " sign=" + sign, e, m, sign(rB, e, m, r, BigInteger.ONE)));
                out.add(new Vector("non-canonical R y=" + y + " sign=" + sign, pk, m, sign(e, pk, m, BigInteger.ZERO, a)));
            }
        }
        return out;
    }

    /** R, and S = r + k·a mod L with k = SHA-512(R || A || M) mod L. */
    private static byte[] sign(byte[] rEnc, byte[] aEnc, byte[] m, BigInteger r, BigInteger a) {
        byte[] sig = new byte[64];
        System.arraycopy(rEnc, 0, sig, 0, 32);
        BigInteger k = le(sha512(rEnc, aEnc, m)).mod(L);
        return withS(sig, r.add(k.multiply(a)).mod(L));
    }

    private static byte[] withS(byte[] sig, BigInteger s) {
        byte[] out = sig.clone();
        System.arraycopy(le32(s), 0, out, 32, 32);
        return out;
    }

    private static PublicKey key(byte[] a) {
        byte[] der = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + 32);
        System.arraycopy(a, 0, der, X509_PREFIX.length, 32);
        return new PublicKey() {
            @Override
            public String getAlgorithm() {
                return "Ed25519";
            }

            @Override
            public String getFormat() {
                return "X.509";
            }

            @Override
            public byte[] getEncoded() {
                return der.clone();
            }
        };
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    // ---- the curve, -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19), in BigInteger

    private static List<Point> torsion() {
        // A point of order 8 (its y is Bouncy Castle's ORDER8_y1); its multiples are the 8 small-order points.
        Point t8 = decode(HexFormat.of().parseHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"));
        List<Point> out = new ArrayList<>();
        Point q = O;
        for (int i = 0; i < 8; i++) {
            out.add(q);
            q = add(q, t8);
        }
        return out;
    }

    private static BigInteger secretScalar(byte[] seed) {
        byte[] h = sha512(seed);
        h[0] &= (byte) 248;
        h[31] &= 127;
        h[31] |= 64;
        return le(Arrays.copyOf(h, 32));
    }

    private static Point add(Point p, Point q) {
        BigInteger t = D.multiply(p.x()).multiply(q.x()).multiply(p.y()).multiply(q.y()).mod(P);
        BigInteger x = p.x().multiply(q.y()).add(p.y().multiply(q.x())).multiply(BigInteger.ONE.add(t).modInverse(P)).mod(P);
        BigInteger y = p.y().multiply(q.y()).add(p.x().multiply(q.x())).multiply(BigInteger.ONE.subtract(t).mod(P).modInverse(P)).mod(P);
        return new Point(x, y);
    }

    private static Point mul(BigInteger k, Point p) {
        Point r = O;
        for (int i = k.bitLength() - 1; i >= 0; i--) {
            r = add(r, r);
            if (k.testBit(i)) {
                r = add(r, p);
            }
        }
        return r;
    }

    private static byte[] encode(Point p) {
        byte[] e = le32(p.y());
        e[31] |= (byte) (p.x().testBit(0) ? 0x80 : 0);
        return e;
    }

    private static Point decode(byte[] e) {
        byte[] c = e.clone();
        int sign = (c[31] >> 7) & 1;
        c[31] &= 0x7F;
        BigInteger y = le(c);
        BigInteger y2 = y.multiply(y).mod(P);
        BigInteger x2 = y2.subtract(BigInteger.ONE).multiply(D.multiply(y2).add(BigInteger.ONE).modInverse(P)).mod(P);
        BigInteger x = x2.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
        if (!x.multiply(x).mod(P).equals(x2)) {
            x = x.multiply(SQRT_M1).mod(P);
        }
        if (!x.multiply(x).mod(P).equals(x2)) {
            throw new IllegalArgumentException("not a point");
        }
        if (x.testBit(0) != (sign == 1)) {
            x = P.subtract(x).mod(P);
        }
        return new Point(x, y.mod(P));
    }

    private static BigInteger le(byte[] b) {
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            be[i] = b[b.length - 1 - i];
        }
        return new BigInteger(1, be);
    }

    private static byte[] le32(BigInteger v) {
        byte[] out = new byte[32];
        byte[] be = v.toByteArray();
        for (int i = 0; i < be.length && i < 33; i++) {
            int j = be.length - 1 - i;
            if (i < 32) {
                out[i] = be[j];
            }
        }
        return out;
    }

    private static byte[] sha512(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-512");
            for (byte[] p : parts) {
                d.update(p);
            }
            return d.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
