#!/usr/bin/env bash
# usage: scripts/pool.sh COMMAND [--base-dir DIR] [--nodes N] [--json]
#   A local pool of nodes, each its own JVM process.
#   up           create the pool if the base dir has none (keys, genesis), start every node
#                (side by side), return once every node is connected to every other
#   down         stop every node cleanly
#   status       per node: running, view, primary, last ordered batch, ledger size and root, and
#                the messages it rejected since it started (by sender and reason; "Rejected messages" in the README)
#   start NODE   start one node (a restart resumes from its data)
#   stop NODE    stop one node cleanly (SIGTERM)
#   kill NODE    kill one node with SIGKILL
# options: --base-dir DIR (default ./pool): holds pool_genesis.json, data/<node>/, run/<node>.pid
#          --nodes N (up, a new pool; 1 to 100, default 4): n = 3f+1 nodes tolerate f faulty
#            ones, so fewer than 4 tolerate none
#          --base-port P (up, a new pool; default 9701), --random-ports (up, a new pool)
#          --json (status): one JSON object as the last line
# environment: any node configuration key (e.g. STACK_COMPANION=1), NODE_JAVA_OPTS (the nodes' JVM
#   options; default -Xms64m -Xmx768m -XX:+UseSerialGC -XX:-ShrinkHeapInSteps -XX:PerMethodTrapLimit=0),
#   NODE_CDS=auto|off (auto, the default: the nodes map a class-data archive of their classes, made
#   in NODE_CDS_DIR (default node/target/cds/) by the first node that stops cleanly after a build;
#   they start on about 40% less CPU; off: never; see "Warm JVMs" in the README)
#   STACK_COMPANION=2 with start/up: each node replays itself from its own data/<node>/recorder
#   (a work copy, nothing sent), prints the verdict and exits; the script exits with the replay's
#   code (0 MATCH, 1 DIVERGED, 2 unusable recording)
# exit: 0 done; 1 the command failed (said on stderr); 2 bad arguments (nothing created or started)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sc_help_if_asked "$@"
sc_split_eq "$@"
set -- "${SC_ARGS[@]}"
[[ $# -ge 1 ]] || sc_die "pool.sh needs a command: up, down, status, start NODE, stop NODE or kill NODE; see '$SC_SCRIPT --help'"
cmd="$1"
shift
[[ "$cmd" =~ ^(up|down|status|start|stop|kill)$ ]] \
  || sc_die "unknown command '$cmd' for pool.sh; use up, down, status, start NODE, stop NODE or kill NODE"
node=""
if [[ "$cmd" =~ ^(start|stop|kill)$ ]]; then
  [[ $# -ge 1 && "$1" != -* ]] || sc_die "'pool.sh $cmd' needs a node name, e.g. 'pool.sh $cmd Node2'"
  node="$1"
  shift
fi
base_dir="pool"
nodes=()
json=""
init_extra=()
for_new_pool=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-dir) sc_need "a folder" "$@"; base_dir="$2"; shift 2 ;;
    --nodes) sc_need "a number of nodes" "$@"; sc_int n_nodes --nodes "$2" 1 100; nodes=(--nodes "$n_nodes"); for_new_pool+=" --nodes"; shift 2 ;;
    --json) json="--json"; shift ;;
    --base-port) sc_need "a port" "$@"; sc_int port --base-port "$2" 1 65535; init_extra+=(--base-port "$port"); for_new_pool+=" --base-port"; shift 2 ;;
    --random-ports) init_extra+=(--random-ports); for_new_pool+=" --random-ports"; shift ;;
    *) [[ "$1" == -* ]] && sc_unknown_option "$1"
       sc_die "unexpected argument '$1' for 'pool.sh $cmd'; see '$SC_SCRIPT --help'" ;;
  esac
