package io.stackcompanion.sim.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The documented history lines are read as operations; anything else is refused with its line number. */
class HistoryReaderTest {
    @TempDir
    Path dir;

    private static final String GOOD = "{\"client\":\"c1\",\"op\":\"PUT\",\"key\":\"k\",\"input\":{\"value\":\"v\"},\"output\":null,"
            + "\"invoke\":5,\"return\":9,\"seqNo\":3}";

    @Test
    void readsEveryKindOfOperationAndSkipsBlankLines() throws Exception {
        Path f = Files.writeString(dir.resolve("h.jsonl"), GOOD + "\n\n"
                + "{\"client\":\"c2\",\"op\":\"GET\",\"key\":\"k\",\"input\":{},\"output\":{\"value\":null},\"invoke\":6,\"return\":7}\n"
                + "{\"client\":\"c3\",\"op\":\"CAS\",\"key\":\"k\",\"input\":{\"expected\":null,\"value\":\"w\"},\"output\":{\"applied\":false},"
                + "\"invoke\":6,\"return\":8}\n"
                + "{\"client\":\"c4\",\"op\":\"CAS\",\"key\":\"k\",\"input\":{\"expected\":\"v\",\"value\":\"w\"},\"output\":null,"
                + "\"invoke\":10,\"return\":null}\n");
        List<Operation> ops = HistoryReader.read(f);
        assertThat(ops).containsExactly(
                Operation.put(1, "c1", "k", "v", 5, 9L),
                Operation.get(3, "c2", "k", null, 6, 7L),
                Operation.cas(4, "c3", "k", null, "w", 6, 8L, false),
                Operation.cas(5, "c4", "k", "v", "w", 10, null, null));
        assertThat(ops.get(3).completed()).isFalse();
    }

    @Test
    void aMalformedLineIsNamedWithWhatIsWrong() throws Exception {
        assertRefused("{\"client\":\"c1\"", "h.jsonl line 2 is not JSON (");
        assertRefused("[1,2]", "h.jsonl line 2 is not a JSON object; each line is one operation");
        assertRefused(GOOD.replace("\"return\":9", "\"return\":4"), "h.jsonl line 2: \"return\" 4 is before \"invoke\" 5");
        assertRefused(GOOD.replace("\"invoke\":5", "\"invoke\":\"5\""),
                "h.jsonl line 2: \"invoke\" must be a whole number of nanoseconds, not \"5\"");
        assertRefused(GOOD.replace(",\"output\":null", ""), "h.jsonl line 2: \"output\" is missing (null for a PUT or when there is no reply)");
        assertRefused(GOOD.replace("\"return\":9", "\"return\":null").replace("\"output\":null", "\"output\":{}"),
                "h.jsonl line 2: an operation with \"return\":null (no agreed reply) has \"output\":null, not {}");
        assertRefused(GOOD.replace("\"PUT\"", "\"GET\"").replace("{\"value\":\"v\"}", "{}"),
                "h.jsonl line 2: a completed GET needs an \"output\" object, not null");
        assertRefused(GOOD.replace("\"PUT\"", "\"CAS\"").replace("\"output\":null", "\"output\":{\"applied\":1}"),
                "h.jsonl line 2 input: \"expected\" is missing");
        assertRefused(GOOD.replace("\"PUT\"", "\"CAS\"").replace("{\"value\":\"v\"}", "{\"expected\":\"v\",\"value\":\"w\"}")
                .replace("\"output\":null", "\"output\":{\"applied\":1}"),
                "h.jsonl line 2: a CAS's \"output\" is {\"applied\":true|false}, not {\"applied\":1}");
        assertRefused(GOOD.replace("\"value\":\"v\"", "\"value\":7"), "h.jsonl line 2 input: \"value\" must be a string, not 7");
    }

    private void assertRefused(String line, String message) throws Exception {
        Path f = Files.writeString(dir.resolve("h.jsonl"), GOOD + "\n" + line + "\n" + GOOD + "\n");
        assertThatThrownBy(() -> HistoryReader.read(f)).isInstanceOf(HistoryException.class).hasMessageStartingWith(message);
    }

    @Test
    void aMissingFileOrAFolderIsRefused() {
        assertThatThrownBy(() -> HistoryReader.read(dir)).hasMessageContaining("(it is a folder)");
        assertThatThrownBy(() -> HistoryReader.read(dir.resolve("none.jsonl"))).hasMessageStartingWith("no history at ");
    }
}
