package io.stackcompanion.node.core;

import io.stackcompanion.node.message.PrePrepare;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** One 3-phase batch of the current view: its PRE-PREPARE once accepted, and the votes seen for it. */
final class Batch {
    final long ppSeqNo;
    PrePrepare prePrepare;
    String digest;
    List<RequestState> requests = List.of();
    boolean commitSent;
    /** Voters by the digest they voted for; a vote for another digest never counts for ours. */
    private final Map<String, TreeSet<String>> prepares = new HashMap<>();
    private final Map<String, TreeSet<String>> commits = new HashMap<>();

    Batch(long ppSeqNo) {
        this.ppSeqNo = ppSeqNo;
    }

    void addPrepare(String digest, String voter) {
        prepares.computeIfAbsent(digest, d -> new TreeSet<>()).add(voter);
    }

    void addCommit(String digest, String voter) {
        commits.computeIfAbsent(digest, d -> new TreeSet<>()).add(voter);
    }

    int prepareCount() {
        return digest == null ? 0 : prepares.getOrDefault(digest, new TreeSet<>()).size();
    }

    int commitCount() {
        return digest == null ? 0 : commits.getOrDefault(digest, new TreeSet<>()).size();
    }
}
