package io.stackcompanion.node.core;

import io.stackcompanion.node.core.RequestBook.RequestState;

import java.util.ArrayList;
import java.util.List;

/**
 * The primary cutting the finalised requests that wait in {@link RequestBook}'s queue into batches: by
 * its own rules (max size, max wait, batches in flight, the high watermark) or, in a replay, exactly
 * the recorded batches of the {@link PrePrepareSchedule}. Every node keeps the queue, as any node may
 * become primary; {@link Ordering} decides when the primary may propose and makes the PRE-PREPARE
 * (which takes the requests out of the queue).
 */
final class PrimaryBatcher {
    static final String BATCH_TIMER = "batch";

    /** Makes and sends the PRE-PREPARE of one batch: {@code requests}, in this order, at {@code ppTime}. */
    @FunctionalInterface
    interface Proposer {
        void propose(List<RequestState> requests, long ppTime);
    }

    private final CoreContext ctx;
    private final ConsensusState state;
    private final RequestBook book;
    private final PrePrepareSchedule schedule;

    PrimaryBatcher(CoreContext ctx, ConsensusState state, RequestBook book, PrePrepareSchedule schedule) {
        this.ctx = ctx;
        this.state = state;
        this.book = book;
        this.schedule = schedule;
    }

    boolean isForced() {
        return schedule.isForced();
    }

    /** No batch is cut until the next {@link #cut} (view change, catch-up). */
    void stop() {
        ctx.timers.cancel(BATCH_TIMER);
    }

    /** Cuts the batches that are due, proposing each through {@code proposer}; only when the primary may propose. */
    void cut(Proposer proposer) {
        if (schedule.isForced()) {
            cutForced(proposer);
            return;
        }
        long maxWait = ctx.settings.maxBatchWait().toNanos();
        int maxSize = ctx.settings.maxBatchSize();
        while (book.queuedCount() > 0 && state.lastApplied() - state.lastOrdered() < ctx.settings.maxBatchesInFlight()
                && state.lastApplied() < state.highWatermark()) {
            RequestState oldest = book.queue().iterator().next();
            boolean full = book.queuedCount() >= maxSize;
            boolean waited = ctx.now() - oldest.finalisedAt() >= maxWait;
            if (!full && !waited) {
                ctx.timers.schedule(BATCH_TIMER, oldest.finalisedAt() + maxWait);
                return;
            }
            List<RequestState> requests = book.queue().stream().limit(maxSize).toList();
            proposer.propose(requests, Math.max(ctx.nowMillis(), state.lastPpTime()));
        }
        if (book.queuedCount() == 0) {
            ctx.timers.cancel(BATCH_TIMER);
        }
    }

    /** Cuts the scheduled batches that are due and whose requests are all finalised here. */
    private void cutForced(Proposer proposer) {
        while (true) {
            var forced = schedule.forced(state.viewNo(), state.lastApplied() + 1);
            if (forced.isEmpty() || ctx.now() < forced.get().sentAt()) {
                return;
            }
            List<RequestState> requests = new ArrayList<>();
            for (String d : forced.get().reqDigests()) {
                RequestState r = book.queued(d);
                if (r == null) {
                    return; // not finalised here yet; a later input will bring it
                }
                requests.add(r);
            }
            proposer.propose(requests, forced.get().ppTime());
        }
    }
}
