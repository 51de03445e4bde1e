package io.stackcompanion.node.core;

import io.stackcompanion.node.message.PrePrepare;

import java.util.TreeMap;
import java.util.TreeSet;

/**
 * PRE-PREPAREs waiting for their turn, by pp_seq_no: of this view, received ahead of it or before all
 * their requests are known here, or re-ordered by a NEW_VIEW (whose requests need not be finalised
 * here); and of a later view, from that view's primary, kept until this node is in it.
 */
final class PrePrepareStash {
    private final TreeMap<Long, PrePrepare> stashed = new TreeMap<>();
    /** Stashed pp_seq_nos that came in a NEW_VIEW: re-ordered batches. */
    private final TreeSet<Long> fromNewView = new TreeSet<>();
    /** PRE-PREPAREs of a later view, kept until we are in it. */
    private final TreeMap<Long, PrePrepare> future = new TreeMap<>();

    /** A PRE-PREPARE of this view, unless its slot is taken (a NEW_VIEW's decides it). */
    void stash(PrePrepare pp) {
        stashed.putIfAbsent(pp.ppSeqNo(), pp);
    }

    /** A batch the NEW_VIEW re-orders in this view, with the same content. */
    void stashReordered(PrePrepare pp) {
        stashed.put(pp.ppSeqNo(), pp);
        fromNewView.add(pp.ppSeqNo());
    }

    /** A batch applied and then discarded (catch-up, same view): to be applied again after. */
    void restash(PrePrepare pp) {
        if (fromNewView.contains(pp.ppSeqNo()) || !stashed.containsKey(pp.ppSeqNo())) {
            stashed.put(pp.ppSeqNo(), pp);
        }
    }

    /** A PRE-PREPARE of a later view, from its primary. */
    void keepForLaterView(PrePrepare pp) {
        future.put(pp.ppSeqNo(), pp);
    }

    /** We are now in {@code view}: the PRE-PREPAREs that came early for it wait their turn. */
    void takeFuture(int view) {
        for (PrePrepare pp : future.values()) {
            if (pp.viewNo() == view && !fromNewView.contains(pp.ppSeqNo())) {
                stashed.putIfAbsent(pp.ppSeqNo(), pp);
            }
        }
        future.clear();
    }

    boolean isReordered(long ppSeqNo) {
        return fromNewView.contains(ppSeqNo);
    }

    PrePrepare get(long ppSeqNo) {
        return stashed.get(ppSeqNo);
    }

    /** Removes {@code ppSeqNo}'s PRE-PREPARE: it is being applied. */
    void remove(long ppSeqNo) {
        stashed.remove(ppSeqNo);
        fromNewView.remove(ppSeqNo);
    }

    /** The re-ordered batches from {@code ppSeqNo} on are void (the NEW_VIEW's run ends before it). */
    void dropReorderedFrom(long ppSeqNo) {
        for (Long s : java.util.List.copyOf(fromNewView.tailSet(ppSeqNo, true))) {
            stashed.remove(s);
            fromNewView.remove(s);
        }
    }

    /** The pp_seq_no of the re-ordered batch that names request {@code digest}, or -1. */
    long reorderedNaming(String digest) {
        for (Long s : fromNewView) {
            PrePrepare pp = stashed.get(s);
            if (pp != null && pp.reqDigests().contains(digest)) {
                return s;
            }
        }
        return -1;
    }

    /** Forgets the slots at or below {@code lastApplied}: they are decided. */
    void dropUpTo(long lastApplied) {
        stashed.headMap(lastApplied, true).clear();
        fromNewView.headSet(lastApplied, true).clear();
    }

    /** The view moved on: what was stashed for the old one is void (the later views' stay). */
    void clear() {
        stashed.clear();
        fromNewView.clear();
    }

    boolean isEmpty() {
        return stashed.isEmpty();
    }

    int size() {
        return stashed.size();
    }
}
