package io.stackcompanion.node.scripts;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every script, run as a user would in an empty working folder: {@code -h}/{@code --help} print the
 * synopsis and touch nothing; a bad command line is one line on stderr saying what is wrong, exit 2,
 * no stack trace, nothing created, no build started. No pool is started here.
 */
class CommandLineHygieneTest {
    static final List<String> SCRIPTS = List.of("pool.sh", "load.sh", "collect-recordings.sh", "recording.sh", "replay.sh",
            "bench.sh", "demo.sh", "dst.sh", "planted-bugs.sh", "pit.sh");

    @TempDir
    Path cwd;
    @TempDir
    Path traceDir;

    @BeforeEach
    void aFileAndAFolderToPointAt() throws IOException {
        Files.writeString(cwd.resolve("a-file"), "x");
        Files.writeString(cwd.resolve("old.tar.gz"), "x");
    }

    static Stream<Arguments> helpFlags() {
        return SCRIPTS.stream().flatMap(s -> Stream.of(Arguments.of(s, "-h"), Arguments.of(s, "--help")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("helpFlags")
    void helpPrintsTheSynopsisToStdoutExitsZeroAndTouchesNothing(String script, String flag) throws Exception {
        List<String> before = listing();
        // Also after a command or other options: help wins wherever it is.
        for (String[] args : List.of(new String[] {flag}, new String[] {"--json", flag})) {
            Scripts.Result r = run(script, args);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.stdout()).as(r.toString()).startsWith("usage: scripts/" + script).contains("exit: 0");
            assertThat(r.stderr()).as(r.toString()).isEmpty();
        }
        assertThat(listing()).isEqualTo(before);
        assertNoBuild();
    }

    @Test
    void poolHelpAsTheCommandCreatesNoPoolFolder() throws Exception {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"up", "--help"}, new String[] {"status", "-h"})) {
            Scripts.Result r = run("pool.sh", args);
            assertThat(r.exitCode()).as(r.toString()).isZero();
        }
        assertThat(cwd.resolve("pool")).doesNotExist();
    }

    /** Script, arguments, and what the one line must say. */
    static Stream<Arguments> badCommandLines() {
        List<Arguments> a = new ArrayList<>();
        // pool.sh
        bad(a, "pool.sh", "needs a command: up, down, status");
        bad(a, "pool.sh", "unknown command 'frob' for pool.sh", "frob");
        bad(a, "pool.sh", "unknown command '--nodes' for pool.sh", "--nodes", "4");
        bad(a, "pool.sh", "--nodes needs a number of nodes", "up", "--nodes");
        bad(a, "pool.sh", "--nodes must be a whole number from 1 to 100, not '0'", "up", "--nodes", "0");
        bad(a, "pool.sh", "--nodes must be a whole number from 1 to 100, not '-1'", "up", "--nodes", "-1");
        bad(a, "pool.sh", "--nodes must be a whole number from 1 to 100, not '101'", "up", "--nodes", "101");
        bad(a, "pool.sh", "--nodes must be a whole number from 1 to 100, not 'four'", "up", "--nodes", "four");
        bad(a, "pool.sh", "--nodes must be a whole number from 1 to 100, not '99999999999999999999999'", "up", "--nodes",
                "99999999999999999999999");
        bad(a, "pool.sh", "--nodes must be a whole number from 1 to 100, not '0'", "up", "--nodes=0");
        bad(a, "pool.sh", "--base-port must be a whole number from 1 to 65535, not '0'", "up", "--base-port", "0");
        bad(a, "pool.sh", "--base-port must be a whole number from 1 to 65535, not '65536'", "up", "--base-port", "65536");
        bad(a, "pool.sh", "use either --base-port or --random-ports, not both", "up", "--base-port", "9701", "--random-ports");
        bad(a, "pool.sh", "--base-dir needs a folder", "up", "--base-dir");
        bad(a, "pool.sh", "--base-dir needs a folder", "up", "--base-dir", "--nodes", "4");
        bad(a, "pool.sh", "is a file, not a folder", "up", "--base-dir", "a-file");
        bad(a, "pool.sh", "unknown option '--bogus' for scripts/pool.sh", "up", "--bogus");
        bad(a, "pool.sh", "'pool.sh up' does not take --json; it is for 'pool.sh status'", "up", "--json");
        bad(a, "pool.sh", "'pool.sh status' does not take --nodes", "status", "--nodes", "4");
        bad(a, "pool.sh", "'pool.sh down' does not take --random-ports", "down", "--random-ports");
        bad(a, "pool.sh", "no pool at ", "status");
        bad(a, "pool.sh", "no pool at ", "status", "--base-dir", "nowhere");
        bad(a, "pool.sh", "'pool.sh start' needs a node name", "start");
        bad(a, "pool.sh", "'pool.sh kill' needs a node name", "kill", "--base-dir", "x");
        bad(a, "pool.sh", "no pool at ", "start", "Node1");
        bad(a, "pool.sh", "unexpected argument 'Node2' for 'pool.sh stop'", "stop", "Node1", "Node2");
        // load.sh
        bad(a, "load.sh", "--requests N is required");
        bad(a, "load.sh", "--requests needs a number of requests", "--requests");
        bad(a, "load.sh", "--requests must be a whole number from 1 to 1000000000, not '0'", "--requests", "0");
        bad(a, "load.sh", "--requests must be a whole number from 1 to 1000000000, not '-5'", "--requests", "-5");
        bad(a, "load.sh", "--requests must be a whole number from 1 to 1000000000, not '1.5'", "--requests", "1.5");
        bad(a, "load.sh", "--requests must be a whole number from 1 to 1000000000, not '1000000001'", "--requests", "1000000001");
        bad(a, "load.sh", "--requests must be a whole number from 1 to 1000000000, not 'x'", "--requests=x");
        bad(a, "load.sh", "--clients must be a whole number from 1 to 1000, not '0'", "--requests", "5", "--clients", "0");
        bad(a, "load.sh", "--clients must be a whole number from 1 to 1000, not '1001'", "--requests", "5", "--clients", "1001");
        bad(a, "load.sh", "--rate must be a number above 0 and at most 1000000, not '0'", "--requests", "5", "--rate", "0");
        bad(a, "load.sh", "--rate must be a number above 0 and at most 1000000, not '-1'", "--requests", "5", "--rate", "-1");
        bad(a, "load.sh", "--rate must be a number above 0 and at most 1000000, not 'fast'", "--requests", "5", "--rate", "fast");
        bad(a, "load.sh", "--timeout-s must be a whole number from 1 to 86400, not '0'", "--requests", "5", "--timeout-s", "0");
        bad(a, "load.sh", "--in-flight must be a whole number from 1 to 10000, not '0'", "--requests", "5", "--in-flight", "0");
        bad(a, "load.sh", "--seed must be a whole number, not 'x'", "--requests", "5", "--seed", "x");
        String mix = "--mix must be like put=70,get=20,cas=10 (whole percentages summing to 100), not ";
        bad(a, "load.sh", mix + "'put=70,get=20'", "--requests", "5", "--mix", "put=70,get=20");
        bad(a, "load.sh", mix + "'put=50,put=50'", "--requests", "5", "--mix", "put=50,put=50");
        bad(a, "load.sh", mix + "'read=100'", "--requests", "5", "--mix=read=100");
        bad(a, "load.sh", mix + "'put=-1,get=101'", "--requests", "5", "--mix", "put=-1,get=101");
        bad(a, "load.sh", "--mix needs shares like put=70,get=20,cas=10", "--requests", "5", "--mix");
        bad(a, "load.sh", "--keys must be a whole number from 1 to 1000000, not '0'", "--requests", "5", "--keys", "0");
        bad(a, "load.sh", "--keys must be a whole number from 1 to 1000000, not 'many'", "--requests", "5", "--keys", "many");
        bad(a, "load.sh", "--history a-file/h.jsonl: its folder ", "--requests", "5", "--history", "a-file/h.jsonl");
        bad(a, "load.sh", "--history nowhere/h.jsonl: its folder ", "--requests", "5", "--history", "nowhere/h.jsonl");
        bad(a, "load.sh", "--history . is a folder; pass a file name", "--requests", "5", "--history", ".");
        bad(a, "load.sh", "--history needs a file", "--requests", "5", "--history");
        bad(a, "load.sh", "no pool at ", "--requests", "5", "--mix", "put=70,get=20,cas=10", "--keys", "3", "--history", "h.jsonl");
        bad(a, "load.sh", "no pool at ", "--requests", "5");
        bad(a, "load.sh", "no pool at ", "--requests", "5", "--base-dir", "nowhere");
        bad(a, "load.sh", "unknown option '--bogus' for scripts/load.sh", "--requests", "5", "--bogus");
        bad(a, "load.sh", "unexpected argument 'stray' for load.sh", "--requests", "5", "stray");
        // collect-recordings.sh
        bad(a, "collect-recordings.sh", "collect-recordings needs --out FILE");
        bad(a, "collect-recordings.sh", "--out needs the archive to write", "--out");
        bad(a, "collect-recordings.sh", "name the archive *.tar.gz or *.tgz", "--out", "rec.zip");
        bad(a, "collect-recordings.sh", "--out old.tar.gz already exists", "--out", "old.tar.gz");
        bad(a, "collect-recordings.sh", "is not a folder", "--out", "nowhere/rec.tar.gz");
        bad(a, "collect-recordings.sh", "no folder ", "--out", "rec.tar.gz");
        bad(a, "collect-recordings.sh", "no folder ", "--base-dir", "nowhere", "--out", "rec.tar.gz");
        bad(a, "collect-recordings.sh", "--node needs a node name", "--node", "--out", "rec.tar.gz");
        bad(a, "collect-recordings.sh", "--from needs USER@HOST:DIR", "--from");
        bad(a, "collect-recordings.sh", "unknown option '--bogus'", "--bogus");
        bad(a, "collect-recordings.sh", "unexpected argument 'stray'", "stray", "--out", "rec.tar.gz");
        // recording.sh
        bad(a, "recording.sh", "needs a command and a folder");
        bad(a, "recording.sh", "'recording.sh stats' needs a folder", "stats");
        bad(a, "recording.sh", "unknown command 'frob' for recording.sh", "frob", ".");
        bad(a, "recording.sh", "no folder nowhere", "stats", "nowhere");
        bad(a, "recording.sh", "no folder a-file", "export", "a-file");
        bad(a, "recording.sh", "unexpected argument 'extra'", "stats", ".", "extra");
        bad(a, "recording.sh", "unknown option '--jsn'", "stats", ".", "--jsn");
        bad(a, "recording.sh", "'recording.sh timeline' needs one pool's base dir or archive, and --out FILE.html", "timeline");
        bad(a, "recording.sh", "--out needs a file (FILE.html)", "timeline", ".", "--out");
        bad(a, "recording.sh", "--from needs a time (an ISO-8601 instant, or seconds from the first event)", "timeline", ".", "--from");
        bad(a, "recording.sh", "no recording at nowhere", "timeline", "nowhere", "--out", "t.html");
        // replay.sh
        bad(a, "replay.sh", "replay needs --recording FILE|DIR and --node NAME");
        bad(a, "replay.sh", "replay needs --recording FILE|DIR and --node NAME", "--recording", ".");
        bad(a, "replay.sh", "--recording needs an archive or a folder", "--recording");
        bad(a, "replay.sh", "--recording nowhere does not exist", "--recording", "nowhere", "--node", "Node1");
        bad(a, "replay.sh", "--until-event takes an event index, a whole number from 0 (the first event), not '-1'",
                "--recording", ".", "--node", "Node1", "--until-event", "-1");
        bad(a, "replay.sh", "--until-event takes an event index", "--recording", ".", "--node", "Node1", "--until-event", "x");
        bad(a, "replay.sh", "--until-event needs an event index", "--recording", ".", "--node", "Node1", "--until-event");
        bad(a, "replay.sh", "unknown configuration key NO_SUCH_KEY in --set; the keys and their defaults are listed in config/node.properties",
                "--recording", ".", "--node", "Node1", "--set", "NO_SUCH_KEY=1");
        bad(a, "replay.sh", "unknown configuration key NO_SUCH_KEY in --set", "--recording", ".", "--node", "Node1",
                "--set", "MAX_BATCH_SIZE=5", "NO_SUCH_KEY=1");
        bad(a, "replay.sh", "unknown configuration key max_batch_size in --set", "--set", "max_batch_size=5");
        bad(a, "replay.sh", "unknown configuration key NO_SUCH_KEY in --set", "--set=NO_SUCH_KEY=1");
        bad(a, "replay.sh", "--set takes KEY=VALUE, not 'MAX_BATCH_SIZE'", "--set", "MAX_BATCH_SIZE");
        bad(a, "replay.sh", "--set takes KEY=VALUE, not '=5'", "--set", "=5");
        bad(a, "replay.sh", "--set needs KEY=VALUE", "--set", "--json");
        bad(a, "replay.sh", "--mode is virtual or realtime, not 'fast'", "--mode", "fast");
        bad(a, "replay.sh", "--work-dir . is not an empty folder", "--recording", ".", "--node", "Node1", "--work-dir", ".");
        bad(a, "replay.sh", "--work-dir a-file is not an empty folder", "--work-dir", "a-file");
        bad(a, "replay.sh", "unknown option '--bogus'", "--bogus");
        bad(a, "replay.sh", "unexpected argument 'stray'", "stray");
        // bench.sh
        bad(a, "bench.sh", "--pairs needs a value", "--pairs");
        bad(a, "bench.sh", "--pairs must be a whole number from 1 to 100, not '0'", "--pairs", "0");
        bad(a, "bench.sh", "--pairs must be a whole number from 1 to 100, not '101'", "--pairs", "101");
        bad(a, "bench.sh", "--requests must be a whole number from 1 to 10000000, not '0'", "--requests", "0");
        bad(a, "bench.sh", "--rate must be a whole number from 1 to 1000000, not '1.5'", "--rate", "1.5");
        bad(a, "bench.sh", "--window must be a whole number from 1 to 3600, not '3601'", "--window", "3601");
        bad(a, "bench.sh", "--segment-mb must be a whole number from 1 to 1024, not '1025'", "--segment-mb", "1025");
        bad(a, "bench.sh", "--warmup must be a whole number from 0 to 10000000, not '-1'", "--warmup", "-1");
        bad(a, "bench.sh", "--idle-every must be a whole number from 1 to 3600, not '0'", "--idle-every", "0");
        bad(a, "bench.sh", "--overhead-rounds must be a whole number from 1 to 1000, not 'x'", "--overhead-rounds", "x");
        bad(a, "bench.sh", "--replay-node is a node of the 4-node pools, Node1 to Node4, not 'Node5'", "--replay-node", "Node5");
        bad(a, "bench.sh", "unknown option '--bogus'", "--json", "--bogus");
        bad(a, "bench.sh", "unexpected argument 'stray'", "stray");
        bad(a, "bench.sh", "--frame-tags needs a value", "--frame-tags");
        bad(a, "bench.sh", "--frame-tags is on, off or both, not 'maybe'", "--frame-tags", "maybe");
        bad(a, "bench.sh", "--frame-tags is on, off or both, not 'ON'", "--frame-tags=ON");
        bad(a, "bench.sh", "--clients needs a value", "--frame-tags", "both", "--clients");
        bad(a, "bench.sh", "--clients is a comma list of numbers of clients (1 to 1000), e.g. 2,5,10, not '2,,5'",
                "--frame-tags", "both", "--clients", "2,,5");
        bad(a, "bench.sh", "--clients is a comma list of numbers of clients (1 to 1000), e.g. 2,5,10, not '0,4'",
                "--frame-tags", "both", "--clients", "0,4");
        bad(a, "bench.sh", "--clients is a comma list of numbers of clients (1 to 1000), e.g. 2,5,10, not '1001'",
                "--frame-tags", "both", "--clients", "1001");
        bad(a, "bench.sh", "--clients is for --frame-tags both", "--clients", "2,5");
        bad(a, "bench.sh", "--clients is for --frame-tags both", "--frame-tags", "off", "--clients", "2");
        bad(a, "bench.sh", "--frame-tags both does not take --segment-mb --replay-node; those are for the recording benchmark",
                "--frame-tags", "both", "--segment-mb", "4", "--replay-node", "Node3");
        // demo.sh
        bad(a, "demo.sh", "--requests must be a whole number from 4 to 1000000, not '3'", "--requests", "3");
        bad(a, "demo.sh", "--requests needs a number of requests", "--requests");
        bad(a, "demo.sh", "a-file exists and is not a demo folder", "--base-dir", "a-file");
        bad(a, "demo.sh", "unknown option '--bogus'", "--bogus");
        bad(a, "demo.sh", "unexpected argument 'stray'", "stray");
        // dst.sh
        bad(a, "dst.sh", "dst.sh needs a command: run, swarm or check");
        bad(a, "dst.sh", "unknown command 'frob' for dst.sh", "frob");
        bad(a, "dst.sh", "dst.sh check needs a history file", "check");
        bad(a, "dst.sh", "no history at nowhere", "check", "nowhere");
        bad(a, "dst.sh", "--max-steps must be a whole number from 1 to 1000000000000, not 'x'", "check", "a-file", "--max-steps", "x");
        bad(a, "dst.sh", "--initial is absent or unknown, not 'maybe'", "check", "a-file", "--initial", "maybe");
        bad(a, "dst.sh", "unknown option '--bogus'", "check", "a-file", "--bogus");
        bad(a, "dst.sh", "dst.sh run needs --seed S", "run");
        bad(a, "dst.sh", "--seed must be a whole number from -9223372036854775808 to 9223372036854775807, not 'x'", "run", "--seed", "x");
        bad(a, "dst.sh", "--plant takes skip-new-view-check or votes-for-any-digest, not 'nope'", "run", "--seed", "1", "--plant", "nope");
        bad(a, "dst.sh", "--nodes is 4 (f=1) or 7 (f=2), not '5'", "run", "--seed", "1", "--nodes", "5");
        bad(a, "dst.sh", "--faults is a list of drop, duplicate", "run", "--seed", "1", "--faults", "flood");
        bad(a, "dst.sh", "--requests and --seconds are two ways to size a run; pass one", "run", "--seed", "1", "--requests", "5", "--seconds", "5");
        bad(a, "dst.sh", "unknown option '--seeds'", "run", "--seed", "1", "--seeds", "1..2");
        bad(a, "dst.sh", "dst.sh swarm needs --seeds A..B", "swarm");
        bad(a, "dst.sh", "--seeds is a range A..B of whole numbers with A <= B, not '9..1'", "swarm", "--seeds", "9..1");
        bad(a, "dst.sh", "--jobs must be a whole number from 1 to 256, not '0'", "swarm", "--seeds", "1..2", "--jobs", "0");
        // planted-bugs.sh
        bad(a, "planted-bugs.sh", "--seeds must be a whole number from 1 to 1000000, not '0'", "--seeds", "0");
        bad(a, "planted-bugs.sh", "no planted bug named 'nope' in sim/planted-bugs/", "--only", "nope");
        bad(a, "planted-bugs.sh", "unknown option '--bogus'", "--bogus");
        bad(a, "pit.sh", "unknown option '--bogus'", "--bogus");
        bad(a, "pit.sh", "--classes needs a class glob", "--classes");
        return a.stream();
    }

    private static void bad(List<Arguments> table, String script, String says, String... args) {
        table.add(Arguments.of(script, List.of(args), says));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badCommandLines")
    void aBadCommandLineIsOneLineExitTwoAndTouchesNothing(String script, List<String> args, String says) throws Exception {
        List<String> before = listing();

        Scripts.Result r = run(script, args.toArray(String[]::new));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.stderr()).as(r.toString()).startsWith("error: ").contains(says)
                .doesNotContain("Exception").doesNotContain("at io.").doesNotContain("\tat ")
                .doesNotContain(": line ").doesNotContain("command not found");
        assertThat(r.stdout()).as(r.toString()).isEmpty();
        assertThat(listing()).as("files in the working folder after " + script + " " + args).isEqualTo(before);
        assertNoBuild();
    }

    @Test
    void everyScriptIsCovered() {
        assertThat(badCommandLines().map(a -> (String) a.get()[0]).distinct()).containsExactlyInAnyOrderElementsOf(SCRIPTS);
    }

    private Scripts.Result run(String script, String... args) throws Exception {
        return Scripts.runIn(cwd, 60, Map.of("SC_BUILD_TRACE", traceDir.resolve("builds").toString()), script, args);
    }

    private void assertNoBuild() throws IOException {
        Path trace = traceDir.resolve("builds");
        assertThat(Files.exists(trace) ? Files.readString(trace) : "").as("scripts that asked for a build").isEmpty();
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.walk(cwd)) {
            return s.map(p -> cwd.relativize(p).toString()).sorted().toList();
        }
    }
}
