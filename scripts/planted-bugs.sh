#!/usr/bin/env bash
# usage: scripts/planted-bugs.sh [--seeds N] [--jobs J] [--requests R] [--only NAME]
#   Proof that the simulator finds bugs: plants each classic BFT bug of sim/planted-bugs/*.patch,
#   one at a time, in a scratch copy of this checkout (a git worktree of HEAD under a temporary
#   folder; this checkout is not touched), builds it, and runs 'dst.sh swarm --seeds 1..N
#   --first-failure' there. Prints one line per bug: the first seed that failed and its checker, the
#   seeds and wall seconds it took, or "not found in N seeds"; then a Markdown table (README,
#   "Deterministic simulation testing"). Takes minutes per bug (a build and a swarm each).
# options: --seeds N: seeds per bug (default 1000); --jobs J: seeds at once (default: the cores);
#          --requests R: operations per seed (default 200); --only NAME: one patch (its file name
#          without .patch)
# exit: 0 every bug found; 1 a bug was not found; 2 bad arguments; 3 a patch did not apply or the
#   build failed (its log named)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sc_help_if_asked "$@"
sc_split_eq "$@"
set -- "${SC_ARGS[@]}"
seeds=1000
jobs=""
requests=200
only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds) sc_need "a number of seeds" "$@"; sc_int seeds --seeds "$2" 1 1000000 ;;
    --jobs) sc_need "a number of jobs" "$@"; sc_int jobs --jobs "$2" 1 256 ;;
    --requests) sc_need "a number of operations" "$@"; sc_int requests --requests "$2" 1 1000000 ;;
    --only) sc_need "a patch name" "$@"; only="$2" ;;
    *) sc_unknown_option "$1" ;;
  esac
  shift 2
done
patches=()
for p in "$SC_ROOT"/sim/planted-bugs/*.patch; do
  name="$(basename "$p" .patch)"
  [[ -z "$only" || "$only" == "$name" ]] && patches+=("$p")
done
[[ ${#patches[@]} -gt 0 ]] || sc_die "no planted bug named '$only' in sim/planted-bugs/; the names are: $(cd "$SC_ROOT/sim/planted-bugs" && ls *.patch | sed 's/\.patch$//' | paste -sd' ')"
command -v git >/dev/null || sc_die "planted-bugs.sh needs git (it plants each bug in a worktree of this checkout)"
git -C "$SC_ROOT" rev-parse --verify -q HEAD >/dev/null || sc_die "$SC_ROOT is not a git checkout with a commit; planted-bugs.sh plants bugs in worktrees of HEAD"

scratch="$(mktemp -d)"
trap 'for w in "$scratch"/*/; do git -C "$SC_ROOT" worktree remove --force "$w" >/dev/null 2>&1 || true; done; rm -rf "$scratch"; git -C "$SC_ROOT" worktree prune' EXIT
rows=()
missed=0
for p in "${patches[@]}"; do
  name="$(basename "$p" .patch)"
  what="$(sed -n '1s/^# //p' "$p")"
  tree="$scratch/$name"
  git -C "$SC_ROOT" worktree add -q --detach "$tree" HEAD || { echo "error: cannot make a worktree for $name" >&2; exit 3; }
  git -C "$tree" apply "$p" || { echo "error: $p does not apply to HEAD; refresh it" >&2; exit 3; }
  if ! (cd "$tree" && ./mvnw -q -B -o -DskipTests package >"$scratch/$name.build.log" 2>&1 || ./mvnw -q -B -DskipTests package >"$scratch/$name.build.log" 2>&1); then
    cp "$scratch/$name.build.log" "$SC_ROOT/planted-$name.build.log"
    echo "error: the build with $name planted failed; its log is $SC_ROOT/planted-$name.build.log" >&2
    exit 3
  fi
  jobs_arg=()
  [[ -z "$jobs" ]] || jobs_arg=(--jobs "$jobs")
  start=$(date +%s.%N)
  json="$(cd "$tree" && SC_SKIP_BUILD=1 scripts/dst.sh swarm --seeds "1..$seeds" --first-failure --requests "$requests" "${jobs_arg[@]}" --json 2>/dev/null | tail -1 || true)" # exit 1: found
  end=$(date +%s.%N)
  secs="$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.0f", b-a}')"
  first="$(sed -n 's/.*"failures":\[{"seed":\([-0-9]*\),"reason":"\([^":]*\).*/\1 \2/p' <<<"$json")"
  ran="$(sed -n 's/.*"seeds":\([0-9]*\).*/\1/p' <<<"$json")"
  if [[ -n "$first" ]]; then
    seed="${first%% *}"
    checker="${first#* }"
    echo "$name: found by seed $seed ($checker) after $ran seeds, $secs s"
    rows+=("| $name | $what | $checker | $seed | $ran | $secs |")
  else
    missed=1
    echo "$name: not found in ${ran:-$seeds} seeds ($secs s)"
    rows+=("| $name | $what | not found | - | ${ran:-$seeds} | $secs |")
  fi
  git -C "$SC_ROOT" worktree remove --force "$tree" >/dev/null 2>&1 || true
done
echo
echo "| planted bug | what | found by | first failing seed | seeds run | wall s |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
exit $missed
