/**
 * The node's deterministic core: a single-threaded state machine over {@link
 * io.stackcompanion.node.core.CoreInput}s whose whole world is {@link io.stackcompanion.node.core.CoreRuntime}.
 *
 * <p>Split by concern, as Plenum's {@code plenum/server/consensus/}, over one explicit state:
 * <ul>
 *   <li>{@code NodeCore}: the public face. Decodes each input, hands it to the service it concerns,
 *       and builds the services, each with its dependencies in its constructor.</li>
 *   <li>{@code ConsensusState} (Plenum's consensus_shared_data): the view and whether it is changing,
 *       the primary, how far batches are applied and ordered, the stable checkpoint and watermarks, the
 *       prepared and ordered logs above it, whether a catch-up runs. The one place to look for where
 *       the node stands.</li>
 *   <li>{@code Propagator}: REQUEST and PROPAGATE, up to a finalised request.</li>
 *   <li>{@code PrimaryBatcher}: finalised requests waiting for a batch, and what the primary cuts (its
 *       own size and wait rules, or a replay's forced {@code PrePrepareSchedule}).</li>
 *   <li>{@code Ordering} (ordering_service): PRE-PREPARE, PREPARE, COMMIT, ordering in pp_seq_no order;
 *       {@code PrePrepareStash} holds the PRE-PREPAREs waiting for their turn, {@code Batch} one slot's
 *       votes.</li>
 *   <li>{@code Checkpoints} (checkpoint_service): CHECKPOINT votes and stability.</li>
 *   <li>{@code ViewChanges} (view_change_trigger_service and view_change_service): INSTANCE_CHANGE votes
 *       (lost primary, stalled request), VIEW_CHANGE, NEW_VIEW. The view changes in one method.</li>
 *   <li>{@code Catchup}: LEDGER_STATUS, CONSISTENCY_PROOF, CATCHUP_REQ/REP, then rejoining ordering.</li>
 *   <li>{@code Execution}: applies batches to ledger and state, speculatively and then for good; the one
 *       keeper of what an applied batch holds, until it is ordered.</li>
 * </ul>
 * Calls go forward in the order {@code NodeCore} builds the services (Checkpoints, PrimaryBatcher,
 * Ordering, ViewChanges, Catchup). The few calls back are small functional interfaces that
 * {@code NodeCore} resolves: ask for a catch-up ({@code Catchup.Trigger}), vote for a view change
 * ({@code ViewChanges.Vote}), let the primary cut after a stable checkpoint.
 *
 * <p>The rule: time only from the runtime's clock, timers only through the core's {@link
 * io.stackcompanion.node.core.Timers} table, randomness only from the injected seeded {@link
 * java.util.Random}, and no hash-ordered iteration where order reaches an output. The same inputs give
 * the same outputs, in the same order: that is what makes a recording replayable.
 */
package io.stackcompanion.node.core;
