#!/usr/bin/env bash
# Two versions of the node (or two node JVM setups) at steady state, saturated, side by side: the
# before and after of a change ("Speed" in the README). Two fresh 4-node pools, recording off: A from
# checkout --a with NODE_JAVA_OPTS=--a-opts, B from --b with --b-opts, each started by its own
# checkout's scripts (each builds itself if needed). Each pool takes --warmup requests first, as loads
# of at most 20,000 (the JIT needs about 120,000 on 2 shared cores), then --rounds rounds of one saturating load per pool
# (--requests, --clients), the order alternating. Per load: ordered/s, p50 and p99, and the pool's
# node CPU per ordered write and the JIT compilers' share of it (from /proc). Then the medians and
# B/A ratios over the rounds. Everything it starts is stopped on exit.
#   bench/compare.sh [--a DIR (this checkout)] [--b DIR (this checkout)] [--a-opts OPTS] [--b-opts OPTS]
#                    [--warmup N (120000)] [--rounds N (4)] [--requests N (15000)] [--clients C (8)]
#   e.g. git worktree add /tmp/before <commit> && bench/compare.sh --a /tmp/before
#   OPTS default: pool.sh's default node options.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

a_dir="$SC_ROOT"
b_dir="$SC_ROOT"
a_opts="-Xms64m -Xmx768m -XX:+UseSerialGC -XX:-ShrinkHeapInSteps -XX:PerMethodTrapLimit=0"
b_opts="$a_opts"
warmup=120000
rounds=4
requests=15000
clients=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --a) a_dir="${2:?--a needs a checkout folder}"; shift 2 ;;
    --b) b_dir="${2:?--b needs a checkout folder}"; shift 2 ;;
    --a-opts) a_opts="${2:?--a-opts needs JVM options}"; shift 2 ;;
    --b-opts) b_opts="${2:?--b-opts needs JVM options}"; shift 2 ;;
    --warmup) sc_int warmup --warmup "${2:-}" 0 10000000; shift 2 ;;
    --rounds) sc_int rounds --rounds "${2:-}" 1 50; shift 2 ;;
    --requests) sc_int requests --requests "${2:-}" 100 10000000; shift 2 ;;
    --clients) sc_int clients --clients "${2:-}" 1 100; shift 2 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) sc_die "unknown option $1 (try --help)" ;;
  esac
done
for d in "$a_dir" "$b_dir"; do
  [[ -x "$d/scripts/pool.sh" && -x "$d/scripts/load.sh" ]] \
    || sc_die "$d is not a Stack Companion checkout (no scripts/pool.sh and scripts/load.sh); pass one with --a/--b"
done
a_dir="$(cd "$a_dir" && pwd)"
b_dir="$(cd "$b_dir" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/sc-compare.XXXXXX")"
log="$work/compare.log"
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null || true
  [[ -f "$work/A/pool_genesis.json" ]] && { (cd "$a_dir" && scripts/pool.sh down --base-dir "$work/A") >>"$log" 2>&1 || true; }
  [[ -f "$work/B/pool_genesis.json" ]] && { (cd "$b_dir" && scripts/pool.sh down --base-dir "$work/B") >>"$log" 2>&1 || true; }
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dir_of() { [[ $1 == A ]] && echo "$a_dir" || echo "$b_dir"; }
opts_of() { [[ $1 == A ]] && echo "$a_opts" || echo "$b_opts"; }

for x in A B; do
  (cd "$(dir_of $x)" && NODE_JAVA_OPTS="$(opts_of $x)" scripts/pool.sh up --base-dir "$work/$x" --random-ports) >>"$log" 2>&1 \
    || { tail -20 "$log" >&2; sc_die "pool $x did not come up from $(dir_of $x); its log is above"; }
done
echo "A: $a_dir ($(git -C "$a_dir" log -1 --format=%h 2>/dev/null || echo '?')) $a_opts"
echo "B: $b_dir ($(git -C "$b_dir" log -1 --format=%h 2>/dev/null || echo '?')) $b_opts"

# run X LABEL N: one load of N requests on pool X; prints "ordered/s p50 p99 cpu-ms-per-write jit-share"
run() {
  local x="$1" n="$2" s0 s1 out
  s0="$(sc_cpu_sample "$work/$x")"
  out="$(cd "$(dir_of "$x")" && scripts/load.sh --base-dir "$work/$x" --requests "$n" --clients "$clients" --json 2>>"$log" | tail -1)"
  s1="$(sc_cpu_sample "$work/$x")"
  [[ "$out" == "{"* ]] || sc_die "load.sh on pool $x failed; see $log"
  echo "$out" | grep -q '"failed":0' || sc_die "pool $x failed requests: $out"
  local tp p50 p99
  tp="$(grep -o '"throughputPerS":[0-9.]*' <<<"$out" | cut -d: -f2)"
  p50="$(grep -o '"p50":[0-9.]*' <<<"$out" | cut -d: -f2)"
  p99="$(grep -o '"p99":[0-9.]*' <<<"$out" | cut -d: -f2)"
  echo "$s0 $s1" | awk -v hz="$(getconf CLK_TCK)" -v n="$n" -v tp="$tp" -v p50="$p50" -v p99="$p99" \
    '{ cpu = ($6 - $2) / hz; jit = ($7 - $3) / hz; printf "%s %s %s %.3f %.3f\n", tp, p50, p99, cpu * 1000 / n, (cpu > 0 ? jit / cpu : 0) }'
}

# The warm-up goes as sc_warmup_loads splits it (loads shaped as the measured ones).
for x in A B; do
  for n in $(sc_warmup_loads "$warmup"); do
    r="$(run "$x" "$n")"
  done
  ((warmup > 0)) && echo "warm-up $x: $warmup requests, the last $n: $(awk '{ printf "%s ordered/s, node CPU %s ms per write, JIT %.0f%%", $1, $4, $5 * 100 }' <<<"$r")"
done
printf '%-6s %-4s %10s %9s %9s %14s %6s\n' round pool ordered/s p50-ms p99-ms cpu-ms/write JIT
: >"$work/results"
for ((i = 1; i <= rounds; i++)); do
  order="A B"
  ((i % 2 == 0)) && order="B A"
  for x in $order; do
    r="$(run "$x" "$requests")"
    echo "$i $x $r" >>"$work/results"
    awk -v i="$i" -v x="$x" '{ printf "%-6s %-4s %10s %9s %9s %14s %5.0f%%\n", i, x, $1, $2, $3, $4, $5 * 100 }' <<<"$r"
  done
done
awk '
  function median(arr, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
                                       return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2 }
  { k = $2; n[k]++; tp[k, n[k]] = $3; cpu[k, n[k]] = $6 }
  END {
    for (k in n) { for (i = 1; i <= n[k]; i++) { t[i] = tp[k, i]; c[i] = cpu[k, i] } mt[k] = median(t, n[k]); mc[k] = median(c, n[k]) }
    printf "medians: A %.1f ordered/s, %.3f ms node CPU per write; B %.1f ordered/s, %.3f ms\n", mt["A"], mc["A"], mt["B"], mc["B"]
    printf "B/A: ordered/s %.3f, node CPU per write %.3f\n", mt["B"] / mt["A"], mc["B"] / mc["A"]
  }' "$work/results"
