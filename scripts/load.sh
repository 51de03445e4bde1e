#!/usr/bin/env bash
# usage: scripts/load.sh [--base-dir DIR] --requests N [--clients C] [--rate R] [--json]
#   Sends N signed PUT requests to the local pool in DIR (default ./pool) and reports throughput
#   and latency.
# options: --requests N (1 to 1000000000), --clients C (1 to 1000, default 1),
#          --rate R (total requests per second, above 0 and at most 1000000; default: as fast as
#            the in-flight cap allows), --timeout-s S (1 to 86400, default 30), --in-flight K
#            (per client, 1 to 10000, default 64), --seed X (decides keys and values, default 1),
#          --json: one JSON object as the last line
# exit: 0 every request was ordered; 1 some were not; 2 bad arguments or no pool (nothing sent)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
sc_java io.stackcompanion.node.tools.LoadMain "${args[@]}"
