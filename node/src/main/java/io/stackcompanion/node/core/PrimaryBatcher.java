package io.stackcompanion.node.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The finalised requests waiting for a batch, and the primary cutting them into batches: by its own
 * rules (max size, max wait, batches in flight, the high watermark) or, in a replay, exactly the
 * recorded batches of the {@link PrePrepareSchedule}. Every node keeps the queue, as any node may
 * become primary; {@link Ordering} decides when the primary may propose and makes the PRE-PREPARE.
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
    private final Propagator propagator;
    private final PrePrepareSchedule schedule;
    /** Finalised requests not yet in any batch, in finalisation order (a LinkedHashMap: ordered). */
    private final LinkedHashMap<String, RequestState> queue = new LinkedHashMap<>();

    PrimaryBatcher(CoreContext ctx, ConsensusState state, Propagator propagator, PrePrepareSchedule schedule) {
        this.ctx = ctx;
        this.state = state;
        this.propagator = propagator;
        this.schedule = schedule;
    }

    boolean isForced() {
        return schedule.isForced();
    }

    void add(RequestState request) {
        queue.put(request.digest, request);
    }

    /** The request is in a batch now, or ordered (catch-up): it waits no more. */
    void remove(String digest) {
        queue.remove(digest);
    }

    /** Requests of discarded batches wait again, ahead of the others, in batch order. */
    void requeueFirst(LinkedHashMap<String, RequestState> requeued) {
        requeued.putAll(queue);
        queue.clear();
        queue.putAll(requeued);
    }

    int waiting() {
        return queue.size();
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
        while (!queue.isEmpty() && state.lastApplied() - state.lastOrdered() < ctx.settings.maxBatchesInFlight()
                && state.lastApplied() < state.highWatermark()) {
            RequestState oldest = queue.values().iterator().next();
            boolean full = queue.size() >= maxSize;
            boolean waited = ctx.now() - oldest.finalisedAt >= maxWait;
            if (!full && !waited) {
                ctx.timers.schedule(BATCH_TIMER, oldest.finalisedAt + maxWait);
                return;
            }
            List<RequestState> requests = new ArrayList<>();
            Iterator<RequestState> it = queue.values().iterator();
            while (it.hasNext() && requests.size() < maxSize) {
                RequestState r = it.next();
                it.remove();
                if (propagator.get(r.digest) == r) { // not ordered meanwhile (catch-up)
                    requests.add(r);
                }
            }
            if (!requests.isEmpty()) {
                proposer.propose(requests, Math.max(ctx.nowMillis(), state.lastPpTime()));
            }
        }
        if (queue.isEmpty()) {
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
                RequestState r = queue.get(d);
                if (r == null) {
                    return; // not finalised here yet; a later input will bring it
                }
                requests.add(r);
            }
            proposer.propose(requests, forced.get().ppTime());
        }
    }
}
