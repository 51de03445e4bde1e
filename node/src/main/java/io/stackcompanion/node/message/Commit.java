package io.stackcompanion.node.message;

/** A replica saw the batch prepared by a quorum and commits to ordering it. */
public record Commit(int viewNo, long ppSeqNo, String digest) implements Message {
}
