package io.stackcompanion.sim.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a client history: JSON Lines, one operation a line (README, "Client history"), e.g.
 * <pre>{"client":"c1","op":"CAS","key":"k3","input":{"expected":"a","value":"b"},"output":{"applied":true},"invoke":120,"return":180}</pre>
 * GET: {@code "input":{}}, {@code "output":{"value":"v"}} (null: absent); PUT: {@code "input":{"value":"v"}},
 * {@code "output":null}; no agreed reply: {@code "output":null,"return":null}. Other fields (the
 * debugging {@code seqNo}) are ignored. Blank lines are skipped. A line that is not such an operation
 * stops the reading with its number: nothing is checked on half a history.
 */
public final class HistoryReader {
    private HistoryReader() {
    }

    public static List<Operation> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new HistoryException("no history at " + file + (Files.isDirectory(file) ? " (it is a folder)" : "")
                    + "; pass a JSON Lines file as load.sh --history writes it");
        }
        List<Operation> ops = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = in.readLine()) != null) {
                line++;
                if (!text.isBlank()) {
                    ops.add(parse(file, line, text));
                }
            }
        } catch (CharacterCodingException e) {
            throw new HistoryException(file + " is not UTF-8 text; pass a JSON Lines history", e);
        } catch (IOException e) {
            throw new HistoryException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return ops;
    }

    /** One line, {@code line} its number in {@code file} (for the error). */
    public static Operation parse(Path file, int line, String text) {
        String where = file.getFileName() + " line " + line;
        JsonNode o;
        try {
            o = Codec.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new HistoryException(where + " is not JSON (" + e.getOriginalMessage() + "); each line is one operation", e);
        }
        if (o == null || !o.isObject()) {
            throw new HistoryException(where + " is not a JSON object; each line is one operation");
        }
        String client = text(o, "client", where, false);
        String op = text(o, "op", where, false);
        String key = text(o, "key", where, false);
        Operation.Kind kind;
        try {
            kind = Operation.Kind.valueOf(op);
        } catch (IllegalArgumentException e) {
            throw new HistoryException(where + ": \"op\" is PUT, GET or CAS, not \"" + op + "\"");
        }
        JsonNode input = o.get("input");
        if (input == null || !input.isObject()) {
            throw new HistoryException(where + ": \"input\" must be an object ({} for a GET)");
        }
        long invoke = time(o, "invoke", where, false);
        if (!o.has("return")) {
            throw new HistoryException(where + ": \"return\" is missing (null for an operation with no agreed reply)");
        }
        Long returned = o.get("return").isNull() ? null : time(o, "return", where, true);
        if (returned != null && returned < invoke) {
            throw new HistoryException(where + ": \"return\" " + returned + " is before \"invoke\" " + invoke);
        }
        if (!o.has("output")) {
            throw new HistoryException(where + ": \"output\" is missing (null for a PUT or when there is no reply)");
        }
        JsonNode output = o.get("output");
        if (returned == null && !output.isNull()) {
            throw new HistoryException(where + ": an operation with \"return\":null (no agreed reply) has \"output\":null, not " + output);
        }
        boolean needsOutput = returned != null && kind != Operation.Kind.PUT;
        if (needsOutput && !output.isObject()) {
            throw new HistoryException(where + ": a completed " + kind + " needs an \"output\" object, not " + output);
        }
        return switch (kind) {
            case PUT -> Operation.put(line, client, key, text(input, "value", where + " input", false), invoke, returned);
            case GET -> Operation.get(line, client, key, needsOutput ? text(output, "value", where + " output", true) : null,
                    invoke, returned);
            case CAS -> Operation.cas(line, client, key, text(input, "expected", where + " input", true),
                    text(input, "value", where + " input", false), invoke, returned,
                    needsOutput ? applied(output, where) : null);
        };
    }

    private static String text(JsonNode o, String field, String where, boolean nullable) {
        JsonNode v = o.get(field);
        if (v == null) {
            throw new HistoryException(where + ": \"" + field + "\" is missing");
        }
        if (v.isNull() && nullable) {
            return null;
        }
        if (!v.isTextual()) {
            throw new HistoryException(where + ": \"" + field + "\" must be a string" + (nullable ? " or null" : "") + ", not " + v);
        }
        return v.textValue();
    }

    private static long time(JsonNode o, String field, String where, boolean nullable) {
        JsonNode v = o.get(field);
        if (v == null) {
            throw new HistoryException(where + ": \"" + field + "\" is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new HistoryException(where + ": \"" + field + "\" must be a whole number of nanoseconds"
                    + (nullable ? " or null" : "") + ", not " + v);
        }
        return v.longValue();
    }

    private static boolean applied(JsonNode output, String where) {
        JsonNode v = output.get("applied");
        if (v == null || !v.isBoolean()) {
            throw new HistoryException(where + ": a CAS's \"output\" is {\"applied\":true|false}, not " + output);
        }
        return v.booleanValue();
    }
}
