#!/usr/bin/env bash
# usage: scripts/dst.sh run --seed S [--requests N | --seconds T] [--nodes 4|7] [--faults LIST]
#                           [--plant WEAKNESS] [--out DIR] [--keep] [--json]
#        scripts/dst.sh swarm --seeds A..B [--jobs J] [--first-failure] [--requests N | --seconds T]
#                           [--nodes 4|7] [--faults LIST] [--plant WEAKNESS] [--json]
#        scripts/dst.sh check FILE [--json] [--max-steps N] [--initial absent|unknown] [--html OUT.html]
#   Deterministic simulation testing (README, "Deterministic simulation testing").
#   run: one seed: the pool's real cores and stores on simulated time, clients issuing PUT, GET and
#   CAS on a few keys, the seed's faults (drops, duplicates, delays, partitions, cut links, crashes,
#   a node down past a checkpoint, clock skew) until they heal, then the checkers (agreement,
#   validity, durability, liveness, linearizability). Prints a summary and the trace hash (the same
#   seed gives the same hash). A failing seed (or any with --keep) writes DIR/dst-S/ (default
#   ./dst-S/): history.jsonl, history.html (as check --html draws it), report.txt, report.json and
#   every node's recording, which 'scripts/replay.sh --recording dst-S --node NodeK' replays.
#   swarm: the seeds A..B (each draws its own faults unless --faults pins them), a progress bar, a
#   summary (seeds, failures by checker, simulated seconds per wall second), the failing seeds.
#   check: decides whether a client history is linearizable: one register per key, PUT, GET and
#   compare-and-set, each operation placed at one instant between its invoke and its return, an
#   operation with no agreed reply at any instant after its invoke or never. FILE: JSON Lines as
#   scripts/load.sh --history writes them (README, "Client history"). A history that cannot be
#   ordered is reported per key: the operation whose return no order reaches, the longest order
#   found before it, and the operations that cannot come next (client, operation, line, times).
# options: --faults LIST: drop,duplicate,delay,partition,cut,crash,down,skew,byzantine, or all, or none
#          --plant WEAKNESS: (run, swarm) a planted weakness, to see the DST find it: skip-new-view-check
#            (the nodes take NEW_VIEWs on trust instead of computing them again from their VIEW_CHANGEs)
#            or votes-for-any-digest (the nodes count PREPAREs and COMMITs whatever digest they name)
#          --requests N: operations in all (default 200); --seconds T: simulated seconds instead
#          --jobs J: seeds at once (default: the cores); --first-failure: stop at the first failing seed
#          --json: the result as one JSON object, last
#          --max-steps N: search steps per key before giving up with UNKNOWN (default 5000000)
#          --initial absent|unknown: the keys' values before the history: absent (default: a new
#            pool, or keys the history is the first to use), or unknown (a pool used before: any
#            one value per key that makes the history linearizable)
#          --html OUT.html: (check) also write the history as a page to open in a browser (offline):
#            per key one lane per client, each operation a bar from invoke to return, the verdict,
#            and for a key that cannot be ordered a "jump to first error" button
# exit: 0 every check passed (run, swarm), or linearizable (check); 1 a seed failed a check (its
#   reason printed), or not linearizable (the report printed); 2 bad arguments or a malformed
#   history (one line naming the line); 3 an internal error (a bug: please report it); 4 (check)
#   unknown: the search bound was reached on a key
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
        --html) sc_need "a file (OUT.html)" "$@"
                [[ ! -d "$2" ]] || sc_die "--html $2 is a folder; name the HTML file to write"
                [[ -d "$(dirname "$2")" ]] || sc_die "--html $2: no folder $(dirname "$2") to write it into"
                args+=("$1" "$(sc_abs "$2")") ;;
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
  run|swarm)
    args=("$command")
    seen_seed=0; seen_requests=0; seen_seconds=0; seen_seeds=0
    faults_re='^(all|none|(drop|duplicate|delay|partition|cut|crash|down|skew|byzantine)(,(drop|duplicate|delay|partition|cut|crash|down|skew|byzantine))*)$'
    while [[ $# -gt 0 ]]; do
      case "$1" in
        --json) args+=("$1"); shift; continue ;;
        --keep|--out|--seed) [[ "$command" == run ]] || sc_unknown_option "$1" ;;&
        --seeds|--jobs|--first-failure) [[ "$command" == swarm ]] || sc_unknown_option "$1" ;;&
        --keep|--first-failure) args+=("$1"); shift; continue ;;
        --seed) sc_need "a whole number" "$@"
                [[ "$2" =~ ^-?[0-9]{1,18}$ ]] || sc_die "--seed must be a whole number from -9223372036854775808 to 9223372036854775807, not '$2'"
                seen_seed=1; args+=("$1" "$2") ;;
        --out) sc_need "a folder" "$@"; args+=("$1" "$(sc_abs "$2")") ;;
        --requests) sc_need "a number of operations" "$@"; sc_int n --requests "$2" 1 1000000; seen_requests=1; args+=("$1" "$n") ;;
        --seconds) sc_need "a number of simulated seconds" "$@"; sc_int n --seconds "$2" 1 86400; seen_seconds=1; args+=("$1" "$n") ;;
        --nodes) sc_need "4 or 7" "$@"; [[ "$2" =~ ^(4|7)$ ]] || sc_die "--nodes is 4 (f=1) or 7 (f=2), not '$2'"; args+=("$1" "$2") ;;
        --faults) sc_need "a list of faults" "$@"
                  [[ "$2" =~ $faults_re ]] || sc_die "--faults is a list of drop, duplicate, delay, partition, cut, crash, down, skew, byzantine (or all, or none), not '$2'"
                  args+=("$1" "$2") ;;
        --jobs) sc_need "a number of jobs" "$@"; sc_int n --jobs "$2" 1 256; args+=("$1" "$n") ;;
        --plant) sc_need "a weakness (skip-new-view-check or votes-for-any-digest)" "$@"
                 [[ "$2" =~ ^(skip-new-view-check|votes-for-any-digest)$ ]] \
                   || sc_die "--plant takes skip-new-view-check or votes-for-any-digest, not '$2'"
                 args+=("$1" "$2") ;;
        --seeds) sc_need "a range A..B" "$@"
                 [[ "$2" =~ ^([0-9]{1,18})\.\.([0-9]{1,18})$ ]] && ((10#${BASH_REMATCH[1]} <= 10#${BASH_REMATCH[2]})) \
                   || sc_die "--seeds is a range A..B of whole numbers with A <= B, not '$2'"
                 seen_seeds=1; args+=("$1" "$2") ;;
        *) sc_unknown_option "$1" ;;
      esac
      shift 2
    done
    [[ $seen_requests == 0 || $seen_seconds == 0 ]] || sc_die "--requests and --seconds are two ways to size a run; pass one"
    [[ "$command" != run || $seen_seed == 1 ]] || sc_die "dst.sh run needs --seed S, e.g. --seed 42"
    [[ "$command" != swarm || $seen_seeds == 1 ]] || sc_die "dst.sh swarm needs --seeds A..B, e.g. --seeds 1..100"
    ;;
  *) sc_die "unknown command '$command' for dst.sh; the commands are run, swarm and check (see '$SC_SCRIPT --help')" ;;
esac
sc_build
[[ -f "$SC_ROOT/sim/target/classpath.txt" ]] \
  || sc_die "the sim module is not built ($SC_ROOT/sim/target/classpath.txt is missing); run without SC_SKIP_BUILD to build"
sc_java io.stackcompanion.sim.DstMain "${args[@]}"
