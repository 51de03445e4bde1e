package io.stackcompanion.node.sanitize;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Request;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The last line of defence: every customer value the sanitizer met in the original (operation keys
 * and values, client identifiers, signatures, client addresses) is looked for again in what it
 * writes, value by value (every JSON string, also inside a ledger transaction, every peer, every
 * store key and value). Finding one is a bug in the sanitizer; it refuses rather than writes it.
 * Values shorter than {@value #MIN_LENGTH} characters are not looked for: they may equal a word
 * the protocol itself uses (a key named {@code PUT}); the pseudonyms replace them all the same.
 */
final class LeakCheck {
    static final int MIN_LENGTH = 8;
    private final Set<String> values = new HashSet<>();

    void add(String value) {
        if (value != null && value.length() >= MIN_LENGTH) {
            values.add(value);
        }
    }

    void addRequest(Request r) {
        add(r.identifier());
        add(r.signature());
        addOperation(r.operation());
    }

    void addOperation(Operation op) {
        if (op != null) {
            add(op.key());
            add(op.value());
            add(op.expected());
        }
    }

    /** The customer value in {@code peers} or the JSON {@code payload}, or null. */
    String find(List<String> peers, byte[] payload) {
        for (String peer : peers) {
            if (values.contains(peer)) {
                return peer;
            }
        }
        if (Codec.isBinary(payload)) {
            try {
                return find(Codec.tree(payload)); // a binary message, through its JSON form
            } catch (IllegalArgumentException e) {
                return null; // not a message: the sanitizer refuses such an event before this is asked
            }
        }
        if (payload.length == 0 || payload[0] != '{') {
            return null;
        }
        return find(Codec.tree(payload));
    }

    /** The customer value in a store's key or value (UTF-8 text, or JSON), or null. */
    String findInStore(byte[] key, byte[] value) {
        for (byte[] b : List.of(key, value)) {
            String s = new String(b, StandardCharsets.UTF_8);
            int colon = s.lastIndexOf(':');
            if (values.contains(s) || (colon > 0 && values.contains(s.substring(0, colon)))) {
                return s;
            }
            if (s.startsWith("{")) {
                String found = find(Codec.tree(b));
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private String find(JsonNode n) {
        if (n.isTextual()) {
            String t = n.asText();
            if (values.contains(t)) {
                return t;
            }
            if (t.startsWith("{")) {
                try {
                    return find(Codec.mapper().readTree(t));
                } catch (IOException e) {
                    return null; // not JSON: it was compared whole
                }
            }
            return null;
        }
        for (JsonNode child : n) {
            String found = find(child);
            if (found != null) {
                return found;
            }
        }
        return null;
    }
}
