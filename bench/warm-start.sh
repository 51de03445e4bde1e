#!/usr/bin/env bash
# How fast a fresh pool gets going, two node JVM configurations side by side ("Warm JVMs" in the
# README): per round, two fresh 4-node pools started at the same moment, A with NODE_JAVA_OPTS=--a-opts
# and NODE_CDS=--a-cds, B likewise. Measured per pool: seconds from 'pool.sh up' to the first ordered
# write (one load.sh request right after up); then both saturated at once (load.sh, --clients C):
# ordered writes/s over the first --first S seconds and over a later --window S seconds once
# --warm S seconds have passed, and over that later window the nodes' CPU per ordered write, with and
# without the JIT compiler threads, and the JIT's share. Same seconds, same machine: the B/A ratios
# are what carries over. Then both down. Prints one line per round and the ratios' medians; the JIT
# timeline of every pool (bench's JitTimeline) with --jit. Everything it starts is stopped on exit.
#   bench/warm-start.sh [--rounds N (2)] [--a-opts OPTS] [--a-cds auto|off (off)] [--b-opts OPTS]
#                       [--b-cds auto|off (auto)] [--first S (30)] [--warm S (90)] [--window S (30)]
#                       [--clients C (4)] [--jit]
#   OPTS default: pool.sh's default node options. With NODE_CDS=auto on either side, a throwaway pool
#   goes up, orders 200 requests and goes down first (it makes the archive if this build has none).
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

rounds=2
a_opts="-Xms64m -Xmx768m -XX:+UseSerialGC -XX:-ShrinkHeapInSteps -XX:PerMethodTrapLimit=0"
b_opts="$a_opts"
a_cds=off
b_cds=auto
first=30
warm=90
window=30
clients=4
jit=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) sc_int rounds --rounds "${2:-}" 1 20; shift 2 ;;
    --a-opts) a_opts="${2:?--a-opts needs JVM options}"; shift 2 ;;
    --b-opts) b_opts="${2:?--b-opts needs JVM options}"; shift 2 ;;
    --a-cds) [[ "${2:-}" =~ ^(auto|off)$ ]] || sc_die "--a-cds is auto or off"; a_cds="$2"; shift 2 ;;
    --b-cds) [[ "${2:-}" =~ ^(auto|off)$ ]] || sc_die "--b-cds is auto or off"; b_cds="$2"; shift 2 ;;
    --first) sc_int first --first "${2:-}" 5 600; shift 2 ;;
    --warm) sc_int warm --warm "${2:-}" 0 3600; shift 2 ;;
    --window) sc_int window --window "${2:-}" 5 600; shift 2 ;;
    --clients) sc_int clients --clients "${2:-}" 1 100; shift 2 ;;
    --jit) jit=1; shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) sc_die "unknown option $1 (try --help)" ;;
  esac
