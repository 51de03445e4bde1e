package io.stackcompanion.node.collect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A pool's base dir on another host, reached with the user's own {@code ssh} and {@code scp}
 * (their config, keys and agent; extra options from {@code SC_SSH_OPTS}, options both commands
 * take, such as {@code -i KEY}, {@code -F CONFIG} or {@code -o Port=2222}). Only
 * {@code data/<node>/recorder/} folders are copied, never {@code keys/}.
 *
 * <p>A file copy of a recording that is being written could be torn, so a node that is running on
 * that host (its RocksDB lock is held, or its {@code run/<node>.pid} is alive) is not copied: the
 * error says to stop it or to collect on that host.
 *
 * @param target   {@code USER@HOST} or {@code HOST}, as ssh takes it
 * @param dir      the base dir on that host, relative to the login folder unless absolute
 * @param spec     what the user typed
 */
record RemoteSource(String target, String dir, String spec) {
    private static final Pattern SAFE_DIR = Pattern.compile("[A-Za-z0-9._/+@=,-]+");
    private static final Pattern SAFE_TARGET = Pattern.compile("[A-Za-z0-9._@%\\[\\]:-]+");
    static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final long LIST_TIMEOUT_S = 120;
    private static final long COPY_TIMEOUT_S = 3600;

    /** A node found there. */
    record RemoteNode(String name, boolean running, boolean links) {
    }

    /** Parses {@code [USER@]HOST:DIR}; a usage error says what is wrong. */
    static RemoteSource parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new ArchiveException("--from takes USER@HOST:DIR (DIR: the pool's base dir on that host), not '" + spec + "'");
        }
        String target = spec.substring(0, colon);
        String dir = spec.substring(colon + 1);
        if (dir.startsWith("~/")) {
            dir = dir.substring(2); // relative paths are relative to the login folder anyway
        }
        if (target.startsWith("-") || !SAFE_TARGET.matcher(target).matches()) {
            throw new ArchiveException("--from " + spec + ": '" + target + "' is not a host name");
        }
        if (dir.isEmpty() || !SAFE_DIR.matcher(dir).matches()) {
            throw new ArchiveException("--from " + spec + ": give the base dir as a path without spaces or shell characters");
        }
        return new RemoteSource(target, dir, spec);
    }

    /** The nodes with a recording there. */
    List<RemoteNode> list(List<String> sshOptions) {
        String script = """
                cd '%s' 2>/dev/null || { echo sc-no-dir; exit 0; }
                for c in data/*/recorder/node/CURRENT; do
                  [ -f "$c" ] || continue
                  n=${c#data/}; n=${n%%%%/*}
                  state=stopped
                  for l in "data/$n/recorder/node/LOCK" "data/$n/recorder/client/LOCK"; do
                    if [ -f "$l" ] && [ -r /proc/locks ]; then
                      set -- $(ls -i "$l")
                      if grep -q ":$1 " /proc/locks; then state=running; fi
                    fi
                  done
                  if [ -f "run/$n.pid" ] && kill -0 "$(cat "run/$n.pid")" 2>/dev/null; then state=running; fi
                  if [ -n "$(find "data/$n/recorder" -type l 2>/dev/null | head -n 1)" ]; then links=links; else links=nolinks; fi
                  echo "sc-node $n $state $links"
                done
                echo sc-done
                """.formatted(dir);
        List<String> cmd = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"));
        cmd.addAll(sshOptions);
        cmd.addAll(List.of(target, "sh", "-s"));
        Run r = run(cmd, script, LIST_TIMEOUT_S);
        if (r.exit == 255) {
            throw new ArchiveException("cannot reach " + target + " over ssh (" + r.lastErrorLine()
                    + "); check the host name, your ssh config and keys (SC_SSH_OPTS adds ssh options)");
        }
        List<String> lines = r.out.lines().map(String::strip).toList();
        if (lines.contains("sc-no-dir")) {
            throw new ArchiveException(spec + ": no folder " + dir + " on " + target + "; give the pool's base dir on that host");
        }
        if (r.exit != 0 || !lines.contains("sc-done")) {
            throw new ArchiveException("cannot list the recordings in " + spec + " (exit " + r.exit + ": " + r.lastErrorLine() + ")");
        }
        List<RemoteNode> nodes = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length == 4 && f[0].equals("sc-node")) {
                if (!NODE_NAME.matcher(f[1]).matches()) {
                    throw new ArchiveException(spec + ": a node folder there has an unusable name '" + f[1] + "'");
                }
                nodes.add(new RemoteNode(f[1], f[2].equals("running"), f[3].equals("links")));
            }
        }
        return nodes;
    }

    /** Copies {@code data/<node>/recorder} from there into {@code into} (a new folder). */
    void download(String node, Path into, List<String> sshOptions) {
        try {
            Files.createDirectories(into.getParent());
        } catch (IOException e) {
            throw new ArchiveException("cannot create " + into.getParent() + ": " + e.getMessage(), e);
        }
        List<String> cmd = new ArrayList<>(List.of("scp", "-r", "-q", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"));
        cmd.addAll(sshOptions);
        cmd.add(target + ":" + dir + "/data/" + node + "/recorder");
        cmd.add(into.toString());
        Run r = run(cmd, null, COPY_TIMEOUT_S);
        if (r.exit != 0) {
            throw new ArchiveException("cannot copy " + node + "'s recording from " + spec + " (" + r.lastErrorLine() + ")");
        }
    }

    private record Run(int exit, String out, String err) {
        String lastErrorLine() {
            return err.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElse("exit " + exit);
        }
    }

    private static Run run(List<String> cmd, String stdin, long timeoutSeconds) {
        Path out = null;
        Path err = null;
        Path in = null;
        try {
            out = Files.createTempFile("sc-ssh-out", ".txt");
            err = Files.createTempFile("sc-ssh-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin != null) {
                in = Files.createTempFile("sc-ssh-in", ".sh");
                Files.writeString(in, stdin);
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new ArchiveException("cannot run " + cmd.get(0) + " (" + e.getMessage() + "); install the OpenSSH client");
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ArchiveException(cmd.get(0) + " did not finish in " + timeoutSeconds + " s; check the connection");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ArchiveException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArchiveException(cmd.get(0) + " was interrupted");
        } finally {
            for (Path p : new Path[] {out, err, in}) {
                if (p != null) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // a temporary file left behind is harmless
                    }
                }
            }
        }
    }
}
