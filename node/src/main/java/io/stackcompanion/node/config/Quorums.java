package io.stackcompanion.node.config;

/**
 * Quorum sizes for n = 3f + 1 nodes (Plenum's names): f+1 propagates finalise a request,
 * n-f-1 prepares (besides the PRE-PREPARE) prepare a batch, n-f commits order it.
 */
public record Quorums(int n) {
    public Quorums {
        if (n < 1) {
            throw new IllegalArgumentException("a pool has at least one node, not " + n);
        }
    }

    /** Faulty nodes tolerated. */
    public int f() {
        return (n - 1) / 3;
    }

    public int propagate() {
        return f() + 1;
    }

    public int prepare() {
        return n - f() - 1;
    }

    public int commit() {
        return n - f();
    }

    /** Matching replies a client needs. */
    public int reply() {
        return f() + 1;
    }

    public int checkpoint() {
        return n - f();
    }

    public int viewChange() {
        return n - f();
    }
}
