package io.stackcompanion.sim.history;

import java.util.Objects;

/**
 * One client operation of a history, as one line of the JSON Lines file says it. {@code value} is
 * a PUT's or CAS's new value; {@code expected} a CAS's expected value ({@code null}: the key is
 * absent). A completed operation has {@code returned} set, and {@code read} (a GET's value,
 * {@code null}: absent) or {@code applied} (a CAS's result); one with no agreed reply has
 * {@code returned == null}: its effect is unknown, it may have taken effect at any time after
 * {@code invoke}, or never. {@code line} is its line in the file (1 is the first), to name it.
 */
public record Operation(int line, String client, Kind kind, String key, String value, String expected,
                        long invoke, Long returned, String read, Boolean applied) {

    /** The operations on a register. */
    public enum Kind { PUT, GET, CAS }

    public Operation {
        Objects.requireNonNull(client);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(key);
        if (returned != null && returned < invoke) {
            throw new IllegalArgumentException("returns before it is invoked");
        }
    }

    public static Operation put(int line, String client, String key, String value, long invoke, Long returned) {
        return new Operation(line, client, Kind.PUT, key, value, null, invoke, returned, null, null);
    }

    /** A GET; {@code returned == null}: no reply (then {@code read} is ignored). */
    public static Operation get(int line, String client, String key, String read, long invoke, Long returned) {
        return new Operation(line, client, Kind.GET, key, null, null, invoke, returned, returned == null ? null : read, null);
    }

    /** A CAS; {@code applied == null} and {@code returned == null}: no reply. */
    public static Operation cas(int line, String client, String key, String expected, String value, long invoke,
                                Long returned, Boolean applied) {
        return new Operation(line, client, Kind.CAS, key, value, expected, invoke, returned, null,
                returned == null ? null : applied);
    }

    /** Whether a reply was agreed: else the effect is unknown. */
    public boolean completed() {
        return returned != null;
    }

    /**
     * For people: {@code c2 GET k3 -> "x"}, {@code c1 CAS k3 "a"->"b" -> applied},
     * {@code c1 PUT k3 "v" -> no reply}.
     */
    public String describe() {
        String what = switch (kind) {
            case PUT -> "PUT " + key + " " + quote(value) + (completed() ? " -> ok" : "");
            case GET -> "GET " + key + (completed() ? " -> " + quote(read) : "");
            case CAS -> "CAS " + key + " " + quote(expected) + "->" + quote(value)
                    + (completed() ? " -> " + (applied ? "applied" : "not applied") : "");
        };
        return client + " " + what + (completed() ? "" : " -> no reply (effect unknown)");
    }

    /** A value for people: quoted, or {@code absent}. */
    public static String quote(String v) {
        return v == null ? "absent" : '"' + v + '"';
    }
}
