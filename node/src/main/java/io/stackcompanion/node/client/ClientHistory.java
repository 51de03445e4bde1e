package io.stackcompanion.node.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Reply;
import io.stackcompanion.node.message.Result;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The client history a load run ({@code load.sh --history}) or a simulated run ({@code dst.sh})
 * writes: one JSON line per operation sent, the format in the README ("Client history"), which
 * {@code dst.sh check} reads.
 */
public final class ClientHistory {
    /**
     * One operation: who sent it ({@code c1}..), what, when it was invoked, and its agreed reply with
     * the time it returned, or a null reply (then its effect is unknown and {@code returned} is ignored).
     */
    public record Entry(String client, Operation op, long invoke, Reply reply, long returned) {
    }

    private ClientHistory() {
    }

    /**
     * What a client learns of a key from an agreed reply: a PUT's value, a GET's value (if present),
     * an applied CAS's value. A CAS expects what its client last learned.
     */
    public static void learn(Map<String, String> known, Operation op, Reply reply) {
        Result result = reply.result();
        switch (op.type()) {
            case Operation.PUT -> known.put(op.key(), op.value());
            case Operation.GET -> {
                if (result != null && result.value() != null) {
                    known.put(op.key(), result.value());
                }
            }
            default -> {
                if (result != null && Boolean.TRUE.equals(result.applied())) {
                    known.put(op.key(), op.value());
                }
            }
        }
    }

    /**
     * Writes the history as JSON Lines, ordered by invoke time (ties in the given order): to a
     * temporary file first, then moved in place, so a reader never sees half of it. Times are
     * nanoseconds since {@code origin}.
     */
    public static void write(Path file, List<Entry> entries, long origin) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::invoke));
        StringBuilder out = new StringBuilder();
        for (Entry e : sorted) {
            out.append(new String(Codec.toBytes(line(e, origin)), StandardCharsets.UTF_8)).append('\n');
        }
        Path dir = file.toAbsolutePath().getParent();
        try {
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, out);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the history " + file + ": " + e.getMessage(), e);
        }
    }

    /** One line of the history. */
    public static ObjectNode line(Entry e, long origin) {
        ObjectNode o = Codec.mapper().createObjectNode();
        Operation op = e.op();
        o.put("client", e.client()).put("op", op.type()).put("key", op.key());
        ObjectNode input = o.putObject("input");
        if (op.expected() != null) {
            input.put("expected", op.expected());
        }
        if (op.value() != null) {
            input.put("value", op.value());
        }
        Reply reply = e.reply();
        if (reply == null || Operation.PUT.equals(op.type())) {
            o.putNull("output");
        } else if (Operation.GET.equals(op.type())) {
            o.putObject("output").put("value", reply.result() == null ? null : reply.result().value());
        } else {
            o.putObject("output").put("applied", reply.result() != null && Boolean.TRUE.equals(reply.result().applied()));
        }
        o.put("invoke", e.invoke() - origin);
        if (reply == null) {
            o.putNull("return");
        } else {
            o.put("return", e.returned() - origin).put("seqNo", reply.seqNo());
        }
        return o;
    }
}
