package io.stackcompanion.node.stack;

import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a generous deadline passes: no fixed sleeps in tests. */
final class Await {
    private static final long DEADLINE_MS = 20_000;

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE_MS * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + DEADLINE_MS + " ms waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }
}
