package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.scripts.Scripts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Damage is never silent. A real pool records (Node2 SIGKILLed with its latest events in the
 * journal; Node3 killed and restarted, so its recording holds a restart state), then seeded
 * mutations hit every kind of file of those two recordings: each kind of file (table files,
 * MANIFESTs, CURRENT, seals, journal segments, RocksDB's own LOG, OPTIONS, IDENTITY, LOCK and
 * write-ahead logs, in each stack, the initial and restart states, the pool genesis) gets each kind
 * of mutation (a bit flip, a truncation, a deletion, a zero-filled range) once, in a seeded random
 * file of that kind; {@code -Dmutations=N} adds N mutations of random files. After each one, {@code recording.sh verify} and {@code
 * replay.sh} must agree: either both refuse with exit 2 and one line that names the damage (no
 * stack trace), or both accept and the replay reproduces every recorded event (the mutation hit
 * bytes nothing reads, such as RocksDB's LOG and OPTIONS files). Never "verify ok" with events
 * missing.
 */
class RecordingMutationTest {
    /** Mutations of random files, after one of each kind in each kind of file. */
    private static final int MUTATIONS = Integer.getInteger("mutations", 0);
    private static final long SEED = Long.getLong("mutationSeed", 20261202L);
    private static final List<String> NODES = List.of("Node2", "Node3");

    private static Path base;
    private static final Map<String, Long> intactEvents = new TreeMap<>();

    enum Kind { FLIP, TRUNCATE, DELETE, ZERO_RANGE }

    record Outcome(int verifyExit, String verifyOut, String verifyErr, int replayExit, String replayOut, String replayErr) {
    }

    @BeforeAll
    static void recordAPoolWithAKilledAndARestartedNode() throws Exception {
        base = Files.createTempDirectory("mutations-");
        Files.writeString(base.resolve("node.properties"), "RECORDER_SEGMENT_MB=1\n");
        Map<String, String> recording = Map.of("STACK_COMPANION", "1");
        run(recording, "pool.sh", "up", "--base-dir", base.toString(), "--random-ports");
        run(Map.of(), "load.sh", "--base-dir", base.toString(), "--requests", "40", "--clients", "2");
        run(Map.of(), "pool.sh", "kill", "Node3", "--base-dir", base.toString());
        run(recording, "pool.sh", "start", "Node3", "--base-dir", base.toString());
        run(Map.of(), "load.sh", "--base-dir", base.toString(), "--requests", "20", "--clients", "1");
        run(Map.of(), "pool.sh", "kill", "Node2", "--base-dir", base.toString());
        run(Map.of(), "pool.sh", "down", "--base-dir", base.toString());
        assertThat(Files.list(recorder("Node2").resolve("node/journal")).toList()).as("Node2's latest events are in its journal").isNotEmpty();
        for (String node : NODES) {
            // Checkpoints are hard links to the node's store (and to each other): give every file its
            // own copy, as an archive has, so that one mutation damages one file.
            for (Path file : files(recorder(node))) {
                Path copy = file.resolveSibling(file.getFileName() + ".copy");
                Files.copy(file, copy);
                Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        assertThat(Files.isDirectory(recorder("Node3").resolve("restart-states"))).as("Node3 restarted after a kill").isTrue();
        for (String node : NODES) {
            Outcome intact = check(node);
            assertThat(intact.verifyExit()).as(intact.toString()).isZero();
            assertThat(intact.replayExit()).as(intact.toString()).isZero();
            intactEvents.put(node, verifiedEvents(intact));
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (base != null) {
            Scripts.downAndSweep(base);
            io.stackcompanion.node.FileTrees.deleteQuietly(base);
        }
    }

    @Test
    void everyMutationIsRefusedByBothOrChangesNothingTheReplaySees() throws Exception {
        Random random = new Random(SEED);
        List<Planned> plan = plan(random);
        Map<String, Integer> refused = new TreeMap<>();
        Map<String, Integer> harmless = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            String node = plan.get(i).node();
            Path file = plan.get(i).file();
            Kind kind = plan.get(i).kind();
            byte[] original = Files.readAllBytes(file);
            String what;
            Outcome o;
            try {
                what = mutate(file, kind, random) + " (mutation " + i + ", seed " + SEED + ")";
                o = check(node);
            } finally {
                Files.write(file, original); // in place
            }
            String fileKind = plan.get(i).fileKind();
            String verdict = judge(node, o);
            if (verdict == null) {
                refused.merge(fileKind, 1, Integer::sum);
                System.out.println("refused:  " + what + "\n    " + o.verifyErr().strip());
            } else if (verdict.isEmpty()) {
                harmless.merge(fileKind, 1, Integer::sum);
                System.out.println("harmless: " + what);
            } else {
                wrong.add(what + ": " + verdict + "\n  " + o);
            }
        }
        System.out.println("mutations refused by verify and replay (exit 2, one line), by file: " + refused);
        System.out.println("mutations that changed nothing the replay reads (every event verified and replayed), by file: " + harmless);
        assertThat(wrong).as("mutations that were silently accepted, or treated differently by verify and replay").isEmpty();
        assertThat(harmless).as("some mutations hit bytes nothing reads (RocksDB's LOG, say)").isNotEmpty();
        for (String kind : plan.stream().map(Planned::fileKind).distinct().toList()) {
            // Of the four mutations of each kind of file the recording's contents are in, one at least
            // (a deletion, say) must be refused.
            if (kind.matches(".*(table|MANIFEST|CURRENT|seal\\.json|journal|pool_genesis\\.json)$")) {
                assertThat(refused).as("a mutation of " + kind + " was refused").containsKey(kind);
            }
        }
        for (String node : NODES) {
            assertThat(verifiedEvents(check(node))).as("every file restored").isEqualTo(intactEvents.get(node));
        }
    }

    record Planned(String node, Path file, Kind kind, String fileKind) {
    }

    /**
     * Each kind of mutation once in each kind of file, in a seeded random file of that kind in
     * either node (an empty file only deleted: there is nothing to flip, cut or zero), then
     * {@link #MUTATIONS} random ones.
     */
    private static List<Planned> plan(Random random) throws IOException {
        Map<String, List<Planned>> byKind = new TreeMap<>();
        List<Planned> all = new ArrayList<>();
        for (String node : NODES) {
            for (Path file : files(recorder(node))) {
                Planned p = new Planned(node, file, null, fileKind(recorder(node).relativize(file)));
                byKind.computeIfAbsent(p.fileKind(), k -> new ArrayList<>()).add(p);
                all.add(p);
            }
        }
        List<Planned> plan = new ArrayList<>();
        for (List<Planned> files : byKind.values()) {
            for (Kind kind : Kind.values()) {
                Planned p = files.get(random.nextInt(files.size()));
                if (Files.size(p.file()) > 0 || kind == Kind.DELETE) {
                    plan.add(new Planned(p.node(), p.file(), kind, p.fileKind()));
                }
            }
        }
        for (int i = 0; i < MUTATIONS; i++) {
            Planned p = all.get(random.nextInt(all.size()));
            plan.add(new Planned(p.node(), p.file(), Kind.values()[random.nextInt(Kind.values().length)], p.fileKind()));
        }
        return plan;
    }

    /** Null when both refused properly, "" when both accepted with every event, otherwise what is wrong. */
    private static String judge(String node, Outcome o) {
        String all = o.verifyOut() + o.verifyErr() + o.replayOut() + o.replayErr();
        if (all.contains("Exception") || all.contains("\tat ")) {
            return "a stack trace reached the user";
        }
        if (o.verifyExit() == 2 && o.replayExit() == 2) {
            if (o.verifyErr().strip().lines().count() != 1 || o.replayErr().strip().lines().count() != 1) {
                return "refused, but not in one line each";
            }
            return null;
        }
        if (o.verifyExit() == 0 && o.replayExit() == 0) {
            long events = verifiedEvents(o);
            boolean tornLastRecord = o.verifyOut().contains("never finished") && events == intactEvents.get(node) - 1;
            if (events != intactEvents.get(node) && !tornLastRecord) {
                return "verify said ok with " + events + " events where the intact recording has " + intactEvents.get(node);
            }
            JsonNode verdict = lastJson(o.replayOut());
            if (!verdict.path("matches").asBoolean() || verdict.path("events").asLong() != events) {
                return "verify ok, but the replay did not reproduce every verified event";
            }
            return "";
        }
        return "verify exited " + o.verifyExit() + ", replay exited " + o.replayExit() + ": they disagree";
    }

    private static String mutate(Path file, Kind kind, Random random) throws IOException {
        long size = Files.size(file);
        if (size == 0 && (kind == Kind.FLIP || kind == Kind.ZERO_RANGE)) {
            kind = Kind.DELETE; // nothing to flip or zero in an empty file
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            switch (kind) {
                case FLIP -> {
                    long at = (long) (random.nextDouble() * size);
                    f.seek(at);
                    int b = f.read();
                    int bit = 1 << random.nextInt(8);
                    f.seek(at);
                    f.write(b ^ bit);
                    return "flipped bit " + Integer.numberOfTrailingZeros(bit) + " of byte " + at + " of " + file;
                }
                case TRUNCATE -> {
                    long to = (long) (random.nextDouble() * size);
                    f.setLength(to);
                    return "truncated " + file + " from " + size + " to " + to + " bytes";
                }
                case ZERO_RANGE -> {
                    long at = (long) (random.nextDouble() * size);
                    int length = (int) Math.min(size - at, 1 + random.nextInt(4096));
                    f.seek(at);
                    f.write(new byte[length]);
                    return "zeroed " + length + " bytes at " + at + " of " + file;
                }
                default -> {
                    return "deleted " + file;
                }
            }
        } finally {
            if (kind == Kind.DELETE) {
                Files.delete(file);
            }
        }
    }

    /** verify and replay of one node, in this JVM, as the scripts run them. */
    private static Outcome check(String node) {
        CollectRecordingsTest.Run v = CollectRecordingsTest.recording("verify", base.resolve("data").resolve(node).toString(), "--json");
        CollectRecordingsTest.Run r = CollectRecordingsTest.replay("--recording", base.toString(), "--node", node, "--json");
        return new Outcome(v.exit(), v.out(), v.err(), r.exit(), r.out(), r.err());
    }

    private static long verifiedEvents(Outcome o) {
        long sum = 0;
        for (JsonNode r : lastJson(o.verifyOut()).path("recordings")) {
            sum += r.path("eventsChecked").asLong();
        }
        return sum;
    }

    private static JsonNode lastJson(String out) {
        List<String> lines = out.strip().lines().toList();
        try {
            return Codec.mapper().readTree(lines.get(lines.size() - 1));
        } catch (IOException e) {
            throw new AssertionError("no JSON verdict in: " + out, e);
        }
    }

    private static String fileKind(Path relative) {
        String name = relative.getFileName().toString();
        String where = relative.getNameCount() > 1 ? relative.getName(0).toString() : "";
        String kind = name.endsWith(".sst") ? "table" : name.endsWith(".seg") ? "journal" : name.startsWith("MANIFEST") ? "MANIFEST"
                : name.startsWith("OPTIONS") ? "OPTIONS" : name.startsWith("LOG") ? "LOG" : name.endsWith(".log") ? "WAL" : name;
        return where.isEmpty() ? kind : where + "/" + kind;
    }

    private static List<Path> files(Path recorder) throws IOException {
        try (Stream<Path> walk = Files.walk(recorder)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static Path recorder(String node) {
        return base.resolve("data").resolve(node).resolve("recorder");
    }

    private static void run(Map<String, String> env, String script, String... args) throws Exception {
        Scripts.Result r = Scripts.run(180, env, script, args);
        assertThat(r.exitCode()).as(script + " " + String.join(" ", args) + ": " + r).isZero();
    }
}
