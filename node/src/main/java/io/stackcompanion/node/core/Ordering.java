package io.stackcompanion.node.core;

import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Commit;
import io.stackcompanion.node.message.PrePrepare;
import io.stackcompanion.node.message.Prepare;
import io.stackcompanion.node.message.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The master instance's 3-phase commit, as in Plenum: the primary cuts finalised requests into
 * PRE-PREPAREs (by size or by wait), replicas check them by applying the batch and comparing roots,
 * PREPARE at n-f-1, COMMIT at n-f, and batches are ordered strictly in pp_seq_no order.
 */
final class Ordering {
    private static final Logger log = LoggerFactory.getLogger(Ordering.class);
    static final String BATCH_TIMER = "batch";
    /** Votes are kept only this far above the last ordered batch, so a peer cannot fill our memory. */
    static final long WINDOW = 300;

    private final CoreContext ctx;
    private final Execution execution;
    private final Propagator propagator;
    private final PrePrepareSchedule schedule;

    private int viewNo;
    private long lastOrdered;
    /** pp_seq_no of the last batch applied (sent as primary, or accepted as replica). */
    private long lastApplied;
    private long lastPpTime;
    /** Finalised requests not yet in any batch, in finalisation order (a LinkedHashMap: ordered). */
    private final LinkedHashMap<String, RequestState> queue = new LinkedHashMap<>();
    /** Digests in batches applied and not yet ordered. */
    private final Set<String> batched = new HashSet<>();
    private final TreeMap<Long, Batch> batches = new TreeMap<>();
    /** PRE-PREPAREs received ahead of their turn or before all their requests are finalised. */
    private final TreeMap<Long, PrePrepare> stashed = new TreeMap<>();

    Ordering(CoreContext ctx, Execution execution, Propagator propagator, PrePrepareSchedule schedule) {
        this.ctx = ctx;
        this.execution = execution;
        this.propagator = propagator;
        this.schedule = schedule;
        Execution.Position last = execution.lastOrdered();
        this.viewNo = last.viewNo();
        this.lastOrdered = last.ppSeqNo();
        this.lastApplied = lastOrdered;
        this.lastPpTime = last.ppTime();
    }

    int viewNo() {
        return viewNo;
    }

    String primary() {
        return ctx.primaryOf(viewNo);
    }

    boolean isPrimary() {
        return primary().equals(ctx.name);
    }

    long lastOrdered() {
        return lastOrdered;
    }

    void onFinalised(RequestState request) {
        if (!batched.contains(request.digest)) {
            queue.put(request.digest, request);
        }
        if (isPrimary()) {
            maybeCutBatch();
        } else {
            applyStashed();
        }
    }

    void onTimer(String timer) {
        if (BATCH_TIMER.equals(timer) && isPrimary()) {
            maybeCutBatch();
        }
    }

    void onPrePrepare(String from, PrePrepare pp) {
        if (pp.viewNo() != viewNo) {
            log.debug("PRE-PREPARE {}:{} from {} is not for view {}; ignored", pp.viewNo(), pp.ppSeqNo(), from, viewNo);
            return;
        }
        if (!from.equals(primary())) {
            log.warn("{} sent PRE-PREPARE {}:{} but the primary of view {} is {}; ignored",
                    from, pp.viewNo(), pp.ppSeqNo(), viewNo, primary());
            return;
        }
        if (pp.ppSeqNo() <= lastApplied) {
            Batch known = batches.get(pp.ppSeqNo());
            if (known != null && known.digest != null && !known.digest.equals(digest(pp))) {
                log.warn("primary {} sent a second, different PRE-PREPARE for {}:{}; ignored",
                        from, pp.viewNo(), pp.ppSeqNo());
            }
            return;
        }
        if (pp.ppSeqNo() > lastOrdered + WINDOW) {
            log.warn("PRE-PREPARE {}:{} is beyond the window above {}; ignored", pp.viewNo(), pp.ppSeqNo(), lastOrdered);
            return;
        }
        stashed.putIfAbsent(pp.ppSeqNo(), pp);
        applyStashed();
    }

