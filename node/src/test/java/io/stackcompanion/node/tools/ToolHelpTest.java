package io.stackcompanion.node.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tools' main classes as an IDE runs them: {@code -h} and {@code --help} print the synopsis to
 * stdout and exit 0; bad arguments are one line on stderr and exit 2, as the scripts do.
 */
class ToolHelpTest {
    @TempDir
    Path dir;

    interface Main {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(Main main, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static final List<Main> MAINS = List.of(
            PoolMain::run,
            (a, o, e) -> LoadMain.run(a, o, e, false),
            (a, o, e) -> CollectMain.run(a, o, e, false),
            RecordingMain::run);

    @Test
    void helpGoesToStdoutWithExitZero() throws Exception {
        for (Main m : MAINS) {
            for (String flag : List.of("-h", "--help")) {
                Run r = run(m, flag);
                assertThat(r.exit()).as(r.err()).isZero();
                assertThat(r.out()).containsIgnoringCase("usage");
                assertThat(r.err()).isEmpty();
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void badArgumentsAreOneLineAndExitTwo() {
        List<Run> runs = List.of(
                run(RecordingMain::run, "stats", dir.toString(), "--jsn"),
                run(RecordingMain::run, "frob", dir.toString()),
                run(RecordingMain::run, "stats"),
                run(RecordingMain::run),
                run((a, o, e) -> LoadMain.run(a, o, e, false), "--requests", "5", "--clients", "1001"),
                run((a, o, e) -> LoadMain.run(a, o, e, false), "--requests", "5", "--rate", "Infinity"),
                run((a, o, e) -> LoadMain.run(a, o, e, false), "--requests", "1000000001"));
        for (Run r : runs) {
            assertThat(r.exit()).as(r.err()).isEqualTo(2);
            assertThat(r.err().lines()).as(r.err()).hasSize(1);
            assertThat(r.out()).isEmpty();
        }
        assertThat(runs.get(0).err()).startsWith("error: unknown option '--jsn'");
        assertThat(runs.get(1).err()).startsWith("error: unknown command 'frob'");
        assertThat(runs.get(4).err()).contains("--clients must be a whole number from 1 to 1000, not '1001'");
        assertThat(runs.get(5).err()).contains("--rate must be a number above 0 and at most 1000000, not 'Infinity'");
    }
}
