package io.stackcompanion.node.scripts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the repository's scripts as a user would, as real processes, with a time limit. */
public final class Scripts {
    /** What a script printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
        public String lastLine() {
            List<String> lines = stdout.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** A script running in the background; closing it kills it and its children if still running. */
    public static final class Background implements AutoCloseable {
        private final Process process;
        private final Path out;
        private final Path err;

        private Background(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Waits up to {@code timeoutSeconds} for the script to end and returns what it printed. */
        public Result await(long timeoutSeconds) throws IOException, InterruptedException {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("background script did not finish in " + timeoutSeconds + " s\n"
                        + Files.readString(out) + "\n" + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws IOException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * The JVMs the scripts start in tests (node processes: {@code NODE_JAVA_OPTS}; tools such as
     * load.sh, recording.sh, replay.sh: {@code SC_JAVA_OPTS}) use only the C1 compiler: they live for
     * seconds, where C2's compilations cost the two-core test machine more CPU than they save (a
     * 4-process pool under 300 requests: 40% less CPU in the nodes). What the code does is the same.
     * The scripts' own defaults apply otherwise, and where a test passes these variables (an empty
     * value: the script's default, e.g. for a test that measures a node's memory).
     */
    static final Map<String, String> TEST_JVMS = Map.of(
            "NODE_JAVA_OPTS", "-Xms64m -Xmx768m -XX:+UseSerialGC -XX:-ShrinkHeapInSteps -XX:TieredStopAtLevel=1",
            "SC_JAVA_OPTS", "-Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1");

    private Scripts() {
    }

    /** The environment of a script a test runs: {@link #TEST_JVMS} unless set, then {@code env}. */
    private static void environment(ProcessBuilder pb, Map<String, String> env) {
        pb.environment().put("SC_SKIP_BUILD", "1");
        TEST_JVMS.forEach(pb.environment()::putIfAbsent);
        pb.environment().putAll(env);
    }

    /** Starts {@code scripts/<script> args...} in the background. */
    public static Background start(String script, String... args) throws IOException {
        Path root = repoRoot();
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(root.resolve("scripts").resolve(script).toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("script-out", ".txt");
        Path err = Files.createTempFile("script-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        environment(pb, Map.of());
        return new Background(pb.start(), out, err);
    }

    /** The repository root: the parent of the module this test runs in. */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("scripts"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository's scripts/ folder from " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** Runs {@code scripts/<script> args...} and waits up to {@code timeoutSeconds}; kills it after. */
    public static Result run(long timeoutSeconds, String script, String... args) throws IOException, InterruptedException {
        return run(timeoutSeconds, java.util.Map.of(), script, args);
    }

    /** As {@link #run(long, String, String...)}, with extra environment variables. */
    public static Result run(long timeoutSeconds, java.util.Map<String, String> env, String script, String... args)
            throws IOException, InterruptedException {
        return runIn(repoRoot(), timeoutSeconds, env, script, args);
    }

    /** As {@link #run(long, java.util.Map, String, String...)}, in working folder {@code cwd}. */
    public static Result runIn(Path cwd, long timeoutSeconds, java.util.Map<String, String> env, String script, String... args)
            throws IOException, InterruptedException {
        Path root = repoRoot();
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(root.resolve("scripts").resolve(script).toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("script-out", ".txt");
        Path err = Files.createTempFile("script-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            environment(pb, env);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(script + " " + String.join(" ", args) + " did not finish in " + timeoutSeconds
                        + " s\n" + Files.readString(out) + "\n" + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Stops the pool in {@code baseDir} with {@code pool.sh down}, then kills any node whose pid file
     * is left: no process a test started may outlive it, also when the test failed.
     */
    public static void downAndSweep(Path baseDir) throws IOException, InterruptedException {
        run(120, "pool.sh", "down", "--base-dir", baseDir.toString());
        Path runDir = baseDir.resolve("run");
        if (Files.isDirectory(runDir)) {
            try (java.util.stream.Stream<Path> pids = Files.list(runDir)) {
                for (Path f : pids.toList()) {
                    ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }
}