    void onPrepare(String from, Prepare p) {
        if (!acceptVote(p.viewNo(), p.ppSeqNo())) {
            return;
        }
        if (from.equals(primary())) {
            log.warn("primary {} sent a PREPARE for {}:{}; primaries do not prepare; ignored", from, p.viewNo(), p.ppSeqNo());
            return;
        }
        Batch b = batches.computeIfAbsent(p.ppSeqNo(), Batch::new);
        b.addPrepare(p.digest(), from);
        checkPrepared(b);
    }

    void onCommit(String from, Commit c) {
        if (!acceptVote(c.viewNo(), c.ppSeqNo())) {
            return;
        }
        Batch b = batches.computeIfAbsent(c.ppSeqNo(), Batch::new);
        b.addCommit(c.digest(), from);
        tryOrder();
    }

    private boolean acceptVote(int voteView, long ppSeqNo) {
        return voteView == viewNo && ppSeqNo > lastOrdered && ppSeqNo <= lastOrdered + WINDOW;
    }

    /** After every input when batches are forced: a forced batch may have become due. */
    void afterInput() {
        if (schedule.isForced() && isPrimary()) {
            maybeCutBatch();
        }
    }

    private void maybeCutBatch() {
        if (schedule.isForced()) {
            cutForcedBatches();
            return;
        }
        long maxWait = ctx.config.maxBatchWaitMs() * 1_000_000L;
        int maxSize = ctx.config.maxBatchSize();
        while (!queue.isEmpty() && lastApplied - lastOrdered < ctx.config.maxBatchesInFlight()) {
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
                requests.add(it.next());
            }
            cutBatch(requests, Math.max(ctx.nowMillis(), lastPpTime));
        }
        if (queue.isEmpty()) {
            ctx.timers.cancel(BATCH_TIMER);
        }
    }

    /** Cuts the scheduled batches that are due and whose requests are all finalised here. */
    private void cutForcedBatches() {
        while (true) {
            var forced = schedule.forced(viewNo, lastApplied + 1);
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
            cutBatch(requests, forced.get().ppTime());
        }
    }

    /** The one place a primary makes a batch: these requests, at this pp_time, as the next pp_seq_no. */
    private void cutBatch(List<RequestState> requests, long ppTime) {
        long ppSeqNo = lastApplied + 1;
        Execution.Roots roots = execution.apply(requests, ppTime);
        PrePrepare pp = new PrePrepare(viewNo, ppSeqNo, ppTime, digests(requests),
                roots.ledgerSize(), roots.txnRoot(), roots.stateRoot());
        Batch b = batches.computeIfAbsent(ppSeqNo, Batch::new);
        accept(b, pp, requests);
        log.debug("sending PRE-PREPARE {}:{} with {} requests", viewNo, ppSeqNo, requests.size());
        ctx.outbox.broadcast(pp);
        checkPrepared(b);
    }

    private void applyStashed() {
        PrePrepare pp;
        while ((pp = stashed.get(lastApplied + 1)) != null) {
            List<RequestState> requests = new ArrayList<>(pp.reqDigests().size());
            for (String d : pp.reqDigests()) {
                RequestState r = propagator.get(d);
                if (r == null || !r.finalised) {
                    return; // wait for its propagates; a later finalisation calls us again
                }
                requests.add(r);
            }
            stashed.remove(pp.ppSeqNo());
            applyPrePrepare(pp, requests);
        }
    }

    private void applyPrePrepare(PrePrepare pp, List<RequestState> requests) {
        String problem = checkPrePrepare(pp);
        if (problem != null) {
            log.error("PRE-PREPARE {}:{} from {} rejected: {}", pp.viewNo(), pp.ppSeqNo(), primary(), problem);
            return;
        }
        Execution.Roots roots = execution.apply(requests, pp.ppTime());
        if (roots.ledgerSize() != pp.ledgerSize() || !roots.txnRoot().equals(pp.txnRoot())
                || !roots.stateRoot().equals(pp.stateRoot())) {
            log.error("PRE-PREPARE {}:{} from {} announces ledger {} / {} and state {}, but applying it gives "
                            + "{} / {} and {}; not preparing", pp.viewNo(), pp.ppSeqNo(), primary(), pp.ledgerSize(),
                    pp.txnRoot(), pp.stateRoot(), roots.ledgerSize(), roots.txnRoot(), roots.stateRoot());
            reapplyAccepted();
            return;
        }
        Batch b = batches.computeIfAbsent(pp.ppSeqNo(), Batch::new);
        accept(b, pp, requests);
        ctx.outbox.broadcast(new Prepare(viewNo, pp.ppSeqNo(), b.digest));
        b.addPrepare(b.digest, ctx.name);
        checkPrepared(b);
    }

    private String checkPrePrepare(PrePrepare pp) {
        if (pp.ppTime() < lastPpTime) {
            return "pp_time " + pp.ppTime() + " is before the previous batch's " + lastPpTime;
        }
        if (Math.abs(pp.ppTime() - ctx.nowMillis()) > ctx.config.ppTimeToleranceMs()) {
            return "pp_time " + pp.ppTime() + " is too far from our clock " + ctx.nowMillis();
        }
        if (pp.reqDigests().isEmpty()) {
            return "the batch is empty";
        }
        if (new HashSet<>(pp.reqDigests()).size() != pp.reqDigests().size()) {
            return "the batch lists a request twice";
        }
        for (String d : pp.reqDigests()) {
            if (batched.contains(d)) {
                return "request " + d + " is already in an earlier batch";
            }
        }
        return null;
    }

    private void accept(Batch b, PrePrepare pp, List<RequestState> requests) {
        b.prePrepare = pp;
        b.digest = digest(pp);
        b.requests = List.copyOf(requests);
        for (RequestState r : requests) {
            queue.remove(r.digest);
            batched.add(r.digest);
        }
        lastApplied = pp.ppSeqNo();
        lastPpTime = pp.ppTime();
    }

    /** Undo a failed speculative application: discard all uncommitted, reapply the accepted batches. */
    private void reapplyAccepted() {
        execution.discardUncommitted();
        for (Batch b : batches.subMap(lastOrdered, false, lastApplied, true).values()) {
            execution.apply(b.requests, b.prePrepare.ppTime());
        }
    }

    private void checkPrepared(Batch b) {
        if (b.prePrepare != null && !b.commitSent && b.prepareCount() >= ctx.quorums.prepare()) {
            b.commitSent = true;
            ctx.outbox.broadcast(new Commit(viewNo, b.ppSeqNo, b.digest));
            b.addCommit(b.digest, ctx.name);
            tryOrder();
        }
    }

    private void tryOrder() {
        Batch b;
        boolean orderedAny = false;
        while ((b = batches.get(lastOrdered + 1)) != null && b.commitSent
                && b.commitCount() >= ctx.quorums.commit()) {
            order(b);
            orderedAny = true;
        }
        if (orderedAny && isPrimary()) {
            maybeCutBatch();
        }
    }

    private void order(Batch b) {
        List<Reply> replies = execution.commitOldest(viewNo, b.prePrepare);
        for (int i = 0; i < replies.size(); i++) {
            RequestState r = b.requests.get(i);
            batched.remove(r.digest);
            ctx.outbox.toClients(propagator.ordered(r.digest), replies.get(i));
        }
        lastOrdered = b.ppSeqNo;
        batches.remove(b.ppSeqNo);
        log.debug("ordered {}:{} ({} requests, ledger size {})", viewNo, b.ppSeqNo, replies.size(), execution.ledgerSize());
    }

    static String digest(PrePrepare pp) {
        return Hashes.sha256Hex(Codec.encode(pp));
    }

    private static List<String> digests(List<RequestState> requests) {
        List<String> d = new ArrayList<>(requests.size());
        for (RequestState r : requests) {
            d.add(r.digest);
        }
        return d;
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("viewNo", viewNo);
        m.put("primary", primary());
        m.put("lastOrdered", lastOrdered);
        m.put("lastApplied", lastApplied);
        m.put("queued", queue.size());
        m.put("stashedPrePrepares", stashed.size());
        return m;
    }
}
