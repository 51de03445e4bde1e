#!/usr/bin/env bash
# usage: scripts/demo.sh [--base-dir DIR] [--requests N]
#   The whole Stack Companion story on a local pool, end to end:
#   1. a 4-node pool starts with recording on (STACK_COMPANION=1) and orders signed client requests;
#   2. a node is killed with SIGKILL under load and restarted, as in a real incident;
#   3. the pool stops; the recordings are inspected;
#   4. each node is replayed alone from its recording, sending nothing on the network, and the
#      replay says whether it reproduced the original exactly (its log, in recorded time, goes to
#      data/<node>/replay.log, beside the node's own node.log);
#   5. the pool's timeline is written to <base-dir>/timeline.html, to open in a browser.
# options: --base-dir DIR (default ./demo; a new folder, or one an earlier demo made, which is
#          replaced), --requests N (4 to 1000000, default 1000; then N/4 twice more)
# Leaves the pool folder for you to look at.
# exit: 0 every replay matched; 1 a step failed or a replay diverged; 2 bad arguments
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sc_help_if_asked "$@"
sc_split_eq "$@"
set -- "${SC_ARGS[@]}"
base_dir="demo"
requests=1000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-dir) sc_need "a folder" "$@"; base_dir="$2"; shift 2 ;;
    --requests) sc_need "a number of requests" "$@"; sc_int requests --requests "$2" 4 1000000; shift 2 ;;
    -*) sc_unknown_option "$1" ;;
    *) sc_die "unexpected argument '$1' for demo.sh; see '$SC_SCRIPT --help'" ;;
  esac
done
[[ -n "$base_dir" ]] || sc_die "--base-dir needs a folder"
if [[ -e "$base_dir" ]]; then
  [[ -f "$base_dir/.stack-companion-demo" ]] || sc_die "$base_dir exists and is not a demo folder; pass --base-dir NEW_FOLDER"
else
  sc_check_creatable --base-dir "$(sc_abs "$base_dir")"
fi
scripts="$SC_ROOT/scripts"

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

if [[ -e "$base_dir" ]]; then
  "$scripts/pool.sh" down --base-dir "$base_dir" >/dev/null 2>&1 || true
  rm -rf "$base_dir"
fi
mkdir -p "$base_dir"
touch "$base_dir/.stack-companion-demo"
base_dir="$(cd "$base_dir" && pwd)"
trap '"$scripts/pool.sh" down --base-dir "$base_dir" >/dev/null 2>&1 || true' EXIT

step "building (first use only)"
sc_build

step "1. a pool of 4 nodes, recording both stacks (STACK_COMPANION=1)"
STACK_COMPANION=1 "$scripts/pool.sh" up --base-dir "$base_dir" --random-ports
"$scripts/load.sh" --base-dir "$base_dir" --requests "$requests" --clients 4

step "2. Node3 is killed with SIGKILL; the pool goes on; Node3 comes back"
"$scripts/pool.sh" kill Node3 --base-dir "$base_dir"
"$scripts/load.sh" --base-dir "$base_dir" --requests $((requests / 4)) --clients 2
STACK_COMPANION=1 "$scripts/pool.sh" start Node3 --base-dir "$base_dir"
"$scripts/load.sh" --base-dir "$base_dir" --requests $((requests / 4)) --clients 2
"$scripts/pool.sh" status --base-dir "$base_dir"

step "3. the pool stops; what was recorded"
"$scripts/pool.sh" down --base-dir "$base_dir"
"$scripts/recording.sh" verify --pool "$base_dir"
"$scripts/recording.sh" stats "$base_dir/data/Node3"

step "4. every node replayed alone from its recording (virtual time, nothing sent; messages, ledgers and the consensus state at each checkpoint and stop compared)"
failed=0
for n in Node1 Node2 Node3 Node4; do
  if ! "$scripts/replay.sh" --recording "$base_dir" --node "$n" --check-state --log "$base_dir/data/$n/replay.log"; then
    failed=1
  fi
done

step "5. the pool's timeline: every node a lane, every matched message an arrow (open it in a browser; it needs no network)"
"$scripts/recording.sh" timeline "$base_dir" --out "$base_dir/timeline.html" || failed=1

echo >&2
if [[ $failed == 0 ]]; then
  echo "demo done: every node's replay reproduced its recording exactly. The pool is in $base_dir;" >&2
  echo "its timeline: $base_dir/timeline.html (open it in a browser)" >&2
  echo "try: scripts/recording.sh export $base_dir/data/Node1 | head, or scripts/replay.sh --recording $base_dir --node Node1 --debug" >&2
else
  echo "demo FAILED: a replay diverged (see above). The pool is in $base_dir." >&2
  exit 1
fi
