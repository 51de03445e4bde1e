#!/usr/bin/env bash
# usage: scripts/bench.sh [OPTIONS] | --jmh [PATTERN [JMH OPTIONS...]]
# Benchmarks. Two modes:
#   scripts/bench.sh [--json] [--pairs N] [--requests N] [--rate R] [--window S] [--warmup N]
#                    [--load-clients N] [--goal-rate R] [--goal-seconds S]
#                    [--segment-mb N] [--idle-every S] [--replay-node NAME] [--overhead-rounds N] [--keep]
#                    [--jit-every S]
#     The pool benchmark: pairs of fresh 4-node local pools, one with STACK_COMPANION=0 and one
#     with =1. In each pair, each pool in turn (alternating which goes first): a warm-up (--warmup, as
#     loads of at most 20,000 requests), then a saturating load (--requests, default calibrated to
#     ~15 s: ordered/s, p50/p99), by --load-clients N clients (8; each keeps at most 64 requests in
#     flight); then, alone, a load at a fixed
#     --goal-rate R (1000; 0 skips it) for --goal-seconds S (20): p50/p99 at the goal's rate. Then both pools
#     at once under a load at a fixed rate each (--rate, default a quarter of what the warm-up's
#     last load ordered: a rate both sustain together), while the nodes' CPU (all of it, the JIT compilers'
#     threads, the recorder's threads) is measured for --window S (20) seconds: what one ordered
#     write costs with recording on and off, side by side in the same seconds of the same machine.
#     Recording pools use journal segments of --segment-mb N MiB (8) so that segments move into
#     RocksDB inside the window, as they do all the time in a long-running node. Then a virtual-mode
#     replay of one node of the last recording run; the same node replayed with and without a
#     recording tap, --overhead-rounds N times (8): what recording costs its core, side by side in one
#     warm JVM; bytes on disk per payload byte; and an idle-heavy recording (a recording pool that gets
#     one request every S s while the pairs run) replayed. --json: the figures as one JSON object on
#     the last line. Progress goes to stderr. --jit-every S (5; 0: not): every S seconds, each node
#     JVM's JIT activity is sampled (methods compiled, the compiler threads' CPU; no JVM is attached
#     to), and a table per pool printed before the report: when the JIT settled, per phase of the run.
#   scripts/bench.sh --frame-tags on|off|both [--clients LIST] [--json] [--pairs N] [--requests N] ...
#     on (the default): as above. off: as above, every pool's nodes without node-link frame tags
#     (io.stackcompanion.bench.UntaggedNodeMain, a benchmark-only main; such nodes link only with
#     each other). both: what the tags cost: pairs of fresh pools, recording off, one without tags
#     and one with. In each pair, for each number of clients in --clients (a comma list, default
#     2,5,10), each pool in turn (alternating which goes first): a saturating load of --requests
#     (ordered writes/s, node CPU per write); then both pools at once at --rate each for --window S
#     (node CPU per write, side by side). Prints each run, the on/off ratios and their medians;
#     --json: one JSON object on the last line. --segment-mb, --idle-every, --replay-node and
#     --overhead-rounds are not for both. --jit-every as above.
#   scripts/bench.sh --jmh [PATTERN [JMH OPTIONS...]]
#     The JMH benchmarks (bench/ module) matching PATTERN (a regex, default all), short by default
#     (-f 1 -wi 2 -i 3 -w 2s -r 3s); any JMH options after PATTERN replace those defaults, e.g.
#     scripts/bench.sh --jmh Recorder -f 3 -wi 5 -i 10 -w 5s -r 10s
# exit: 0 done; 1 a step failed (the work folder is kept, named on stderr); 2 bad arguments
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_build() {
  sc_build
  if [[ ! -f "$SC_ROOT/bench/target/classpath.txt" || ! -f "$SC_ROOT/bench/target/classes/META-INF/BenchmarkList" ]]; then
    echo "building the bench module..." >&2
    (cd "$SC_ROOT" && ./mvnw -q -B -DskipTests package) >&2 || sc_die "the build failed"
  fi
}

bench_cp() {
  echo "$SC_ROOT/bench/target/classes:$(cat "$SC_ROOT/bench/target/classpath.txt")"
}

