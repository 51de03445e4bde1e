/**
 * The node's persistent store: ledger, Merkle hashes, state, request index and meta in ONE RocksDB
 * at {@code data/<node>/db/}, written one ordered batch at a time through a {@link
 * io.stackcompanion.node.store.StoreBatch}.
 *
 * <p>On disk (column families; all integers big-endian):
 * <ul>
 *   <li>{@code ledger}: seqNo (8 bytes, 1-based) to transaction bytes.</li>
 *   <li>{@code merkle}: level (1 byte) + index (8 bytes) to the 32-byte RFC 6962 hash of the complete
 *       subtree over leaves {@code [index << level, (index + 1) << level)}; level 0 holds leaf hashes.</li>
 *   <li>{@code state}: key bytes to value bytes.</li>
 *   <li>{@code seqno}: request key (the core's encoding of client and reqId) to seqNo (8 bytes).</li>
 *   <li>{@code meta}: UTF-8 name to value; {@code store.format} marks a node store,
 *       {@code store.stateRoot} is the committed state root; other names belong to the core.</li>
 * </ul>
 *
 * <p>Typical use by the consensus core, one thread:
 * <pre>{@code
 * LedgerPreview l = store.ledger().appendUncommitted(txns);      // PRE-PREPARE: txn root
 * Root s = store.state().applyUncommitted(writes);                //              state root
 * ...                                                              // ordered:
 * try (StoreBatch batch = store.newBatch()) {
 *     store.ledger().commitOldest(txns.size(), batch);
 *     store.state().commitOldest(batch);
 *     store.putSeqNo(requestKey, seqNo, batch);
 *     store.putMeta("lastOrdered", position, batch);
 *     store.write(batch);                                          // atomic; then roots advance
 * }
 * }</pre>
 */
package io.stackcompanion.node.store;
