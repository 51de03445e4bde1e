/**
 * The node's deterministic core: a single-threaded state machine over {@link
 * io.stackcompanion.node.core.CoreInput}s whose whole world is {@link io.stackcompanion.node.core.CoreRuntime}.
 *
 * <p>Split by concern, as Plenum's {@code plenum/server/consensus/}, over one explicit state:
 * <ul>
 *   <li>{@code NodeCore}: the public face. Builds the services, each with its dependencies in its
 *       constructor, and hands each input to the service it concerns (node messages through a table
 *       by message type).</li>
 *   <li>{@code ConsensusState} (Plenum's consensus_shared_data): the view and whether it is changing,
 *       the primary, how far batches are applied and ordered, the stable checkpoint and watermarks, the
 *       prepared and ordered logs above it, whether a catch-up runs. The one place to look for where
 *       the node stands. Its fields are private and it changes only through named transitions, each
 *       made by one service: entering a view (and starting a view change) by {@code ViewChanges}, a
 *       batch applied, prepared or ordered by {@code Ordering}, a stable checkpoint by
 *       {@code Checkpoints}, a catch-up's start and end by {@code Catchup}.</li>
 *   <li>{@code RequestBook}: the one owner of a request's life. Received, finalised (then it waits in
 *       the book's queue), in a batch, back in the queue when its batch is discarded, ordered
 *       (forgotten, and its waiting clients are returned for the reply). Its {@code RequestState}'s
 *       status is private to it.</li>
 *   <li>{@code Propagator}: REQUEST and PROPAGATE, up to a finalised request.</li>
 *   <li>{@code PrimaryBatcher}: what the primary cuts from the queue (its own size and wait rules, or
 *       a replay's forced {@code PrePrepareSchedule}).</li>
 *   <li>{@code Ordering} (ordering_service): PRE-PREPARE, PREPARE, COMMIT, ordering in pp_seq_no order;
 *       {@code PrePrepareStash} holds the PRE-PREPAREs waiting for their turn, {@code Batch} one slot's
 *       accepted PRE-PREPARE and votes.</li>
 *   <li>{@code Checkpoints} (checkpoint_service): CHECKPOINT votes and stability.</li>
 *   <li>{@code ViewChanges} (view_change_trigger_service and view_change_service): INSTANCE_CHANGE votes
 *       (lost primary, stalled request), VIEW_CHANGE, NEW_VIEW.</li>
 *   <li>{@code Catchup}: LEDGER_STATUS, CONSISTENCY_PROOF, CATCHUP_REQ/REP, the replies for requests it
 *       brought, then rejoining ordering.</li>
 *   <li>{@code Execution}: applies batches to ledger and state, speculatively and then for good; the one
 *       keeper of what an applied batch holds (each request with its transaction), until it is
 *       ordered, when it returns each request with its reply. Every operation (PUT, GET, CAS) is a
 *       transaction; a GET's or CAS's result is computed there, in batch order, and kept in its
 *       transaction and reply; the state changes only for a PUT and a CAS that applied.</li>
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
