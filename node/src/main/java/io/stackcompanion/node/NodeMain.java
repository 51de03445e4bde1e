package io.stackcompanion.node;

import io.stackcompanion.node.config.ConfigException;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.runtime.Stacks;
import io.stackcompanion.node.stack.NodeStack;
import io.stackcompanion.recorder.ErrorExit;
import io.stackcompanion.recorder.StackCompanionException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

/**
 * Runs one pool node as a process: {@code NodeMain --base-dir DIR --name Node1}. Stops cleanly on
 * SIGTERM or SIGINT. Exit codes: 0 clean stop, 1 the core failed, 2 a problem the user must fix
 * (printed as one line on stderr). With {@code STACK_COMPANION=2} the node does not join the pool:
 * it replays itself from its own recording and exits with the replay's code (see {@link SelfReplay}).
 */
public final class NodeMain {
    private NodeMain() {
    }

    public static void main(String[] args) {
        run(args, UnaryOperator.identity());
    }

    /**
     * As {@link #main}, the core's sends going through {@code stacks} applied to the node's two stacks
     * (see {@link Node#start(Path, String, NodeConfig, java.util.function.Consumer, UnaryOperator)}): for
     * test-only mains, e.g. one that runs a node whose messages lie. No option or configuration key
     * reaches it.
     */
    public static void run(String[] args, UnaryOperator<Stacks> stacks) {
        run(args, stacks, NodeStack.tagged());
    }

    /**
     * As {@link #run(String[], UnaryOperator)}, the node stack made by {@code nodeStacks}: for
     * benchmark mains only, e.g. one whose node frames carry no tags ({@link NodeStack#withoutFrameTags()}).
     */
    public static void run(String[] args, UnaryOperator<Stacks> stacks, NodeStack.Maker nodeStacks) {
        Options options = new Options()
                .addOption(Option.builder().longOpt("base-dir").hasArg().argName("DIR")
                        .desc("pool folder holding pool_genesis.json and data/<node>/ (default ./pool)").get())
                .addOption(Option.builder().longOpt("name").hasArg().argName("NODE").required()
                        .desc("the node's name in the pool genesis, e.g. Node1").get())
                .addOption(Option.builder().longOpt("help").desc("show this help").get());
        CommandLine cl;
        try {
            cl = new DefaultParser().parse(options, args);
        } catch (ParseException e) {
            System.exit(ErrorExit.userError(System.err, e.getMessage() + " (try --help)"));
            return;
        }
        if (cl.hasOption("help")) {
            new HelpFormatter().printHelp("node --name NODE [--base-dir DIR]", options);
            return;
        }
        Path baseDir = Path.of(cl.getOptionValue("base-dir", "pool")).toAbsolutePath().normalize();
        String name = cl.getOptionValue("name");
        if (!Files.isDirectory(baseDir)) {
            fail("no pool at " + baseDir + "; create one with 'scripts/pool.sh up --base-dir " + baseDir + "'");
        }
        NodeConfig config;
        try {
            config = NodeConfig.load(baseDir, name, System.getenv(), System.getProperties());
        } catch (ConfigException e) {
            System.exit(ErrorExit.print(System.err, e));
            return;
        }
        if (config.settings().stackCompanion() == 2) {
            // Before any logging is set up: the replay must not write into the original node.log.
            System.exit(replaySelf(baseDir, name));
            return;
        }
        // Before the first logger is made: logback-node.xml reads these.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-node.xml");
        }
        System.setProperty("node.log.level", config.settings().logLevel());
        // Not Node.dataDir(): touching the Node class would start logging before this configuration.
        System.setProperty("node.log.file", baseDir.resolve("data").resolve(name).resolve("node.log").toString());

        CountDownLatch stopped = new CountDownLatch(1);
        int[] exit = {0};
        Node node;
        try {
            node = Node.start(baseDir, name, config, failure -> {
                exit[0] = 1;
                stopped.countDown();
            }, stacks, nodeStacks);
        } catch (StackCompanionException e) {
            System.exit(ErrorExit.print(System.err, e));
            return;
        } catch (java.io.UncheckedIOException e) {
            fail(e.getMessage() + ": " + e.getCause().getMessage());
            return;
        }
        Thread hook = new Thread(() -> {
            node.close();
            stopped.countDown();
        }, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // pool.sh waits for this line (no JVM started per look): both stacks listen, the core runs, and
        // a SIGTERM from now on stops the node cleanly.
        System.out.println(name + UP);
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (exit[0] != 0) {
            System.err.println("error: " + name + " stopped because its core failed; see "
                    + Node.dataDir(baseDir, name).resolve("node.log"));
            node.close();
            Runtime.getRuntime().halt(exit[0]);
        }
    }

    /** What a node prints on stdout after its name once it answers on both stacks: {@code pool.sh} waits for it. */
    public static final String UP = " is up";

    /** The first line a self-replaying node prints: {@code pool.sh} recognises it. */
    public static final String SELF_REPLAY = "STACK_COMPANION=2: replaying ";

    private static int replaySelf(Path baseDir, String name) {
        java.util.Optional<SelfReplay> replay = java.util.ServiceLoader.load(SelfReplay.class).findFirst();
        if (replay.isEmpty()) {
            return ErrorExit.userError(System.err, "STACK_COMPANION=2 replays the node from its recording, but the replay module is not"
                    + " on the classpath; build it (./mvnw package) or use scripts/replay.sh");
        }
        Path log = baseDir.resolve("data").resolve(name).resolve("replay-"
                + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".log");
        System.out.println(SELF_REPLAY + name + " from " + baseDir.resolve("data").resolve(name).resolve("recorder")
                + " (a work copy; nothing is sent; the replayed log goes to " + log + ")");
        System.out.flush();
        return replay.get().replay(baseDir, name, log, System.out, System.err);
    }

    private static void fail(String message) {
        System.exit(ErrorExit.userError(System.err, message));
    }
}