done
# An option that does not apply to the command is an error, not silently ignored.
[[ -z "$for_new_pool" || $cmd == up ]] || sc_die "'pool.sh $cmd' does not take${for_new_pool}; it is for 'pool.sh up' (a new pool)"
[[ -z "$json" || $cmd == status ]] || sc_die "'pool.sh $cmd' does not take --json; it is for 'pool.sh status'"
[[ " ${init_extra[*]} " != *" --random-ports "* || " ${init_extra[*]} " != *" --base-port "* ]] \
  || sc_die "use either --base-port or --random-ports, not both"
[[ -n "$base_dir" ]] || sc_die "--base-dir needs a folder"
[[ "${NODE_CDS:-auto}" =~ ^(auto|off)$ ]] || sc_die "NODE_CDS must be auto or off, not '$NODE_CDS'"
base_dir="$(sc_abs "$base_dir")"
run_dir="$base_dir/run"
# Nothing is created or built before here: every command but up needs an existing pool.
case "$cmd" in
  up) sc_check_creatable --base-dir "$base_dir" ;;
  down) [[ -f "$base_dir/pool_genesis.json" ]] || { echo "no pool at $base_dir; nothing to stop" >&2; exit 0; } ;;
  *) sc_check_pool "$base_dir" ;;
esac

