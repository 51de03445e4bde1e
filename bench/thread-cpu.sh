#!/usr/bin/env bash
# Where recording's cost goes, thread by thread: two fresh 4-node pools, recording off and on, warmed
# up one after the other, then both at once at a fixed rate; over a window, each pool's CPU time
# (user and system) and minor page faults are summed per thread name (digits folded: Node1-core and
# Node2-core are one row), from /proc. Prints one table per pool. Everything it starts is stopped on
# exit.
#   bench/thread-cpu.sh [--rate R (100)] [--window S (40)] [--warmup N (8000)] [--segment-mb N (8)]
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

rate=100
window=40
warmup=8000
segment_mb=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) rate="${2:?--rate needs a number}"; shift 2 ;;
    --window) window="${2:?--window needs seconds}"; shift 2 ;;
    --warmup) warmup="${2:?--warmup needs a number}"; shift 2 ;;
    --segment-mb) segment_mb="${2:?--segment-mb needs a number}"; shift 2 ;;
    -h|--help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) sc_die "unknown option $1 (try --help)" ;;
  esac
done
[[ "$rate" =~ ^[0-9]+$ && "$window" =~ ^[0-9]+$ && "$warmup" =~ ^[0-9]+$ && "$segment_mb" =~ ^[0-9]+$ ]] \
  || sc_die "--rate, --window, --warmup and --segment-mb take whole numbers"
sc_build
work="$(mktemp -d "${TMPDIR:-/tmp}/sc-threads.XXXXXX")"
cleanup() {
  local m
  for m in off on; do
    [[ -f "$work/$m/pool_genesis.json" ]] && { "$SC_ROOT/scripts/pool.sh" down --base-dir "$work/$m" >/dev/null 2>&1 || true; }
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export SC_SKIP_BUILD=1 NODE_JAVA_OPTS="${NODE_JAVA_OPTS:--Xms128m -Xmx512m -XX:+UseSerialGC}"
load_opts="-Xms128m -Xmx512m -XX:+UseSerialGC"

# snapshot BASE: "<thread name>\t<utime>\t<stime>\t<minflt>" for every thread of the pool's nodes.
snapshot() {
  local f pid
  for f in "$1"/run/*.pid; do
    pid="$(cat "$f")"
    cat /proc/"$pid"/task/*/stat 2>/dev/null
  done | awk '{
    c = 0; for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { c = i; break }
    name = substr($0, index($0, "(") + 1, c - index($0, "(") - 1); gsub(/[0-9]+/, "#", name)
    split(substr($0, c + 2), f, " "); printf "%s\t%d\t%d\t%d\n", name, f[12], f[13], f[8] }'
}

for m in off on; do
  STACK_COMPANION="$([[ $m == on ]] && echo 1 || echo 0)" RECORDER_SEGMENT_MB="$segment_mb" \
    "$SC_ROOT/scripts/pool.sh" up --random-ports --base-dir "$work/$m" >/dev/null 2>&1 || sc_die "the $m pool did not come up"
done
for m in off on; do
  echo "warm-up $m: $(SC_JAVA_OPTS="$load_opts" "$SC_ROOT/scripts/load.sh" --base-dir "$work/$m" --requests "$warmup" --json 2>/dev/null | tail -1)" >&2
done
pids=()
for m in off on; do
  SC_JAVA_OPTS="$load_opts" "$SC_ROOT/scripts/load.sh" --base-dir "$work/$m" --requests "$((rate * (window + 8)))" \
    --rate "$rate" --json >"$work/$m.load" 2>/dev/null &
  pids+=($!)
done
sleep 5
snapshot "$work/off" >"$work/off.0"; snapshot "$work/on" >"$work/on.0"
sleep "$window"
snapshot "$work/off" >"$work/off.1"; snapshot "$work/on" >"$work/on.1"
wait "${pids[@]}" || true
hz="$(getconf CLK_TCK)"
for m in off on; do
  echo "== recording $m, $window s at $rate/s: $(tail -1 "$work/$m.load")"
  printf '%-18s %9s %9s %12s\n' thread "user s" "system s" "minor faults"
  # Threads alive in both snapshots; a thread that ended inside the window is left out.
  awk -F'\t' -v hz="$hz" 'NR == FNR { u[$1] -= $2; s[$1] -= $3; f[$1] -= $4; next }
    { u[$1] += $2; s[$1] += $3; f[$1] += $4; seen[$1] = 1 }
    END { for (k in seen) { tu += u[k]; ts += s[k]; tf += f[k]
            if (u[k] + s[k] > 0 || f[k] > 100) printf "%012d\t%-18s %9.2f %9.2f %12d\n", u[k] + s[k], k, u[k] / hz, s[k] / hz, f[k] }
          printf "%012d\t%-18s %9.2f %9.2f %12d\n", tu + ts + 1, "(all)", tu / hz, ts / hz, tf }' "$work/$m.0" "$work/$m.1" \
    | sort -r | cut -f2-
done
