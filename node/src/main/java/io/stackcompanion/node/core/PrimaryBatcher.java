package io.stackcompanion.node.core;

import io.stackcompanion.node.core.RequestBook.RequestState;

import java.util.ArrayList;
import java.util.Collection;
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
    /**
     * The simulator's censoring primary: the client whose requests it never proposes (the first one whose
     * request it had to cut), or null. Empty string: it censors, and has not picked its victim yet.
     */
    private String censored;

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

    /** The simulator's Byzantine primary: it never proposes the requests of one client (see {@link #censored}). */
    void censor() {
        censored = "";
    }

    /** Cuts the batches that are due, proposing each through {@code proposer}; only when the primary may propose. */
    void cut(Proposer proposer) {
        if (schedule.isForced()) {
            cutForced(proposer);
            return;
        }
        long maxWait = ctx.settings.maxBatchWait().toNanos();
        int maxSize = ctx.settings.maxBatchSize();
        while (proposable() > 0 && state.lastApplied() - state.lastOrdered() < ctx.settings.maxBatchesInFlight()
                && state.lastApplied() < state.highWatermark()) {
            Collection<RequestState> queue = censored == null ? book.queue() : uncensored();
            RequestState oldest = queue.iterator().next();
            boolean full = queue.size() >= maxSize;
            boolean waited = ctx.now() - oldest.finalisedAt() >= maxWait;
            if (!full && !waited) {
                ctx.timers.schedule(BATCH_TIMER, oldest.finalisedAt() + maxWait);
                return;
            }
            List<RequestState> requests = queue.stream().limit(maxSize).toList();
            proposer.propose(requests, Math.max(ctx.nowMillis(), state.lastPpTime()));
        }
        if (proposable() == 0) {
            ctx.timers.cancel(BATCH_TIMER);
        }
    }

    private int proposable() {
        return censored == null ? book.queuedCount() : uncensored().size();
    }

    /** The queue without the censored client's requests (picking the victim at the first request it meets). */
    private List<RequestState> uncensored() {
        if (censored.isEmpty() && book.queuedCount() > 0) {
            censored = book.queue().iterator().next().request.identifier();
        }
        return book.queue().stream().filter(r -> !r.request.identifier().equals(censored)).toList();
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
