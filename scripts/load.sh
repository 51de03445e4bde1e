#!/usr/bin/env bash
# usage: scripts/load.sh [--base-dir DIR] --requests N [--clients C] [--rate R]
#                        [--mix put=P,get=G,cas=C] [--keys N] [--history FILE] [--json]
#   Sends N signed requests to the local pool in DIR (default ./pool) and reports throughput
#   and latency. Every request (PUT, GET or CAS) is ordered; its result is the one f+1 nodes agree on.
# options: --requests N (1 to 1000000000), --clients C (1 to 1000, default 1),
#          --rate R (total requests per second, above 0 and at most 1000000; default: as fast as
#            the in-flight cap allows), --timeout-s S (1 to 86400, default 30), --in-flight K
#            (per client, 1 to 10000, default 64), --seed X (decides keys and values, default 1),
#          --mix put=P,get=G,cas=C (whole percentages summing to 100, a missing one is 0;
#            default put=100), --keys N (the requests share keys k0..k<N-1>, 1 to 1000000; default
#            with GET or CAS in the mix: 8, with PUT only: a key of its own per request),
#          --history FILE: write the client history there, JSON Lines in order of invoke, one line
#            per operation sent (the README's "Client history"):
#            {"client":"c1","op":"PUT","key":"k3","input":{"value":"v7"},"output":null,"invoke":N,"return":N,"seqNo":S}
#            GET: "input":{}, "output":{"value":V} (null when absent); CAS: "input":{"expected":E,"value":V},
#            "output":{"applied":true|false}; no agreed reply (timed out, failed): "output":null,"return":null
#            (its effect is unknown) and no seqNo. invoke/return: nanoseconds since the run started,
#            from the load process's monotonic clock (System.nanoTime); seqNo: the ledger position.
#          --json: one JSON object as the last line
# environment: SC_JAVA_OPTS, the load generator's JVM options (default -Xmx1g -XX:+UseSerialGC
#   -XX:TieredStopAtLevel=1: a load generator lives seconds to minutes, and C2 compiling it cost the
#   machine it shares with a pool about 0.15-0.2 ms of CPU per write; C1's code is fast enough for it)
# exit: 0 every request was ordered; 1 some were not; 2 bad arguments or no pool (nothing sent)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# check_mix VALUE: put=P,get=G,cas=C, each name at most once, whole percentages summing to 100.
check_mix() {
  local v="$1" part name sum=0 seen=" "
  local bad="--mix must be like put=70,get=20,cas=10 (whole percentages summing to 100), not '$v'"
  [[ "$v" =~ ^(put|get|cas)=[0-9]{1,3}(,(put|get|cas)=[0-9]{1,3}){0,2}$ ]] || sc_die "$bad"
  IFS=, read -ra parts <<<"$v"
  for part in "${parts[@]}"; do
    name="${part%%=*}"
    [[ "$seen" != *" $name "* ]] || sc_die "$bad"
    seen+="$name "
    sum=$((sum + 10#${part#*=}))
  done
  ((sum == 100)) || sc_die "$bad"
}

# check_history FILE: FILE can be written: not a folder, in an existing writable folder.
check_history() {
  local f dir
  f="$(sc_abs "$1")"
  dir="$(dirname "$f")"
  [[ ! -d "$f" ]] || sc_die "--history $1 is a folder; pass a file name"
  [[ -d "$dir" ]] || sc_die "--history $1: its folder $dir does not exist"
  [[ -w "$dir" ]] || sc_die "--history $1: its folder $dir is not writable"
}

sc_help_if_asked "$@"
sc_split_eq "$@"
set -- "${SC_ARGS[@]}"
args=("$@")
base_dir="pool"
requests=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-dir) sc_need "a folder" "$@"; base_dir="$2"; shift 2 ;;
    --requests) sc_need "a number of requests" "$@"; sc_int requests --requests "$2" 1 1000000000; shift 2 ;;
    --clients) sc_need "a number of clients" "$@"; sc_int unused --clients "$2" 1 1000; shift 2 ;;
    --rate) sc_need "requests per second" "$@"; sc_positive unused --rate "$2" 1000000; shift 2 ;;
    --timeout-s) sc_need "seconds" "$@"; sc_int unused --timeout-s "$2" 1 86400; shift 2 ;;
    --in-flight) sc_need "a number of requests" "$@"; sc_int unused --in-flight "$2" 1 10000; shift 2 ;;
    --seed) sc_need "a whole number" "$@"
            [[ "$2" =~ ^-?[0-9]{1,18}$ ]] || sc_die "--seed must be a whole number, not '$2'"; shift 2 ;;
    --mix) sc_need "shares like put=70,get=20,cas=10" "$@"; check_mix "$2"; shift 2 ;;
    --keys) sc_need "a number of keys" "$@"; sc_int unused --keys "$2" 1 1000000; shift 2 ;;
    --history) sc_need "a file" "$@"; check_history "$2"; shift 2 ;;
    --json) shift ;;
    -*) sc_unknown_option "$1" ;;
    *) sc_die "unexpected argument '$1' for load.sh; see '$SC_SCRIPT --help'" ;;
  esac
done
[[ -n "$requests" ]] || sc_die "--requests N is required: how many requests to send"
[[ -n "$base_dir" ]] || sc_die "--base-dir needs a folder"
sc_check_pool "$(sc_abs "$base_dir")"
[[ " ${args[*]} " == *" --base-dir "* ]] || args+=(--base-dir pool)
sc_build
SC_JAVA_OPTS="${SC_JAVA_OPTS:--Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1}" sc_java io.stackcompanion.node.tools.LoadMain "${args[@]}"