# The nodes' class-data sharing (AppCDS, "Warm JVMs" in the README): a node JVM that maps an archive
# of the classes a node loads starts on about 40% less CPU. CDS archives classes from jars only, so
# the modules' target/classes folders are copied into jars once per build, in a folder of
# node/target/cds/ named by a key of the whole classpath (every file's size and time) and the JDK: a
# rebuild or another JDK makes a new folder and the old ones are deleted. The archive in it is made by
# the first node launched when there is none: -XX:ArchiveClassesAtExit writes it as that node stops
# cleanly (stop_node moves it into place); until then the nodes run from the jars without it.
cds_dir="${NODE_CDS_DIR:-$SC_ROOT/node/target/cds}"
cds_cp=""
cds_archive=""
cds_setup() {
  [[ "${NODE_CDS:-auto}" != off ]] || return 0
  # Options that choose their own sharing win over ours.
  [[ " ${NODE_JAVA_OPTS:-} " != *" -Xshare:"* && " ${NODE_JAVA_OPTS:-} " != *"SharedArchiveFile"* \
     && " ${NODE_JAVA_OPTS:-} " != *"ArchiveClassesAtExit"* ]] || { echo "class-data archive: not used (NODE_JAVA_OPTS sets sharing)" >&2; return 0; }
  command -v jar >/dev/null || { echo "class-data archive: not used (no 'jar' tool: a JRE, not a JDK)" >&2; return 0; }
  local entry entries=() key dir tmp i=0
  IFS=: read -ra entries <<<"$(sc_classpath)"
  key="$( { java -version 2>&1
            for entry in "${entries[@]}"; do
              if [[ -d "$entry" ]]; then echo "$entry/"; (cd "$entry" && find . -type f -printf '%p %s %T@\n' | sort)
              else stat -c '%n %s %Y' "$entry" 2>/dev/null || echo "$entry"; fi
            done; } | cksum | cut -d' ' -f1)"
  dir="$cds_dir/$key"
  if [[ ! -d "$dir" ]]; then
    mkdir -p "$cds_dir"
    tmp="$(mktemp -d "$cds_dir/.making.XXXXXX")"
    chmod 755 "$tmp"
    for entry in "${entries[@]}"; do
      i=$((i + 1))
      if [[ -d "$entry" ]]; then
        jar --create --file "$tmp/$i.jar" -C "$entry" . || { rm -rf "$tmp"; echo "class-data archive: not used (could not jar $entry)" >&2; return 0; }
      elif [[ "$entry" == *AmazonCorrettoCryptoProvider*.jar ]]; then
        # A signed jar's classes are never archived, and JDK 17's dump at exit crashes (SIGSEGV in
        # adjust_lambda_proxy_class_dictionary) on this one's lambdas: an unsigned copy instead.
        mkdir "$tmp/$i" && (cd "$tmp/$i" && jar xf "$entry" && rm -f META-INF/*.SF META-INF/*.RSA META-INF/*.DSA META-INF/*.EC) \
          && jar --create --file "$tmp/$i.jar" -C "$tmp/$i" . && rm -rf "${tmp:?}/$i" \
          || { rm -rf "$tmp"; echo "class-data archive: not used (could not copy $entry)" >&2; return 0; }
      fi
    done
    # Another pool.sh may have made the same folder meanwhile: then theirs is used.
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
    # Other builds' and JDKs' folders (a node still running from one keeps its open files), and
    # unfinished ones older than a day.
    find "$cds_dir" -mindepth 1 -maxdepth 1 -type d ! -name "$key" ! -name '.making.*' -exec rm -rf {} + 2>/dev/null || true
    find "$cds_dir" -mindepth 1 -maxdepth 1 -type d -name '.making.*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
  fi
  i=0
  cds_cp=""
  for entry in "${entries[@]}"; do
    i=$((i + 1))
    [[ ! -d "$entry" && "$entry" != *AmazonCorrettoCryptoProvider*.jar ]] || entry="$dir/$i.jar"
    cds_cp+="${cds_cp:+:}$entry"
  done
  cds_archive="$dir/node.jsa"
  if [[ -s "$cds_archive" ]]; then
    echo "class-data archive: $cds_archive" >&2
  else
    echo "class-data archive: none yet for this build; the first node makes it when it stops cleanly" >&2
  fi
}
# cds_args NODE: sets cds_jvm to the node's classpath and CDS options: map the archive, or make it
# (the first node launched by this command, when there is none), or run without it.
cds_training=""
cds_args() {
  if [[ -z "$cds_archive" ]]; then
    cds_jvm=(-cp "$(sc_classpath)")
  elif [[ -s "$cds_archive" ]]; then
    # -Xlog off: a mismatch (another JDK's archive) falls back silently to loading every class.
    cds_jvm=(-XX:SharedArchiveFile="$cds_archive" -Xlog:cds*=off -Xlog:class+path=off -cp "$cds_cp")
  elif [[ -z "$cds_training" && "${STACK_COMPANION:-}" != 2 ]]; then
    # (Not a node that replays itself and exits: nothing would move its archive into place.)
    cds_training="$1"
    # Written by the JVM when the node stops cleanly; stop_node moves it into place. Off: the
    # warnings about classes it cannot archive (Bouncy Castle's signed jar), printed at exit.
    echo "$cds_archive.$$-$1.tmp" >"$base_dir/data/$1/cds-archive-making"
    cds_jvm=(-XX:ArchiveClassesAtExit="$cds_archive.$$-$1.tmp" -Xlog:cds*=off -cp "$cds_cp")
  else
    cds_jvm=(-cp "$cds_cp")
  fi
}

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
  sc_check_pool "$base_dir"
  genesis_nodes | grep -qxF -- "$1" || sc_die "no node $1 in $base_dir/pool_genesis.json; its nodes are: $(genesis_nodes | tr '\n' ' ')"
}

# launch_node NODE: starts the node's JVM in the background (nothing if it runs already); then
# await_node NODE says whether it came up. up launches every node before awaiting any: their JVMs
# start side by side.
launch_node() {
  local n="$1"
  check_node "$n"
  if pid="$(pid_of "$n")"; then
    echo "$n is already running (pid $pid)" >&2
    return 0
  fi
  mkdir -p "$run_dir" "$base_dir/data/$n"
  local out="$base_dir/data/$n/stdout.log"
  # Emptied here, not by the background job's redirection: await_node must never read the previous
  # run's "NODE is up" (it did, while the new JVM was still starting: a restarted node was reported up,
  # and a 'down' right after stopped it before it could record its stop).
  : >"$out"
  # -ShrinkHeapInSteps: a full collection gives back at once the heap a burst made the JVM take (see HeapReturn).
  # PerMethodTrapLimit=0: C2 does not compile in guesses (a branch never taken, one type seen) whose first
  # miss deoptimises the method; each new client load missed some, so C2 never settled (README "Speed").
  # shellcheck disable=SC2086
  local cds_jvm=()
  cds_args "$n"
  nohup java ${NODE_JAVA_OPTS:--Xms64m -Xmx768m -XX:+UseSerialGC -XX:-ShrinkHeapInSteps -XX:PerMethodTrapLimit=0} "${cds_jvm[@]}" \
    io.stackcompanion.node.NodeMain --base-dir "$base_dir" --name "$n" >"$out" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$run_dir/$n.pid"
  launched[$n]=$pid
}

await_node() {
  local n="$1"
  [[ -n "${launched[$n]:-}" ]] || return 0 # was already running
  local pid="${launched[$n]}" out="$base_dir/data/$n/stdout.log"
  # Wait until it answers on both stacks (NodeMain then prints "NODE is up"), or report why it died.
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    if head -1 "$out" 2>/dev/null | grep -q '^STACK_COMPANION=2: replaying '; then
      # STACK_COMPANION=2: the node replays itself from its recording instead of joining the pool.
      local rc=0
      wait "$pid" || rc=$?
      rm -f "$run_dir/$n.pid"
      cat "$out"
      self_replayed=1
      return "$rc"
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$run_dir/$n.pid"
      local why
      why="$(grep -m1 '^error:' "$out" || tail -1 "$out")"
      echo "error: $n did not start: ${why#error: }${start_hint:-}" >&2
      return 1
    fi
    if grep -qxF -- "$n is up" "$out" 2>/dev/null; then
      echo "$n started (pid $pid)" >&2
      return 0
    fi
    sleep 0.1
  done
  echo "error: $n did not answer within 60 s; see $out and $base_dir/data/$n/node.log${start_hint:-}" >&2
  return 1
}

start_node() {
  launch_node "$1"
  await_node "$1"
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
  if [[ -f "$base_dir/data/$n/cds-archive-making" ]]; then
    # This node was making the class-data archive: the JVM wrote it as it stopped (not when killed).
    local made
    made="$(cat "$base_dir/data/$n/cds-archive-making")"
    if [[ $signal != KILL && -s "$made" ]]; then mv -f "$made" "${made%.jsa.*}.jsa"; else rm -f "$made"; fi
    rm -f "$base_dir/data/$n/cds-archive-making"
  fi
  echo "$n $([[ $signal == KILL ]] && echo killed || echo stopped)" >&2
}

[[ -z "$node" ]] || check_node "$node"
sc_build
[[ ! "$cmd" =~ ^(up|start)$ ]] || cds_setup
declare -A launched=()
case "$cmd" in
  up)
    tool init --base-dir "$base_dir" "${nodes[@]}" "${init_extra[@]}"
    failed=0
    # One line per node that did not start, saying so too.
    start_hint="; the nodes that started are still running ('pool.sh down' stops them)"
    self_replayed=0
    for n in $(genesis_nodes); do
      launch_node "$n"
    done
    for n in $(genesis_nodes); do
      await_node "$n" || failed=1
    done
    [[ $failed == 0 ]] || exit 1
    [[ $self_replayed == 0 ]] || exit 0 # STACK_COMPANION=2: each node replayed itself; none joined a pool
    tool wait-connected --base-dir "$base_dir" --timeout-s 60
    echo "pool up: $(genesis_nodes | wc -l) nodes in $base_dir" >&2
    ;;
  down)
    for n in $(genesis_nodes); do
      stop_node "$n" TERM &
    done
    wait
    ;;
  status)
    tool status --base-dir "$base_dir" $json
    ;;
  start) start_node "$node" ;;
  stop) stop_node "$node" TERM ;;
  kill) stop_node "$node" KILL ;;
esac