[[ "${1:-}" == -h || "${1:-}" == --help ]] && { sc_usage; exit 0; }
if [[ "${1:-}" == --jmh ]]; then
  shift
  pattern="${1:-.*}"
  [[ $# -gt 0 ]] && shift
  jmh_opts=(-f 1 -wi 2 -i 3 -w 2s -r 3s)
  [[ $# -gt 0 ]] && jmh_opts=("$@")
  bench_build
  # Forks inherit this JVM's classpath; the forks' heap is JMH's default unless -jvmArgs says otherwise.
  exec java -Xmx512m -cp "$(bench_cp)" org.openjdk.jmh.Main "$pattern" "${jmh_opts[@]}"
fi

json=0
pairs=3
requests=""
rate=""
window=20
settle=5
segment_mb=8
warmup=1000
idle_every=30
replay_node=Node2
keep=0
overhead_rounds=8
calibrated=""
frame_tags=on
clients_list=""
not_for_both=""
load_clients=8
goal_rate=1000
goal_seconds=20
jit_every=5
sc_help_if_asked "$@"
sc_split_eq "$@"
set -- "${SC_ARGS[@]}"
while [[ $# -gt 0 ]]; do
  # The ranges keep a typo from running for hours.
  [[ "$1" =~ ^--(pairs|requests|rate|window|segment-mb|warmup|idle-every|replay-node|overhead-rounds|frame-tags|clients|jit-every|load-clients|goal-rate|goal-seconds)$ ]] && sc_need "a value" "$@"
  [[ "$1" =~ ^--(segment-mb|idle-every|replay-node|overhead-rounds|load-clients|goal-rate|goal-seconds)$ ]] && not_for_both+=" $1"
  case "$1" in
    --frame-tags) [[ "$2" =~ ^(on|off|both)$ ]] || sc_die "--frame-tags is on, off or both, not '$2'"
                  frame_tags="$2" ;;
    --clients) [[ "$2" =~ ^[0-9]+(,[0-9]+)*$ ]] || sc_die "--clients is a comma list of numbers of clients (1 to 1000), e.g. 2,5,10, not '$2'"
               for c in ${2//,/ }; do
                 ((10#$c >= 1 && 10#$c <= 1000)) || sc_die "--clients is a comma list of numbers of clients (1 to 1000), e.g. 2,5,10, not '$2'"
               done
               clients_list="$2" ;;
    --json) json=1; shift; continue ;;
    --keep) keep=1; shift; continue ;;
    --pairs) sc_int pairs --pairs "$2" 1 100 ;;
    --requests) sc_int requests --requests "$2" 1 10000000 ;;
    --rate) sc_int rate --rate "$2" 1 1000000 ;;
    --window) sc_int window --window "$2" 1 3600 ;;
    --segment-mb) sc_int segment_mb --segment-mb "$2" 1 1024 ;;
    --warmup) sc_int warmup --warmup "$2" 0 10000000 ;;
    --idle-every) sc_int idle_every --idle-every "$2" 1 3600 ;;
    --replay-node) [[ "$2" =~ ^Node[1-4]$ ]] || sc_die "--replay-node is a node of the 4-node pools, Node1 to Node4, not '$2'"
                   replay_node="$2" ;;
    --overhead-rounds) sc_int overhead_rounds --overhead-rounds "$2" 1 1000 ;;
    --load-clients) sc_int load_clients --load-clients "$2" 1 1000 ;;
    --goal-rate) sc_int goal_rate --goal-rate "$2" 0 1000000 ;;
    --goal-seconds) sc_int goal_seconds --goal-seconds "$2" 1 3600 ;;
    --jit-every) sc_int jit_every --jit-every "$2" 0 600 ;;
    -*) sc_unknown_option "$1" ;;
    *) sc_die "unexpected argument '$1' for bench.sh; see '$SC_SCRIPT --help'" ;;
  esac
  shift 2
done
if [[ $frame_tags == both ]]; then
  [[ -z "$not_for_both" ]] || sc_die "--frame-tags both does not take${not_for_both}; those are for the recording benchmark"
  clients_list="${clients_list:-2,5,10}"
else
  [[ -z "$clients_list" ]] || sc_die "--clients is for --frame-tags both"
fi

