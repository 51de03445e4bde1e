#!/usr/bin/env bash
# usage: scripts/dst.sh check FILE [--json] [--max-steps N] [--initial absent|unknown]
#   Deterministic simulation testing (README, "Deterministic simulation testing").
#   check: decides whether a client history is linearizable: one register per key, PUT, GET and
#   compare-and-set, each operation placed at one instant between its invoke and its return, an
#   operation with no agreed reply at any instant after its invoke or never. FILE: JSON Lines as
#   scripts/load.sh --history writes them (README, "Client history"). A history that cannot be
#   ordered is reported per key: the operation whose return no order reaches, the longest order
#   found before it, and the operations that cannot come next (client, operation, line, times).
# options: --json: the verdict as one JSON object, last
#          --max-steps N: search steps per key before giving up with UNKNOWN (default 5000000)
#          --initial absent|unknown: the keys' values before the history: absent (default: a new
#            pool, or keys the history is the first to use), or unknown (a pool used before: any
#            one value per key that makes the history linearizable)
# exit: 0 linearizable; 1 not linearizable (the report printed); 2 bad arguments or a malformed
#   history (one line naming the line); 3 an internal error (a bug: please report it);
#   4 unknown (the search bound was reached on a key)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sc_help_if_asked "$@"
sc_split_eq "$@"
set -- "${SC_ARGS[@]}"
[[ $# -gt 0 ]] || sc_die "dst.sh needs a command: check FILE (try --help)"
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
  *) sc_die "unknown command '$command' for dst.sh; the command is check FILE (see '$SC_SCRIPT --help')" ;;
esac
sc_build
[[ -f "$SC_ROOT/sim/target/classpath.txt" ]] \
  || sc_die "the sim module is not built ($SC_ROOT/sim/target/classpath.txt is missing); run without SC_SKIP_BUILD to build"
sc_java io.stackcompanion.sim.DstMain "${args[@]}"