done
((warm >= first)) || sc_die "--warm ($warm) must be at least --first ($first): the later window starts after the first"
sc_build
work="$(mktemp -d "${TMPDIR:-/tmp}/sc-warm.XXXXXX")"
log="$work/warm.log"
jit_pid=""
cleanup() {
  local d
  [[ -z "$jit_pid" ]] || { kill "$jit_pid" 2>/dev/null || true; wait "$jit_pid" 2>/dev/null || true; }
  jobs -p | xargs -r kill 2>/dev/null || true
  for d in "$work"/*/; do
    [[ -f "$d/pool_genesis.json" ]] && { "$SC_ROOT/scripts/pool.sh" down --base-dir "$d" >>"$log" 2>&1 || true; }
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export SC_SKIP_BUILD=1
load_opts="-Xms64m -Xmx256m -XX:+UseSerialGC"
note() { printf '[warm %s %4ds] %s\n' "$(date -u +%H:%M:%S)" "$SECONDS" "$*" >&2; }
now_ms() { date +%s%3N; }
# ledger BASE: the pool's largest ledger size (ordered writes so far).
# (PoolMain itself: pool.sh status waits 1 s per node, which a node of a saturated pool on a busy
# machine can miss.)
ledger() {
  { java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$(sc_classpath)" io.stackcompanion.node.tools.PoolMain \
      status --base-dir "$1" --timeout-ms 20000 --json 2>>"$log" || true; } | tail -1 | grep -o '"ledgerSize":[0-9]*' \
    | cut -d: -f2 | sort -n | tail -1 || true
}
# snap NAME: ledger size, time (ms, the middle of the status call) and CPU of both pools into $work/NAME.{a,b}.
snap() {
  local c t0 t1 bv spids=()
  for c in a b; do
    bv="base_of_$c"
    (t0="$(now_ms)"; s="$(sc_cpu_sample "${!bv}" | cut -d" " -f2,3)"; l="$(ledger "${!bv}")"; t1="$(now_ms)"
     echo "$(((t0 + t1) / 2)) ${l:-0} $s" >"$work/$1.$c") &
    spids+=($!)
  done
  wait "${spids[@]}"
}

if [[ "$a_cds" == auto || "$b_cds" == auto ]]; then
  # Made here if this build has none (pool.sh knows); otherwise only the page cache is warmed.
  note "priming: a throwaway pool up, 200 requests, down (makes the class-data archive if this build has none)"
  NODE_CDS=auto "$SC_ROOT/scripts/pool.sh" up --random-ports --base-dir "$work/prime" >>"$log" 2>&1 || sc_die "the priming pool did not come up; see $log"
  SC_JAVA_OPTS="$load_opts" "$SC_ROOT/scripts/load.sh" --base-dir "$work/prime" --requests 200 >>"$log" 2>&1 || true
  "$SC_ROOT/scripts/pool.sh" down --base-dir "$work/prime" >>"$log" 2>&1
  rm -rf "$work/prime"
fi
if ((jit)); then
  [[ -f "$SC_ROOT/bench/target/classpath.txt" ]] || sc_die "the bench module is not built (run scripts/bench.sh --jmh once, or the build)"
  java -Xint -Xmx32m -XX:+UseSerialGC -cp "$SC_ROOT/bench/target/classes:$(cat "$SC_ROOT/bench/target/classpath.txt")" \
    io.stackcompanion.bench.JitTimeline sample --every 5 --out "$work/jit.tsv" "$work" 2>>"$log" &
  jit_pid=$!
fi
note "A: NODE_CDS=$a_cds NODE_JAVA_OPTS='$a_opts'; B: NODE_CDS=$b_cds NODE_JAVA_OPTS='$b_opts'; load average $(cut -d' ' -f1-3 /proc/loadavg)"
hz="$(getconf CLK_TCK)"
for ((r = 1; r <= rounds; r++)); do
  base_of_a="$work/r$r-a"
  base_of_b="$work/r$r-b"
  t0="$(now_ms)"
  pids=()
  for c in a b; do
    opts_var="${c}_opts"; cds_var="${c}_cds"; base_var="base_of_$c"
    (NODE_JAVA_OPTS="${!opts_var}" NODE_CDS="${!cds_var}" "$SC_ROOT/scripts/pool.sh" up --random-ports \
       --base-dir "${!base_var}" >>"$log" 2>&1 && now_ms >"$work/r$r.$c.up" \
     && SC_JAVA_OPTS="$load_opts" "$SC_ROOT/scripts/load.sh" --base-dir "${!base_var}" --requests 1 >>"$log" 2>&1 \
     && now_ms >"$work/r$r.$c.first") &
    pids+=($!)
  done
  wait "${pids[@]}" || sc_die "a pool of round $r did not come up or order; see $log"
  # Both saturated at once from here.
  lpids=()
  for c in a b; do
    base_var="base_of_$c"
    SC_JAVA_OPTS="$load_opts" "$SC_ROOT/scripts/load.sh" --base-dir "${!base_var}" --requests 10000000 --clients "$clients" \
      --timeout-s 600 >>"$log" 2>&1 &
    lpids+=($!)
  done
  snap "r$r.s0"
  sleep "$first"
  snap "r$r.s1"
  sleep "$((warm - first))"
  snap "r$r.s2"
  sleep "$window"
  snap "r$r.s3"
  kill "${lpids[@]}" 2>/dev/null || true
  wait "${lpids[@]}" 2>/dev/null || true
  for c in a b; do
    base_var="base_of_$c"
    # round config upS firstWriteS first/s warm/s cpuMsPerWrite withoutJitMsPerWrite jitShare
    paste -d' ' "$work/r$r.s0.$c" "$work/r$r.s1.$c" "$work/r$r.s2.$c" "$work/r$r.s3.$c" | awk -v r="$r" -v c="$c" -v hz="$hz" \
      -v t0="$t0" -v up="$(cat "$work/r$r.$c.up")" -v fw="$(cat "$work/r$r.$c.first")" '{
        n = $14 - $10; cpu = ($15 - $11) / hz; jit = ($16 - $12) / hz
        printf "%d\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.3f\t%.3f\t%.3f\n", r, c, (up - t0) / 1000, (fw - t0) / 1000,
          ($6 - $2) * 1000 / ($5 - $1), n * 1000 / ($13 - $9), (n > 0 ? cpu * 1000 / n : 0), (n > 0 ? (cpu - jit) * 1000 / n : 0),
          (cpu > 0 ? jit / cpu : 0) }' >>"$work/results.tsv"
  done
  note "round $r: $(awk -F'\t' -v r="$r" '$1 == r { printf "%s: up %ss, first write %ss, %s/s first %ss, %s/s warm, %s ms CPU/write (%s without JIT), JIT %.0f%%; ", toupper($2), $3, $4, $5, F, $6, $7, $8, 100 * $9 }' F="$first" "$work/results.tsv")load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for c in a b; do
    base_var="base_of_$c"
    "$SC_ROOT/scripts/pool.sh" down --base-dir "${!base_var}" >>"$log" 2>&1 || true
  done
done
echo "A: NODE_CDS=$a_cds NODE_JAVA_OPTS='$a_opts'"
echo "B: NODE_CDS=$b_cds NODE_JAVA_OPTS='$b_opts'"
echo "both started at once, then saturated at once ($clients clients each); 'first': the first $first s, 'warm': $window s from ${warm} s on"
awk -F'\t' -v rounds="$rounds" '
  function median(a, n,   i, j, x) {
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { for (k = 3; k <= 9; k++) v[$1, $2, k] = $k }
  END {
    split("up (s)|first write (s)|writes/s first|writes/s warm|CPU ms/write warm|without JIT|JIT share warm", name, "|")
    printf "%-20s", "measure"; for (r = 1; r <= rounds; r++) printf " %8s %8s %6s", "A" r, "B" r, "B/A"; printf " %12s\n", "median B/A"
    for (k = 3; k <= 9; k++) {
      printf "%-20s", name[k - 2]; n = 0
      for (r = 1; r <= rounds; r++) {
        a = v[r, "a", k]; b = v[r, "b", k]; x[++n] = (a > 0 ? b / a : 0)
        printf " %8.3f %8.3f %6.3f", a, b, x[n] }
      printf " %12.3f\n", median(x, n)
    }
  }' "$work/results.tsv"
if ((jit)); then
  kill "$jit_pid" 2>/dev/null || true; wait "$jit_pid" 2>/dev/null || true; jit_pid=""
  java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$SC_ROOT/bench/target/classes:$(cat "$SC_ROOT/bench/target/classpath.txt")" \
    io.stackcompanion.bench.JitTimeline report "$work/jit.tsv"
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u +%H:%M) UTC)"