bench_build
work="$(mktemp -d "${TMPDIR:-/tmp}/sc-bench.XXXXXX")"
log="$work/bench.log"
active=()   # the pools of the pair being run
idle_active=""
trickle_pid=""
jit_pid=""
# phase LABEL: from now on the JIT timeline's rows are labelled LABEL.
phase() { printf '%s\t%s\n' "$(date +%s%3N)" "$*" >>"$work/jit.phases"; }
stop_jit() {
  if [[ -n "$jit_pid" ]]; then
    kill "$jit_pid" 2>/dev/null || true
    wait "$jit_pid" 2>/dev/null || true
    jit_pid=""
  fi
}
# The JIT timeline of every pool in the work folder (JitTimeline reads the nodes' counters and /proc).
jit_report() {
  stop_jit
  [[ -s "$work/jit.tsv" ]] || return 0
  java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$(bench_cp)" io.stackcompanion.bench.JitTimeline \
    report "$work/jit.tsv" "$work/jit.phases" || note "the JIT report failed; see $work/jit.tsv"
}
stop_trickle() {
  if [[ -n "$trickle_pid" ]]; then
    kill "$trickle_pid" 2>/dev/null || true
    wait "$trickle_pid" 2>/dev/null || true
    trickle_pid=""
  fi
}
cleanup() {
  local rc=$?
  stop_trickle
  stop_jit
  for base in "${active[@]}" "$idle_active"; do
    [[ -n "$base" ]] && { "$SC_ROOT/scripts/pool.sh" down --base-dir "$base" >>"$log" 2>&1 || true; }
  done
  if [[ $keep == 1 || $rc != 0 ]]; then
    echo "bench: work folder kept: $work (log: $log)" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 4 node JVMs and the load generator share the machine: serial GC, modest heaps; no C2 traps (pool.sh says why).
export NODE_JAVA_OPTS="${NODE_JAVA_OPTS:--Xms128m -Xmx512m -XX:+UseSerialGC -XX:PerMethodTrapLimit=0}"
# The load generator: C1 only (scripts/load.sh says why).
load_opts="${LOAD_JAVA_OPTS:--Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
total_steps=$((pairs + 4))
step_no=0
step() {
  step_no=$((step_no + 1))
  printf '[bench %s %4ds] (%d/%d) %s\n' "$(date -u +%H:%M:%S)" "$SECONDS" "$step_no" "$total_steps" "$*" >&2
}
note() {
  printf '[bench %s %4ds]        %s\n' "$(date -u +%H:%M:%S)" "$SECONDS" "$*" >&2
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
node_ticks() { # node_ticks BASE: user+system CPU ticks of the running nodes so far
  local ticks=0 f pid
  for f in "$1"/run/*.pid; do
    pid="$(cat "$f" 2>/dev/null)" || continue
    [[ -r "/proc/$pid/stat" ]] || continue
    ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$ticks"
}
# node_cpu_seconds BASE: user+system CPU seconds used so far by the running nodes of a pool.
node_cpu_seconds() {
  awk -v t="$(node_ticks "$1")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }'
}
# load BASE OUT ARGS...: runs load.sh, keeps its output (the JSON is the last line) whatever its exit.
load() {
  local base="$1" out="$2"
  shift 2
  SC_JAVA_OPTS="$load_opts" "$SC_ROOT/scripts/load.sh" --base-dir "$base" --json "$@" >"$out" 2>>"$log" || true
  tail -1 "$out" | grep -q '^{' || sc_die "load.sh failed; see $log and $out"
}
# warm BASE OUT N CLIENTS: N warm-up requests as sc_warmup_loads splits them; OUT gets the last load's JSON.
warm() {
  local base="$1" out="$2" n
  for n in $(sc_warmup_loads "$3"); do
    load "$base" "$out" --requests "$n" --clients "$4"
  done
}
field() { # field FILE NAME: a top-level number from the file's last (JSON) line
  tail -1 "$1" | grep -o "\"$2\":[0-9.]*" | head -1 | cut -d: -f2
}
# untagged_up BASE: as 'pool.sh up --random-ports', every node started by the benchmark-only
# UntaggedNodeMain (node-link frames without tags); the pid files are pool.sh's, so 'pool.sh down'
# stops these nodes as any. Node configuration comes from the environment, as with pool.sh.
untagged_up() {
  local base="$1" n pid deadline
  local tool=(java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$(sc_classpath)" io.stackcompanion.node.tools.PoolMain)
  "${tool[@]}" init --base-dir "$base" --random-ports || return 1
  mkdir -p "$base/run"
  local names
  names="$(grep -o '"name" *: *"[^"]*"' "$base/pool_genesis.json" | sed 's/.*: *"\(.*\)"/\1/')"
  for n in $names; do
    mkdir -p "$base/data/$n"
    # shellcheck disable=SC2086
    nohup java $NODE_JAVA_OPTS -cp "$SC_ROOT/bench/target/classes:$(sc_classpath)" io.stackcompanion.bench.UntaggedNodeMain \
      --base-dir "$base" --name "$n" >"$base/data/$n/stdout.log" 2>&1 </dev/null &
    echo "$!" >"$base/run/$n.pid"
  done
  for n in $names; do
    pid="$(cat "$base/run/$n.pid")"
    deadline=$((SECONDS + 60))
    until grep -qxF -- "$n is up" "$base/data/$n/stdout.log" 2>/dev/null; do
      if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
        echo "error: $n (without frame tags) did not start; see $base/data/$n/stdout.log" >&2
        return 1
      fi
      sleep 0.1
    done
  done
  "${tool[@]}" wait-connected --base-dir "$base" --timeout-s 60
}
# pool_up BASE MODE [TAGS]: a fresh pool in BASE, STACK_COMPANION=MODE, node-link frame tags TAGS
# (on or off; default --frame-tags). Random ports are picked when the pool is created and another
# process may take one before its node binds it; then the pool is made again, new ports.
pool_up() {
  local base="$1" mode="$2" tags="${3:-$frame_tags}" attempt
  for attempt in 1 2 3; do
    active+=("$base")
    if [[ $tags == off ]]; then
      if STACK_COMPANION="$mode" RECORDER_SEGMENT_MB="$segment_mb" untagged_up "$base" >>"$log" 2>&1; then
        return 0
      fi
    elif STACK_COMPANION="$mode" RECORDER_SEGMENT_MB="$segment_mb" "$SC_ROOT/scripts/pool.sh" up --random-ports --base-dir "$base" >>"$log" 2>&1; then
      return 0
    fi
    "$SC_ROOT/scripts/pool.sh" down --base-dir "$base" >>"$log" 2>&1 || true
    unset 'active[-1]'
    rm -rf "$base"
    note "the pool did not come up (attempt $attempt; see $log); making it again"
  done
  sc_die "the pool did not come up in 3 attempts; see $log"
}
pools_down() {
  local base
  for base in "${active[@]}"; do
    "$SC_ROOT/scripts/pool.sh" down --base-dir "$base" >>"$log" 2>&1 || true
  done
  active=()
}

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
mem_gb="$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
load_start="$(loadavg)"
note "work folder $work; $(nproc) cores, load average $load_start"
if ((jit_every > 0)); then
  # Interpreted and small: the sampler must not take the CPU it measures.
  java -Xint -Xmx32m -XX:+UseSerialGC -cp "$(bench_cp)" io.stackcompanion.bench.JitTimeline sample \
    --every "$jit_every" --out "$work/jit.tsv" "$work" 2>>"$log" &
  jit_pid=$!
fi
[[ $frame_tags == on ]] || note "frame tags $frame_tags: pools without node-link frame tags run UntaggedNodeMain (benchmark-only)"


# One pair: two fresh pools, recording off and on. Each in turn (odd pairs off first, even pairs on
# first, so a machine getting busier or quieter favours neither side): a warm-up (JIT) load, then
# the saturating load (ordered/s). Then both at once at the fixed rate, their nodes' CPU measured
# over the same window, so whatever else the machine and its host do meanwhile (a shared VM's
# steal time swings by tens of percent) weighs on both alike. Then both down.
# fixed_rate_both PREFIX [LOAD.SH ARGS]: load.sh at $rate/s on the pools $work/PREFIXoff and
# $work/PREFIXon at once, left $settle s to settle, then each pool's CPU sampled into the caller's
# s0/s1 (off first) before and after $window s; the loads' JSON in $work/PREFIX{off,on}.fixed.json.
fixed_rate_both() {
  local prefix="$1" m k pids=()
  shift
  for m in off on; do
    SC_JAVA_OPTS="$load_opts" "$SC_ROOT/scripts/load.sh" --base-dir "$work/$prefix$m" --json "$@" \
      --requests "$((rate * (settle + window + 3)))" --rate "$rate" >"$work/$prefix$m.fixed.json" 2>>"$log" &
    pids+=($!)
  done
  sleep "$settle"
  k=0; for m in off on; do s0[k]="$(sc_cpu_sample "$work/$prefix$m")"; k=$((k + 1)); done
  sleep "$window"
  k=0; for m in off on; do s1[k]="$(sc_cpu_sample "$work/$prefix$m")"; k=$((k + 1)); done
  wait "${pids[@]}" || true
}

pair() {
  local i="$1" m label t order
  if ((i % 2 == 1)); then order=(off on); else order=(on off); fi
  phase "pair $i up"
  step "pair $i: pools off and on up; ${order[0]} then ${order[1]}: warm-up $warmup, load ${requests:-(calibrated)}; then both at ${rate:-(calibrated)}/s, ${window} s measured"
  for m in "${order[@]}"; do
    pool_up "$work/pair$i-$m" "$([[ $m == on ]] && echo 1 || echo 0)"
  done
  for m in "${order[@]}"; do
    label="pair$i-$m"
    if ((warmup > 0)); then
      phase "$label warm-up"
      warm "$work/$label" "$work/$label.warmup.json" "$warmup" "$load_clients"
      t="$(field "$work/$label.warmup.json" throughputPerS)"
      if [[ -z "$requests" ]]; then
        # Calibrate once, on the first run: enough requests to keep the pool saturated ~15 s (at the
        # rate of the warm-up's last load).
        requests="$(awk -v t="${t:-100}" 'BEGIN { n = int(t * 15 / 500 + 0.5) * 500; if (n < 1000) n = 1000; if (n > 60000) n = 60000; print n }')"
      fi
      if [[ -z "$rate" ]]; then
        # Both pools at once at a quarter each of what the still-warming pool ordered alone: a
        # rate they sustain together with room to spare.
        rate="$(awk -v t="${t:-100}" 'BEGIN { r = int(t / 4 / 10) * 10; if (r < 20) r = 20; print r }')"
      fi
      [[ -n "$calibrated" ]] || note "warm-up ran at ${t:-?} ordered/s: $requests requests per saturating load, then both pools at $rate/s each (same for every pair)"
      calibrated=1
    fi
    [[ -n "$requests" ]] || requests=20000
    [[ -n "$rate" ]] || rate=50
    local cpu0
    cpu0="$(node_cpu_seconds "$work/$label")"
    phase "$label saturated"
    load "$work/$label" "$work/$label.sat.json" --requests "$requests" --clients "$load_clients"
    # CPU the four nodes spent on the saturating load (it mirrors throughput: a saturated pool uses
    # all the CPU it gets).
    awk -v a="$(node_cpu_seconds "$work/$label")" -v b="$cpu0" 'BEGIN { printf "nodeCpuSeconds=%.2f\n", a - b }' >"$work/$label.cpu"
    if ((goal_rate > 0)); then
      phase "$label at $goal_rate/s"
      # Alone, open loop at the goal's rate: the latency a client sees at that load.
      load "$work/$label" "$work/$label.goal.json" --requests "$((goal_rate * goal_seconds))" --rate "$goal_rate" --clients "$load_clients"
    fi
  done
  # The fixed rate on both at once: started, left $settle s to settle, then measured for $window s.
  local k modes=(off on) s0=() s1=()
  phase "pair $i both at $rate/s"
  fixed_rate_both "pair$i-" --clients "$load_clients"
  local summary=""
  for k in 0 1; do
    m="${modes[k]}"
    label="pair$i-$m"
    tail -1 "$work/$label.fixed.json" | grep -q '^{' || sc_die "load.sh at $rate/s failed; see $log and $work/$label.fixed.json"
    # The load is open-loop at a rate the pools sustain: they order rate x window writes in the window.
    echo "${s0[k]} ${s1[k]}" | awk -v hz="$(getconf CLK_TCK)" -v rate="$rate" '{
      printf "windowSeconds=%.3f\nrate=%d\nnodeCpuSeconds=%.3f\njitCpuSeconds=%.3f\nrecorderCpuSeconds=%.3f\n",
        ($5 - $1) / 1e9, rate, ($6 - $2) / hz, ($7 - $3) / hz, ($8 - $4) / hz }' >"$work/$label.fixedcpu"
    summary+="$m: $(field "$work/$label.sat.json" throughputPerS) ordered/s saturated, at $rate/s p99 $(tail -1 "$work/$label.fixed.json" | grep -o '"p99":[0-9.]*' | cut -d: -f2) ms and $(awk -F= '/^windowSeconds/ { w = $2 } /^rate/ { r = $2 } /^nodeCpuSeconds/ { n = $2 } END { printf "%.3f", n * 1000 / (w * r) }' "$work/$label.fixedcpu") ms node CPU per write; "
  done
  note "pair $i: ${summary}load average $(loadavg)"
  phase "pair $i down"
  pools_down
}

# --frame-tags both: what node-link frame tags cost. One pair: two fresh pools, recording off, one
# whose nodes run without frame tags (UntaggedNodeMain) and one with (the real node). Each in turn
# (the order alternates per pair and per number of clients): a warm-up, then per number of clients a
# saturating load: ordered writes/s, and the nodes' CPU per ordered write over that load. Then both
# at once at the fixed rate, CPU measured over the same window (as in pair above).
tags_pair() {
  local i="$1" m label t c k ci=0 order cpu0 pids=() modes=(off on)
  step "pair $i: pools without (off) and with (on) frame tags up; per number of clients ($clients_list) each in turn, then both at ${rate:-(calibrated)}/s for ${window} s"
  for m in "${modes[@]}"; do
    pool_up "$work/tags$i-$m" 0 "$m"
  done
  local most="${clients_list##*,}"
  for c in ${clients_list//,/ }; do ((c > most)) && most="$c"; done
  for m in "${modes[@]}"; do
    label="tags$i-$m"
    phase "$label warm-up"
    if ((warmup > 0)); then
      warm "$work/$label" "$work/$label.warmup.json" "$warmup" "$most"
      t="$(field "$work/$label.warmup.json" throughputPerS)"
      if [[ -z "$calibrated" ]]; then
        [[ -n "$requests" ]] || requests="$(awk -v t="${t:-100}" 'BEGIN { n = int(t * 10 / 500 + 0.5) * 500; if (n < 1000) n = 1000; if (n > 60000) n = 60000; print n }')"
        [[ -n "$rate" ]] || rate="$(awk -v t="${t:-100}" 'BEGIN { r = int(t / 4 / 10) * 10; if (r < 20) r = 20; print r }')"
        note "warm-up ran at ${t:-?} ordered/s: $requests requests per saturating load, then both pools at $rate/s each (same for every pair)"
        calibrated=1
      fi
    fi
  done
  [[ -n "$requests" ]] || requests=5000
  [[ -n "$rate" ]] || rate=50
  local summary=""
  for c in ${clients_list//,/ }; do
    ci=$((ci + 1))
    if (((i + ci) % 2 == 0)); then order=(off on); else order=(on off); fi
    for m in "${order[@]}"; do
      label="tags$i-$m-c$c"
      phase "$label saturated"
      cpu0="$(node_ticks "$work/tags$i-$m")"
      load "$work/tags$i-$m" "$work/$label.sat.json" --requests "$requests" --clients "$c"
      # pair clients tags ordered/s nodeCpuMsPerWrite
      awk -v i="$i" -v c="$c" -v m="$m" -v t="$(field "$work/$label.sat.json" throughputPerS)" \
        -v n="$(field "$work/$label.sat.json" ordered)" -v a="$(node_ticks "$work/tags$i-$m")" -v b="$cpu0" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%d\t%d\t%s\t%.1f\t%.3f\n", i, c, m, t, (n > 0 ? (a - b) * 1000 / hz / n : 0) }' >>"$work/tags.saturated.tsv"
    done
    summary+="$c clients: $(awk -F'\t' -v i="$i" -v c="$c" '$1 == i && $2 == c { printf "%s %s/s %s ms; ", $3, $4, $5 }' "$work/tags.saturated.tsv")"
  done
  local s0=() s1=()
  phase "pair $i both at $rate/s"
  fixed_rate_both "tags$i-" --clients "$most"
  for k in 0 1; do
    m="${modes[k]}"
    tail -1 "$work/tags$i-$m.fixed.json" | grep -q '^{' || sc_die "load.sh at $rate/s failed; see $log and $work/tags$i-$m.fixed.json"
    # pair tags rate nodeCpuMsPerWrite withoutJitMsPerWrite
    echo "${s0[k]} ${s1[k]}" | awk -v hz="$(getconf CLK_TCK)" -v rate="$rate" -v i="$i" -v m="$m" '{
      w = ($5 - $1) / 1e9; printf "%d\t%s\t%d\t%.3f\t%.3f\n", i, m, rate, ($6 - $2) * 1000 / hz / (w * rate),
        ($6 - $2 - ($7 - $3)) * 1000 / hz / (w * rate) }' >>"$work/tags.fixed.tsv"
  done
  note "pair $i: ${summary}both at $rate/s: $(awk -F'\t' -v i="$i" '$1 == i { printf "%s %s ms per write; ", $2, $4 }' "$work/tags.fixed.tsv")load average $(loadavg)"
  pools_down
}

# The --frame-tags both report: every run, the on/off ratios per pair and their medians.
tags_report() {
  awk -F'\t' -v json="$json" -v pairs="$pairs" -v clients="$clients_list" -v requests="$requests" -v rate="$rate" \
      -v window="$window" -v warmup="$warmup" -v elapsed="$SECONDS" -v nproc="$(nproc)" -v load0="$load_start" -v load1="$(loadavg)" '
    function median(a, n,   i, j, x) {
      for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return n == 0 ? 0 : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
    }
    FILENAME ~ /saturated/ { sat[$1, $2, $3] = $4; satcpu[$1, $2, $3] = $5; next }
    { fix[$1, $2] = $4; fixnojit[$1, $2] = $5 }
    END {
      nc = split(clients, cs, ",")
      printf "frame tags off/on, saturated (each pool alone in turn), per pair: ordered writes/s and node CPU ms per write\n"
      out = "{\"pairs\":" pairs ",\"clients\":[" clients "],\"requests\":" requests ",\"warmup\":" warmup ",\"rate\":" rate \
        ",\"windowSeconds\":" window ",\"elapsedSeconds\":" elapsed ",\"nproc\":" nproc ",\"loadStart\":\"" load0 "\",\"loadEnd\":\"" load1 "\",\"saturated\":["
      for (k = 1; k <= nc; k++) {
        c = cs[k]; n = 0; delete r; delete rc; delete off; delete on
        runs = ""
        for (p = 1; p <= pairs; p++) {
          if (!((p, c, "off") in sat) || !((p, c, "on") in sat)) continue
          n++; off[n] = sat[p, c, "off"]; on[n] = sat[p, c, "on"]
          r[n] = sat[p, c, "off"] > 0 ? sat[p, c, "on"] / sat[p, c, "off"] : 0
          rc[n] = satcpu[p, c, "off"] > 0 ? satcpu[p, c, "on"] / satcpu[p, c, "off"] : 0
          printf "  %2d clients, pair %d: off %7.1f/s %6.3f ms   on %7.1f/s %6.3f ms   on/off %.3f writes/s, %.3f CPU per write\n",
            c, p, sat[p, c, "off"], satcpu[p, c, "off"], sat[p, c, "on"], satcpu[p, c, "on"], r[n], rc[n]
          runs = runs (runs == "" ? "" : ",") sprintf("{\"pair\":%d,\"offPerS\":%.1f,\"onPerS\":%.1f,\"offCpuMsPerWrite\":%.3f,\"onCpuMsPerWrite\":%.3f}",
            p, sat[p, c, "off"], sat[p, c, "on"], satcpu[p, c, "off"], satcpu[p, c, "on"])
        }
        mo = median(off, n); mn = median(on, n); mr = median(r, n); mrc = median(rc, n)
        printf "  %2d clients, median: off %.1f/s, on %.1f/s; on/off ratio %.3f writes/s, %.3f CPU per write\n", c, mo, mn, mr, mrc
        out = out (k > 1 ? "," : "") sprintf("{\"clients\":%d,\"medianOffPerS\":%.1f,\"medianOnPerS\":%.1f,\"medianRatioPerS\":%.3f,\"medianRatioCpuPerWrite\":%.3f,\"runs\":[%s]}",
          c, mo, mn, mr, mrc, runs)
      }
      printf "both pools at once at %d/s for %d s, node CPU ms per write (all; without the JIT compiler threads)\n", rate, window
      n = 0; runs = ""
      for (p = 1; p <= pairs; p++) {
        if (!((p, "off") in fix) || !((p, "on") in fix)) continue
        n++; a[n] = fix[p, "on"] / fix[p, "off"]; b[n] = fixnojit[p, "on"] / fixnojit[p, "off"]
        printf "  pair %d: off %.3f (%.3f)  on %.3f (%.3f)  on/off %.3f (%.3f)\n", p, fix[p, "off"], fixnojit[p, "off"], fix[p, "on"], fixnojit[p, "on"], a[n], b[n]
        runs = runs (runs == "" ? "" : ",") sprintf("{\"pair\":%d,\"offCpuMsPerWrite\":%.3f,\"onCpuMsPerWrite\":%.3f,\"offWithoutJit\":%.3f,\"onWithoutJit\":%.3f}",
          p, fix[p, "off"], fix[p, "on"], fixnojit[p, "off"], fixnojit[p, "on"])
      }
      ma = median(a, n); mb = median(b, n)
      printf "  median on/off: %.3f (%.3f without the JIT)\n", ma, mb
      out = out "],\"fixedRate\":{\"medianRatioCpuPerWrite\":" sprintf("%.3f", ma) ",\"medianRatioWithoutJit\":" sprintf("%.3f", mb) ",\"runs\":[" runs "]}}"
      if (json == 1) print out
    }' "$work/tags.saturated.tsv" "$work/tags.fixed.tsv"
}

if [[ $frame_tags == both ]]; then
  total_steps=$pairs
  for ((i = 1; i <= pairs; i++)); do
    tags_pair "$i"
  done
  jit_report
  tags_report
  exit 0
fi

# The idle-heavy recording is taken while the pairs run: a recording pool that gets one request
# every $idle_every s (what a quiet production pool sees) costs the machine almost nothing, so it
# lasts as long as the pairs without adding minutes; its CPU use is reported.
step "idle-heavy recording pool up (one request every ${idle_every} s until the pairs are done)"
pool_up "$work/idle" 1
idle_active="$work/idle"
active=()
SC_JAVA_OPTS="$load_opts" "$SC_ROOT/scripts/load.sh" --base-dir "$work/idle" --json --requests 100000 \
  --rate "$(awk -v s="$idle_every" 'BEGIN { printf "%.4f", 1 / s }')" >"$work/idle.load.json" 2>>"$log" &
trickle_pid=$!
idle_cpu0="$(node_cpu_seconds "$work/idle")"

for ((i = 1; i <= pairs; i++)); do
  pair "$i"
done

stop_trickle
idle_cpu="$(awk -v a="$(node_cpu_seconds "$work/idle")" -v b="$idle_cpu0" 'BEGIN { printf "%.1f", a - b }')"
idle_active=""
"$SC_ROOT/scripts/pool.sh" down --base-dir "$work/idle" >>"$log" 2>&1 || true
note "idle-heavy pool stopped; its 4 nodes used $idle_cpu CPU seconds in all while the pairs ran"
last="$work/pair$pairs-on"
step "replaying $replay_node of the last recording run (virtual mode), recording stats"
SC_JAVA_OPTS="${REPLAY_JAVA_OPTS:--Xmx1g -XX:+UseSerialGC}" "$SC_ROOT/scripts/replay.sh" --recording "$last" \
  --node "$replay_node" --json >"$work/replay-saturated.json" 2>>"$log" || note "the replay did not match or failed; see $work/replay-saturated.json"
"$SC_ROOT/scripts/recording.sh" stats "$last" --json >"$work/stats.json" 2>>"$log" || note "recording.sh stats failed; see $log"
# Where the bytes on disk go (WAL, SST, info log), and the same recordings flushed and compacted.
java -Xmx256m -XX:+UseSerialGC -cp "$(bench_cp)" io.stackcompanion.bench.RecordingBytes "$last" --json \
  >"$work/bytes.json" 2>>"$log" || note "measuring the recording's bytes failed; see $log"

step "what recording costs one node's core: $replay_node of the last recording run replayed with and without a recording tap"
java -Xmx1g -XX:+UseSerialGC -cp "$(bench_cp)" io.stackcompanion.bench.RecordingOverhead "$last" "$replay_node" \
  --rounds "$overhead_rounds" --json >"$work/overhead.json" 2>>"$log" || note "the core-cost measurement failed; see $log"

step "replaying $replay_node of the idle-heavy recording (virtual mode)"
SC_JAVA_OPTS="${REPLAY_JAVA_OPTS:--Xmx1g -XX:+UseSerialGC}" "$SC_ROOT/scripts/replay.sh" --recording "$work/idle" \
  --node "$replay_node" --json >"$work/replay-idle.json" 2>>"$log" || note "the idle replay did not match or failed; see $work/replay-idle.json"

cat >"$work/context.properties" <<PROPS
machine.nproc=$(nproc)
machine.cpu=$cpu
machine.memGb=$mem_gb
machine.loadStart=$load_start
machine.loadEnd=$(loadavg)
settings.pairs=$pairs
settings.requests=$requests
settings.warmup=$warmup
settings.rate=$rate
settings.loadClients=$load_clients
settings.goalRate=$goal_rate
settings.goalSeconds=$goal_seconds
settings.windowSeconds=$window
settings.segmentMb=$segment_mb
settings.idleRequestEverySeconds=$idle_every
settings.idlePoolCpuSeconds=$idle_cpu
settings.replayNode=$replay_node
settings.nodeJavaOpts=$NODE_JAVA_OPTS
settings.loadJavaOpts=$load_opts
settings.nodeCds=${NODE_CDS:-auto}
settings.elapsedSeconds=$SECONDS
PROPS
# Said only when not the default, so the default run's JSON is as it was.
[[ $frame_tags == off ]] && echo "settings.frameTags=off (every pool's nodes without node-link frame tags)" >>"$work/context.properties"
jit_report
report_args=("$work" --pairs "$pairs")
[[ $json == 1 ]] && report_args+=(--json)
java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$(bench_cp)" io.stackcompanion.bench.PoolBenchReport "${report_args[@]}"
