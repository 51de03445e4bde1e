package io.stackcompanion.node.pool;

import io.stackcompanion.node.FileTrees;
import io.stackcompanion.node.config.NodeConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@link LocalPool}s for tests, each in a fresh temporary folder, and closes every one it
 * started (then deletes its folder) when the test ends, passed or failed. Register it with
 * {@code @RegisterExtension}: on an instance field a pool lives for one test; on a static field a pool
 * started in {@code @BeforeAll} lives for the class, and one started in a test for that test.
 */
public final class LocalPoolExtension implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final List<LocalPool> classPools = new ArrayList<>();
    private final List<LocalPool> testPools = new ArrayList<>();
    private boolean inTest;

    /**
     * A pool of {@code nodes} real nodes with {@code config}, every node started and connected to every
     * other. The pool's folder is {@link LocalPool#baseDir()}.
     */
    public LocalPool start(int nodes, NodeConfig config) {
        LocalPool pool = create(nodes, config);
        pool.startAll().awaitConnected(CONNECT_TIMEOUT);
        return pool;
    }

    /** As {@link #start(int, NodeConfig)}, no node started: the test starts them ({@link LocalPool#start}). */
    public LocalPool create(int nodes, NodeConfig config) {
        Path dir;
        try {
            dir = Files.createTempDirectory("local-pool-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalPool pool;
        try {
            pool = new LocalPool(dir, nodes, config);
        } catch (RuntimeException e) {
            FileTrees.deleteQuietly(dir);
            throw e;
        }
        synchronized (this) {
            (inTest ? testPools : classPools).add(pool); // before starting: a node that fails to start is closed too
        }
        return pool;
    }

    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        inTest = true;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<LocalPool> ended;
        synchronized (this) {
            inTest = false;
            ended = List.copyOf(testPools);
            testPools.clear();
        }
        closeAll(ended);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<LocalPool> ended;
        synchronized (this) {
            ended = List.copyOf(classPools);
            classPools.clear();
        }
        closeAll(ended);
    }

    /** Closes the pools newest first; a failure to close one still closes the others, then fails. */
    private static void closeAll(List<LocalPool> pools) {
        RuntimeException failure = null;
        for (int i = pools.size() - 1; i >= 0; i--) {
            LocalPool pool = pools.get(i);
            try {
                pool.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
            FileTrees.deleteQuietly(pool.baseDir()); // as @TempDir would; a leftover file is not a test failure
        }
        if (failure != null) {
            throw failure;
        }
    }
}
