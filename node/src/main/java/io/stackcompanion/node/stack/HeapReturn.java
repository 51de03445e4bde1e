package io.stackcompanion.node.stack;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives back to the operating system the heap that a burst of partial frames made the JVM take, once
 * those frames are gone: the node's collector (serial by default) only shrinks the heap after a full
 * collection, which a quiet node may not run for hours, so its resident memory would stay at the
 * attack's peak. One full collection, on its own thread, at most once per {@value #MIN_INTERVAL_SECONDS}
 * seconds; never on the core's thread (it is a pause for the whole process, as every full collection is).
 */
final class HeapReturn {
    static final long MIN_INTERVAL_SECONDS = 30;
    private static final AtomicLong LAST = new AtomicLong(System.nanoTime() - MIN_INTERVAL_SECONDS * 1_000_000_000L);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HeapReturn.class);

    private HeapReturn() {
    }

    /** The partial frames of a stack that held a lot are all released. */
    static void afterDrain() {
        long now = System.nanoTime();
        long last = LAST.get();
        if (now - last < MIN_INTERVAL_SECONDS * 1_000_000_000L || !LAST.compareAndSet(last, now)) {
            return;
        }
        Thread t = new Thread(() -> {
            Runtime r = Runtime.getRuntime();
            long before = r.totalMemory();
            System.gc();
            LOG.info("partial frames drained: heap {} MB -> {} MB (used {} MB)", before >> 20, r.totalMemory() >> 20,
                    (r.totalMemory() - r.freeMemory()) >> 20);
        }, "heap-return");
        t.setDaemon(true);
        t.start();
    }
}
