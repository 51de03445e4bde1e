#!/usr/bin/env bash
# usage: scripts/dst.sh run --seed S [--requests N | --seconds T] [--nodes 4|7] [--faults LIST]
#                           [--out DIR] [--keep] [--json]
#        scripts/dst.sh swarm --seeds A..B [--jobs J] [--first-failure] [--requests N | --seconds T]
#                           [--nodes 4|7] [--faults LIST] [--json]
#        scripts/dst.sh check FILE [--json] [--max-steps N] [--initial absent|unknown]
#   Deterministic simulation testing (README, "Deterministic simulation testing").
#   run: one seed: the pool's real cores and stores on simulated time, clients issuing PUT, GET and
#   CAS on a few keys, the seed's faults (drops, duplicates, delays, partitions, cut links, crashes,
#   a node down past a checkpoint, clock skew) until they heal, then the checkers (agreement,
#   validity, durability, liveness, linearizability). Prints a summary and the trace hash (the same
#   seed gives the same hash). A failing seed (or any with --keep) writes DIR/dst-S/ (default
#   ./dst-S/): history.jsonl, report.txt, report.json and every node's recording, which
#   'scripts/replay.sh --recording dst-S --node NodeK' replays.
#   swarm: the seeds A..B (each draws its own faults unless --faults pins them), a progress bar, a
#   summary (seeds, failures by checker, simulated seconds per wall second), the failing seeds.
#   check: decides whether a client history is linearizable: one register per key, PUT, GET and
#   compare-and-set, each operation placed at one instant between its invoke and its return, an
#   operation with no agreed reply at any instant after its invoke or never. FILE: JSON Lines as
#   scripts/load.sh --history writes them (README, "Client history"). A history that cannot be
#   ordered is reported per key: the operation whose return no order reaches, the longest order
#   found before it, and the operations that cannot come next (client, operation, line, times).
# options: --faults LIST: drop,duplicate,delay,partition,cut,crash,down,skew, or all, or none
#          --requests N: operations in all (default 200); --seconds T: simulated seconds instead
#          --jobs J: seeds at once (default: the cores); --first-failure: stop at the first failing seed
#          --json: the result as one JSON object, last
#          --max-steps N: search steps per key before giving up with UNKNOWN (default 5000000)
#          --initial absent|unknown: the keys' values before the history: absent (default: a new
#            pool, or keys the history is the first to use), or unknown (a pool used before: any
#            one value per key that makes the history linearizable)
# exit: run, swarm: 0 every check passed; 1 a seed failed a check (its reason printed)
#       check: 0 linearizable; 1 not linearizable (the report printed); 4 unknown (the search
#         bound was reached on a key)
#       all: 2 bad arguments or a malformed history (one line naming the line); 3 an internal
#         error (a bug: please report it)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sc_help_if_asked "$@"
sc_split_eq "$@"
set -- "${SC_ARGS[@]}"
[[ $# -gt 0 ]] || sc_die "dst.sh needs a command: run, swarm or check (try --help)"
command="$1"
shift
args=()
case "$command" in
  check)
    file=""
    while [[ $# -gt 0 ]]; do
      case "$1" in
        --json) args+=("$1"); shift; continue ;;
        --max-steps) sc_need "a number of steps" "$@"
                     sc_int steps --max-steps "$2" 1 1000000000000; args+=("$1" "$steps") ;;
        --initial) sc_need "absent or unknown" "$@"
                   [[ "$2" =~ ^(absent|unknown)$ ]] || sc_die "--initial is absent or unknown, not '$2'"
                   args+=("$1" "$2") ;;
        -*) sc_unknown_option "$1" ;;
        *) [[ -z "$file" ]] || sc_die "dst.sh check takes one history file, not '$file' and '$1'"
           file="$1"; shift; continue ;;
      esac
      shift 2
    done
    [[ -n "$file" ]] || sc_die "dst.sh check needs a history file, e.g. one written by 'scripts/load.sh --history FILE'"
    [[ -f "$file" ]] || sc_die "no history at $file; pass a JSON Lines file as load.sh --history writes it"
    args=(check "$(sc_abs "$file")" "${args[@]}")
    ;;
  run|swarm) args=("$command" "$@") ;; # checked, with one-line errors, by the program itself
  *) sc_die "unknown command '$command' for dst.sh; the commands are run, swarm and check (see '$SC_SCRIPT --help')" ;;
esac
sc_build
[[ -f "$SC_ROOT/sim/target/classpath.txt" ]] \
  || sc_die "the sim module is not built ($SC_ROOT/sim/target/classpath.txt is missing); run without SC_SKIP_BUILD to build"
sc_java io.stackcompanion.sim.DstMain "${args[@]}"
