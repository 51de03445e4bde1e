/**
 * Command-line tools behind the scripts: {@link io.stackcompanion.node.tools.PoolMain}
 * ({@code init}, {@code status}, {@code wait-connected}, {@code ping}) for {@code scripts/pool.sh},
 * and {@link io.stackcompanion.node.tools.LoadMain} for {@code scripts/load.sh}. Exit codes: 0 done,
 * 1 the pool did not do what was asked, 2 bad arguments or configuration (one line on stderr).
 */
package io.stackcompanion.node.tools;
