/**
 * Deterministic simulation testing (issue 15), arrows {@code sim -> node -> recorder}: nothing in
 * {@code node} or {@code recorder} knows this module. {@code history/} reads a client history (the
 * documented JSON Lines a real pool's {@code load.sh --history} or a simulated run writes),
 * {@code check/} decides whether it is linearizable, {@code world/} is the simulated world (every
 * node's real core and store on simulated time, the {@link io.stackcompanion.sim.world.Network} between
 * them), {@link io.stackcompanion.sim.DstMain} is
 * {@code scripts/dst.sh}.
 */
package io.stackcompanion.sim;
