package io.stackcompanion.node.core;

import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.PrePrepare;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One 3-phase batch slot (a pp_seq_no): its PRE-PREPARE once accepted, and the votes seen for it.
 * Votes are kept by the digest they voted for, and a digest names one PRE-PREPARE of one view, so
 * votes of another view (or for another batch) never count for ours. What an applied batch is made
 * of (its requests and transactions) is kept once, by {@link Execution}, until it is ordered.
 */
final class Batch {
    final long ppSeqNo;
    private PrePrepare prePrepare;
    private String digest;
    private boolean commitSent;
    private final TreeMap<String, TreeSet<String>> prepares = new TreeMap<>();
    private final TreeMap<String, TreeSet<String>> commits = new TreeMap<>();

    /** What votes name a PRE-PREPARE by: the hash of its encoding. */
    static String digestOf(PrePrepare pp) {
        return Hashes.sha256Hex(Codec.encode(pp));
    }

    Batch(long ppSeqNo) {
        this.ppSeqNo = ppSeqNo;
    }

    /** The accepted PRE-PREPARE, or null. */
    PrePrepare prePrepare() {
        return prePrepare;
    }

    /** The accepted PRE-PREPARE's digest, or null. */
    String digest() {
        return digest;
    }

    boolean isCommitSent() {
        return commitSent;
    }

    /** {@code pp} is accepted for this slot: from now on only votes for its digest count. */
    void accept(PrePrepare pp) {
        prePrepare = pp;
        digest = digestOf(pp);
    }

    /** This node sent its COMMIT for the accepted PRE-PREPARE. */
    void markCommitSent() {
        commitSent = true;
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

    /** The most COMMITs any one digest has. */
    int maxCommitCount() {
        int max = 0;
        for (TreeSet<String> voters : commits.values()) {
            max = Math.max(max, voters.size());
        }
        return max;
    }

    /** The slot as plain values, for {@link CoreSnapshot}. */
    CoreSnapshot.BatchVotes votes() {
        TreeMap<String, Map<String, List<String>>> other = new TreeMap<>();
        addOtherVotes(prepares, "prepare", other);
        addOtherVotes(commits, "commit", other);
        return new CoreSnapshot.BatchVotes(ppSeqNo, prePrepare == null ? null : prePrepare.viewNo(), digest,
                prePrepare == null ? 0 : prePrepare.reqDigests().size(), votersForAccepted(prepares), votersForAccepted(commits),
                commitSent, other);
    }

    private List<String> votersForAccepted(TreeMap<String, TreeSet<String>> votes) {
        TreeSet<String> voters = digest == null ? null : votes.get(digest);
        return voters == null ? List.of() : List.copyOf(voters);
    }

    /** Votes for digests other than the accepted one, by digest, under {@code kind}. */
    private void addOtherVotes(TreeMap<String, TreeSet<String>> votes, String kind, TreeMap<String, Map<String, List<String>>> out) {
        votes.forEach((d, voters) -> {
            if (!d.equals(digest)) {
                out.computeIfAbsent(d, x -> new TreeMap<>()).put(kind, List.copyOf(voters));
            }
        });
    }

    /** Forgets the accepted PRE-PREPARE (view change, catch-up); the votes stay, they name their digest. */
    void unaccept() {
        prePrepare = null;
        digest = null;
        commitSent = false;
    }
}
