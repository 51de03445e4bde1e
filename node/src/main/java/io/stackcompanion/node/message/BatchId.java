package io.stackcompanion.node.message;

/**
 * A PRE-PREPARE a node accepted (Plenum's BatchID): batch {@code ppSeqNo} in view {@code viewNo}, named
 * by {@code digest}, the digest PREPAREs and COMMITs name it by (hex SHA-256 of the PRE-PREPARE's
 * encoding, which holds the view). A VIEW_CHANGE carries those of its node above its stable checkpoint.
 */
public record BatchId(int viewNo, long ppSeqNo, String digest) {
}
