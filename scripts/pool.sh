#!/usr/bin/env bash
# A local pool of nodes, each its own JVM process.
#   scripts/pool.sh up|down|status|start NODE|stop NODE|kill NODE [--base-dir DIR] [--nodes N] [--json]
# The base dir (default ./pool) holds pool_genesis.json, data/<node>/ and run/<node>.pid.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat >&2 <<'USAGE'
usage: scripts/pool.sh COMMAND [--base-dir DIR] [--nodes N] [--json]
  up           create the pool if the base dir is empty (keys, genesis), start every node,
               return once every node is connected to every other
  down         stop every node cleanly
  status       per node: running, view, primary, last ordered batch, ledger size and root
  start NODE   start one node (a restart resumes from its data)
  stop NODE    stop one node cleanly (SIGTERM)
  kill NODE    kill one node with SIGKILL
options: --base-dir DIR (default ./pool), --nodes N (default 4, for a new pool), --json,
         --base-port P (default 9701, for a new pool), --random-ports (for a new pool)
environment: any node configuration key (e.g. STACK_COMPANION=1), NODE_JAVA_OPTS
USAGE
  exit 2
}

[[ $# -ge 1 ]] || usage
cmd="$1"
shift
node=""
if [[ "$cmd" =~ ^(start|stop|kill)$ ]]; then
  [[ $# -ge 1 && "$1" != --* ]] || sc_die "'pool.sh $cmd' needs a node name, e.g. 'pool.sh $cmd Node2'"
  node="$1"
  shift
fi
base_dir="pool"
nodes=()
json=""
init_extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-dir) base_dir="${2:?--base-dir needs a folder}"; shift 2 ;;
    --nodes) nodes=(--nodes "${2:?--nodes needs a number}"); shift 2 ;;
    --json) json="--json"; shift ;;
    --base-port) init_extra+=(--base-port "${2:?--base-port needs a port}"); shift 2 ;;
    --random-ports) init_extra+=(--random-ports); shift ;;
    -h|--help) usage ;;
    *) sc_die "unknown option $1 (try --help)" ;;
  esac
done
mkdir -p "$base_dir"
base_dir="$(cd "$base_dir" && pwd)"
run_dir="$base_dir/run"

tool() {
  local cp
  cp="$(sc_classpath)"
  java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$cp" io.stackcompanion.node.tools.PoolMain "$@"
}

genesis_nodes() {
  # Node names from the genesis, in order.
  grep -o '"name" *: *"[^"]*"' "$base_dir/pool_genesis.json" | sed 's/.*: *"\(.*\)"/\1/'
}

pid_of() {
  local f="$run_dir/$1.pid"
  if [[ -f "$f" ]]; then
    local pid
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      echo "$pid"
      return 0
    fi
  fi
  return 1
}

check_node() {
  [[ -f "$base_dir/pool_genesis.json" ]] || sc_die "no pool at $base_dir; create one with 'scripts/pool.sh up --base-dir $base_dir'"
  genesis_nodes | grep -qx "$1" || sc_die "no node $1 in $base_dir/pool_genesis.json; its nodes are: $(genesis_nodes | tr '\n' ' ')"
}

start_node() {
  local n="$1"
  check_node "$n"
  if pid="$(pid_of "$n")"; then
    echo "$n is already running (pid $pid)" >&2
    return 0
  fi
  mkdir -p "$run_dir" "$base_dir/data/$n"
  local out="$base_dir/data/$n/stdout.log"
  # shellcheck disable=SC2086
  nohup java ${NODE_JAVA_OPTS:--Xms64m -Xmx768m -XX:+UseSerialGC} -cp "$(sc_classpath)" \
    io.stackcompanion.node.NodeMain --base-dir "$base_dir" --name "$n" >"$out" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$run_dir/$n.pid"
  # Wait until it answers on its client stack, or report why it died.
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$run_dir/$n.pid"
      local why
      why="$(grep -m1 '^error:' "$out" || tail -1 "$out")"
      echo "error: $n did not start: ${why#error: }" >&2
      return 1
    fi
    if tool ping --base-dir "$base_dir" --node "$n" >/dev/null 2>&1; then
      echo "$n started (pid $pid)" >&2
      return 0
    fi
    sleep 0.2
  done
  echo "error: $n did not answer within 60 s; see $out and $base_dir/data/$n/node.log" >&2
  return 1
}

stop_node() {
  local n="$1" signal="$2"
  check_node "$n"
  local pid
  if ! pid="$(pid_of "$n")"; then
    echo "$n is not running" >&2
    rm -f "$run_dir/$n.pid"
    return 0
  fi
  kill "-$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "$n did not stop within 30 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  rm -f "$run_dir/$n.pid"
  echo "$n $([[ $signal == KILL ]] && echo killed || echo stopped)" >&2
}

sc_build
case "$cmd" in
  up)
    tool init --base-dir "$base_dir" "${nodes[@]}" "${init_extra[@]}"
    failed=0
    for n in $(genesis_nodes); do
      start_node "$n" || failed=1
    done
    if [[ $failed == 1 ]]; then
      echo "error: not every node started; the others are still running ('pool.sh down' stops them)" >&2
      exit 1
    fi
    tool wait-connected --base-dir "$base_dir" --timeout-s 60
    echo "pool up: $(genesis_nodes | wc -l) nodes in $base_dir" >&2
    ;;
  down)
    [[ -f "$base_dir/pool_genesis.json" ]] || { echo "no pool at $base_dir" >&2; exit 0; }
    for n in $(genesis_nodes); do
      stop_node "$n" TERM &
    done
    wait
    ;;
  status)
    check_node "$(genesis_nodes | head -1)"
    tool status --base-dir "$base_dir" $json
    ;;
  start) start_node "$node" ;;
  stop) stop_node "$node" TERM ;;
  kill) stop_node "$node" KILL ;;
  *) usage ;;
esac
