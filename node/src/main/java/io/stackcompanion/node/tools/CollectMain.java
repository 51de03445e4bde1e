package io.stackcompanion.node.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.collect.Collector;
import io.stackcompanion.node.collect.Manifest;
import io.stackcompanion.node.sanitize.SanitizeKey;
import io.stackcompanion.node.sanitize.Sanitizer;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.recorder.ErrorExit;
import io.stackcompanion.recorder.StackCompanionException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code scripts/collect-recordings.sh [--base-dir DIR] [--node NAME ...] [--from USER@HOST:DIR ...]
 * --out FILE [--json]}: gathers node recordings into one {@code .tar.gz} that {@code replay.sh}
 * takes as it is, with a manifest of checksums and never a secret key. Exit codes: 0 everything
 * collected, 1 the archive was written but a source or node failed (listed), or nothing could be
 * collected, 2 bad arguments (nothing written).
 */
public final class CollectMain {
    private CollectMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.console() != null));
    }

    public static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        Options options = new Options()
                .addOption(Cli.value("base-dir", "DIR", "a pool's base dir on this machine (default ./pool unless --from is given)"))
                .addOption(Option.builder().longOpt("node").hasArgs().argName("NAME")
                        .desc("collect this node (repeatable; default: every recorded node)").get())
                .addOption(Option.builder().longOpt("from").hasArgs().argName("USER@HOST:DIR")
                        .desc("a pool's base dir on another host, over ssh (repeatable; SC_SSH_OPTS adds ssh/scp options)").get())
                .addOption(Cli.value("out", "FILE", "the archive to write, FILE.tar.gz"))
                .addOption(Cli.flag("sanitize", "replace customer data by keyed pseudonyms (still replays exactly)"))
                .addOption(Cli.value("sanitize-key", "FILE", "the pseudonyms' secret key, made on first use (default ~/"
                        + RecordingMain.DEFAULT_KEY + "); it stays here"))
                .addOption(Cli.flag("sanitize-hosts", "with --sanitize: replace the node host addresses too"))
                .addOption(Cli.flag("json", "print a JSON summary as the last line"))
                .addOption(Cli.help());
        try {
            CommandLine cmd = Cli.parse(options, args);
            if (cmd.hasOption("help")) {
                new HelpFormatter().printHelp(new java.io.PrintWriter(out, true), 100,
                        "collect-recordings.sh [--base-dir DIR] [--node NAME ...] [--from USER@HOST:DIR ...] --out FILE"
                                + " [--sanitize [--sanitize-key FILE] [--sanitize-hosts]] [--json]",
                        "", options, 2, 2, "");
                return 0;
            }
            Path outFile = checkOut(cmd.getOptionValue("out"));
            List<Collector.Source> sources = new ArrayList<>();
            if (cmd.hasOption("base-dir") || !cmd.hasOption("from")) {
                sources.add(new Collector.Local(Cli.baseDir(cmd)));
            }
            for (String from : values(cmd, "from")) {
                sources.add(new Collector.Remote(from));
            }
            List<String> sshOptions = sshOptions(System.getenv("SC_SSH_OPTS"));
            if ((cmd.hasOption("sanitize-key") || cmd.hasOption("sanitize-hosts")) && !cmd.hasOption("sanitize")) {
                throw new Cli.UsageException("--sanitize-key and --sanitize-hosts go with --sanitize");
            }
            SanitizeKey key = cmd.hasOption("sanitize") ? SanitizeKey.loadOrCreate(cmd.hasOption("sanitize-key")
                    ? Path.of(cmd.getOptionValue("sanitize-key")) : Path.of(System.getProperty("user.home"), RecordingMain.DEFAULT_KEY))
                    : null;
            Consumer<String> progress = line -> {
                if (terminal) {
                    err.println(line);
                }
            };
            // Sanitized: the recordings are collected into a hidden archive beside --out, which only the sanitized copy leaves.
            Path collected = key == null ? outFile
                    : outFile.resolveSibling("." + outFile.getFileName() + ".unsanitized-" + ProcessHandle.current().pid() + ".tar.gz");
            Collector.Outcome outcome;
            try {
                outcome = new Collector(sshOptions).collect(sources, values(cmd, "node"), collected, progress);
                if (key != null && outcome.manifest() != null) {
                    Sanitizer.Result r = new Sanitizer(key, cmd.hasOption("sanitize-hosts")).sanitize(collected, outFile, progress);
                    outcome = new Collector.Outcome(r.manifest(), Files.size(outFile), outcome.failures());
                }
            } finally {
                if (key != null) {
                    Files.deleteIfExists(collected);
                }
            }
            for (Collector.Failure f : outcome.failures()) {
                err.println("error: " + f.error());
            }
            print(outcome, outFile, out, cmd.hasOption("json"));
            if (outcome.manifest() == null) {
                err.println("error: nothing collected, no archive written");
                return 1;
            }
            if (!outcome.failures().isEmpty()) {
                err.println("error: " + outcome.failures().size() + " source(s) or node(s) not collected: "
                        + String.join(", ", outcome.failures().stream()
                        .map(f -> f.node() == null ? f.source() : f.node() + " (" + f.source() + ")").toList()));
                return 1;
            }
            return 0;
        } catch (StackCompanionException e) {
            return ErrorExit.print(err, e);
        } catch (IOException e) {
            return ErrorExit.userError(err, e.getMessage());
        }
    }

    /** The archive path: named *.tar.gz or *.tgz, not there yet, in a folder we can write. */
    private static Path checkOut(String value) throws Cli.UsageException {
        if (value == null) {
            throw new Cli.UsageException("collect-recordings needs --out FILE, the archive to write (e.g. --out rec.tar.gz)");
        }
        Path out = Path.of(value).toAbsolutePath().normalize();
        String name = out.getFileName() == null ? "" : out.getFileName().toString();
        if (!name.endsWith(".tar.gz") && !name.endsWith(".tgz")) {
            throw new Cli.UsageException("--out " + value + ": name the archive *.tar.gz or *.tgz (replay.sh recognises archives by that)");
        }
        if (Files.exists(out)) {
            throw new Cli.UsageException("--out " + value + " already exists; pass a new file name or remove it first");
        }
        Path parent = out.getParent();
        if (!Files.isDirectory(parent)) {
            throw new Cli.UsageException("cannot write --out " + value + ": " + parent + " is not a folder");
        }
        try {
            Files.delete(Files.createTempFile(parent, ".collect-check", ".tmp"));
        } catch (IOException | SecurityException e) {
            throw new Cli.UsageException("cannot write --out " + value + ": the folder " + parent + " is not writable (" + e.getMessage() + ")");
        }
        return out;
    }

    private static List<String> values(CommandLine cmd, String name) {
        String[] v = cmd.getOptionValues(name);
        return v == null ? List.of() : Arrays.asList(v);
    }

    static List<String> sshOptions(String env) {
        if (env == null || env.isBlank()) {
            return List.of();
        }
        return Arrays.asList(env.trim().split("\\s+"));
    }

    private static void print(Collector.Outcome o, Path outFile, PrintStream out, boolean json) {
        Manifest m = o.manifest();
        ObjectNode j = Codec.mapper().createObjectNode();
        j.put("ok", m != null && o.failures().isEmpty());
        if (m != null) {
            out.printf("collected %d node(s) into %s (%,d bytes, %d files)%n", m.nodes().size(), outFile, o.archiveBytes(),
                    m.files().size() + 2);
            for (Manifest.NodeEntry n : m.nodes()) {
                long events = n.stacks().stream().mapToLong(Manifest.StackEntry::events).sum();
                out.printf("  %-8s %,10d events  %s .. %s (%.1f s)  format %d, software %s%s%n", n.name(), events,
                        n.firstTime(), n.lastTime(), n.spanSeconds(), n.stacks().get(0).formatVersion(),
                        n.stacks().get(0).softwareVersion(),
                        n.live() ? "  [recording while copied: ends at a whole input, " + n.eventsLeftOut() + " later events left out]"
                                : n.endsWithStop() ? "" : "  [ends without a recorded stop]");
            }
            out.println("  pool genesis " + m.poolGenesisHash());
            out.println("  no secret keys: only data/<node>/recorder/ was read; check with: tar tzf " + outFile);
            if (m.sanitized() != null) {
                out.println("  sanitized: customer data replaced by " + m.sanitized().method() + " pseudonyms (key id "
                        + m.sanitized().keyId() + ", the key stays here), replaced " + m.sanitized().replaced());
                j.set("sanitized", Codec.mapper().valueToTree(m.sanitized()));
            }
            j.put("out", outFile.toString());
            j.put("bytes", o.archiveBytes());
            j.put("poolGenesisHash", m.poolGenesisHash());
            j.put("files", m.files().size() + 2);
            j.set("nodes", Codec.mapper().valueToTree(m.nodes()));
        }
        ArrayNode failed = j.putArray("failed");
        for (Collector.Failure f : o.failures()) {
            ObjectNode x = failed.addObject();
            x.put("source", f.source());
            if (f.node() != null) {
                x.put("node", f.node());
            }
            x.put("error", f.error());
        }
        if (json) {
            out.println(j);
        }
    }
}
