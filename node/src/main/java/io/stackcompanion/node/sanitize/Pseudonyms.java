package io.stackcompanion.node.sanitize;

import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Request;
import io.stackcompanion.node.message.Result;
import io.stackcompanion.node.message.ViewChange;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The keyed pseudonym of every kind of customer value, and of whole client requests (re-signed by
 * a client key derived from the secret, so a replayed node's signature checks give what they gave);
 * VIEW_CHANGEs, whose content changes with the digests and roots in them, are re-signed the same way
 * by node keys derived from the secret, which replace the nodes' public keys in the copy's genesis.
 * Deterministic: the same key and value give the same pseudonym, on every node of the pool.
 * Counts the distinct values of each kind it replaced.
 */
final class Pseudonyms {
    /** Kinds of replaced values, as counted in {@code SANITIZED.json}. */
    static final String KEY = "operationKey";
    static final String VALUE = "operationValue";
    static final String TYPE = "operationType";
    static final String CLIENT = "clientIdentifier";
    static final String SIGNATURE = "signature";
    static final String ADDRESS = "clientAddress";
    static final String NODE_HOST = "nodeHost";

    /** Shorter values get pseudonyms of this many characters, so distinct values never collide. */
    private static final int MIN_LENGTH = 32;
    /** X.509 SubjectPublicKeyInfo prefix of an Ed25519 key; the 32-byte key follows. */
    private static final byte[] ED25519_X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final HexFormat HEX = HexFormat.of();

    private final SanitizeKey key;
    private final Map<String, Map<String, String>> cache = new HashMap<>();
    private final Map<String, byte[]> clientSeeds = new HashMap<>();
    private final Map<String, Set<String>> replaced = new TreeMap<>();
    private final Map<String, Request> requests = new HashMap<>();
    /** The original pool's node keys, against which VIEW_CHANGE signatures are checked. */
    private final Map<String, PublicKey> originalNodeKeys = new TreeMap<>();

    Pseudonyms(SanitizeKey key) {
        this.key = key;
    }

    /** How many distinct values of each kind were replaced. */
    Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        replaced.forEach((k, v) -> out.put(k, v.size()));
        return out;
    }

    /** Every original value replaced, by kind: what must appear nowhere in the sanitized copy. */
    Map<String, Set<String>> originals() {
        return replaced;
    }

    private void count(String kind, String original) {
        replaced.computeIfAbsent(kind, k -> new HashSet<>()).add(original);
    }

    /**
     * A hex pseudonym of {@code original} as long as it (in UTF-8 bytes; at least {@value #MIN_LENGTH}),
     * so a value's size, and checks on it, stay as they were; the empty string stays empty.
     */
    String text(String kind, String original) {
        if (original == null || original.isEmpty()) {
            return original;
        }
        return cache.computeIfAbsent(kind, k -> new HashMap<>()).computeIfAbsent(original, o -> {
            count(kind, o);
            int length = Math.max(o.getBytes(StandardCharsets.UTF_8).length, MIN_LENGTH);
            String hex = HEX.formatHex(key.expand(kind, o.getBytes(StandardCharsets.UTF_8), (length + 1) / 2));
            return hex.substring(0, length);
        });
    }

    Operation operation(Operation op) {
        if (op == null) {
            return null;
        }
        String type = switch (op.type()) {
            case Operation.PUT, Operation.GET, Operation.CAS -> op.type();
            default -> text(TYPE, op.type());
        };
        return new Operation(type, text(KEY, op.key()), op.value() == null ? null : text(VALUE, op.value()),
                op.expected() == null ? null : text(VALUE, op.expected()));
    }

    /** A GET's or CAS's result: a GET's value is a customer value like any other. */
    Result result(Result r) {
        return r == null || r.value() == null ? r : new Result(text(VALUE, r.value()), r.applied());
    }

    /**
     * A client's identifier: an Ed25519 public key becomes the public key of a client key derived
     * from the secret and the original; anything else (never a valid key) becomes a pseudonym that is
     * not a key either.
     */
    String identifier(String original) {
        if (original == null) {
            return null;
        }
        return cache.computeIfAbsent(CLIENT, k -> new HashMap<>()).computeIfAbsent(original, o -> {
            count(CLIENT, o);
            if (publicKey(o) == null) {
                return "not-a-key-" + HEX.formatHex(key.mac(CLIENT, o));
            }
            return publicKeyOf(seed(o));
        });
    }

    private static String publicKeyOf(byte[] seed) {
        byte[] pk = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(seed, 0, pk, 0);
        byte[] x509 = new byte[ED25519_X509_PREFIX.length + pk.length];
        System.arraycopy(ED25519_X509_PREFIX, 0, x509, 0, ED25519_X509_PREFIX.length);
        System.arraycopy(pk, 0, x509, ED25519_X509_PREFIX.length, pk.length);
        return Base64.getEncoder().encodeToString(x509);
    }

    /** The original pool's node keys: a VIEW_CHANGE is signed again only if it verified under them. */
    void originalNodes(PoolGenesis genesis) {
        genesis.nodes().forEach(n -> originalNodeKeys.put(n.name(), Keys.decodePublic(n.publicKey())));
    }

    /**
     * A node's public key in the copy: that of a node key derived from the secret and the node's name
     * (its VIEW_CHANGEs, whose content is sanitized, are signed again with it).
     */
    String nodePublicKey(String node) {
        return publicKeyOf(nodeSeed(node));
    }

    private byte[] nodeSeed(String node) {
        return key.mac("node-secret-key", node);
    }

    /**
     * {@code sanitized} (the original's content sanitized, unsigned) signed by its node's derived key if
     * the original's signature verified; one that did not verify gets a signature that does not either.
     */
    ViewChange viewChange(ViewChange original, ViewChange sanitized) {
        String signature = original.signature();
        if (signature == null) {
            return sanitized;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return sanitized.withSignature("not-base64-" + HEX.formatHex(key.mac(SIGNATURE, signature)));
        }
        PublicKey pk = original.node() == null ? null : originalNodeKeys.get(original.node());
        if (pk != null && Keys.verify(pk, Codec.signingBytes(original), decoded)) {
            byte[] data = Codec.signingBytes(sanitized);
            byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
            Ed25519.sign(nodeSeed(original.node()), 0, data, 0, data.length, sig, 0);
            return sanitized.withSignature(Base64.getEncoder().encodeToString(sig));
        }
        return sanitized.withSignature(Base64.getEncoder().encodeToString(key.expand(SIGNATURE, decoded, decoded.length)));
    }

    private byte[] seed(String identifier) {
        return clientSeeds.computeIfAbsent(identifier, i -> key.mac("client-secret-key", i));
    }

    private static PublicKey publicKey(String identifier) {
        try {
            return Keys.decodePublic(identifier);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The sanitized request: identifier, operation and signature replaced. A request whose signature
     * verified is signed again by its pseudonymous client's key (Ed25519 is deterministic: the same
     * bytes every time); one that did not verify gets a signature that does not either.
     */
    Request request(Request r) {
        String cacheKey = r.identifier() + "\n" + r.reqId() + "\n" + r.signature() + "\n" + Codec.digest(r);
        Request known = requests.get(cacheKey);
        if (known != null) {
            return known;
        }
        String identifier = identifier(r.identifier());
        Operation op = operation(r.operation());
        String signature = r.signature();
        if (signature != null) {
            count(SIGNATURE, signature);
            byte[] decoded = null;
            try {
                decoded = Base64.getDecoder().decode(signature);
            } catch (IllegalArgumentException e) {
                // not base64: stays not base64
            }
            Request unsigned = new Request(identifier, r.reqId(), op, null);
            if (decoded == null) {
                signature = "not-base64-" + HEX.formatHex(key.mac(SIGNATURE, signature));
            } else if (verifies(r, decoded)) {
                byte[] data = Codec.signingBytes(unsigned);
                byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
                Ed25519.sign(seed(r.identifier()), 0, data, 0, data.length, sig, 0);
                signature = Base64.getEncoder().encodeToString(sig);
            } else {
                signature = Base64.getEncoder().encodeToString(key.expand(SIGNATURE, decoded, decoded.length));
            }
        }
        Request out = new Request(identifier, r.reqId(), op, signature);
        requests.put(cacheKey, out);
        return out;
    }

    private static boolean verifies(Request r, byte[] signature) {
        if (r.identifier() == null || r.operation() == null) {
            return false;
        }
        PublicKey pk = publicKey(r.identifier());
        return pk != null && Keys.verify(pk, Codec.signingBytes(r), signature);
    }

    /**
     * A client connection's name ({@code host:port}): the host and the connection get separate
     * pseudonyms, so connections from one address still share a host.
     */
    String address(String peer) {
        return cache.computeIfAbsent(ADDRESS, k -> new HashMap<>()).computeIfAbsent(peer, p -> {
            count(ADDRESS, p);
            int colon = p.lastIndexOf(':');
            String host = colon < 0 ? p : p.substring(0, colon);
            return "client-" + HEX.formatHex(key.mac("client-host", host)).substring(0, 12) + ":"
                    + HEX.formatHex(key.mac("client-connection", p)).substring(0, 8);
        });
    }

    /** A node's host (with {@code --sanitize-hosts}): a name under {@code .invalid}, which resolves nowhere. */
    String nodeHost(String host) {
        return cache.computeIfAbsent(NODE_HOST, k -> new HashMap<>()).computeIfAbsent(host, h -> {
            count(NODE_HOST, h);
            return "node-" + HEX.formatHex(key.mac(NODE_HOST, h)).substring(0, 12) + ".invalid";
        });
    }
}
