/**
 * Byzantine behaviour for tests (issue 18): {@link io.stackcompanion.sim.byzantine.Liar} changes what an
 * honest core sends to another node into the lies a faulty node tells. The simulator's lying nodes use
 * it on the simulated wire; a test-only main uses it on a real node process's node stack. Nothing in the
 * product starts a liar.
 */
package io.stackcompanion.sim.byzantine;
