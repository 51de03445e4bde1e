#!/usr/bin/env bash
# usage: scripts/replay.sh --recording FILE|DIR --node NAME [--mode virtual|realtime] [--debug] [--json]
#                          [--until-event N] [--check-state] [--free-batching] [--set KEY=VALUE ...]
#                          [--log FILE] [--work-dir DIR] [--ignore-unknown-config] [--html FILE.html]
#   Replays one recorded node in this process, sending nothing on the network, and says whether it
#   reproduced the recording exactly.
#   FILE: an archive from collect-recordings.sh (checked against its manifest before anything is
#   replayed); DIR: a folder holding data/<node>/recorder (a pool's base dir, an unpacked archive).
# options: --mode virtual (default: as fast as possible) or realtime (recorded intervals)
#          --until-event N: stop before event N (0 is the first; the "index" of recording.sh export)
#            and print the node's state and the events before it: STOPPED, exit 4
#          --check-state: also compare the node's consensus state (view, watermarks, every batch's
#            votes, requests, ledger) with the one recorded at each stable checkpoint and clean stop
#          --free-batching: the replayed primary cuts its own batches instead of the recorded ones
#            (a what-if; the verdict reports the first difference, later ones are expected)
#          --set KEY=VALUE: replay with a configuration key changed (repeatable); the keys and
#            their defaults are listed in config/node.properties
#          --log FILE: write the replayed node's log to FILE (new) at its configured LOG_LEVEL (or
#            --set LOG_LEVEL=...), each line stamped with the recorded time and [#event index], to
#            line up with the original data/<node>/node.log (default: warnings and up on stderr)
#          --work-dir DIR: keep the replayed node's data in DIR (empty or new)
#          --html FILE.html: also write the replay as a page to open in a browser (offline): the
#            recorded node's lane and the replayed one, a button that jumps to the first divergence,
#            expected against actual field by field, and the events just before it
#          --ignore-unknown-config: replay a recording whose configuration has keys this build does
#            not know (a newer build made it) as if they were not set; the verdict lists them.
#            Without it such a recording is refused (exit 2): replay it with the build that made it
#          --debug: wait for a debugger on JDWP port ${DEBUG_PORT:-5005} before replaying
#          --json: the verdict as one JSON object, last
# exit: 0 reproduced (MATCH); 1 diverged (DIVERGED: the first divergence, the node's state there and
#   the events before it printed); 2 unusable or damaged recording, or bad arguments (one line);
#   3 an internal error (a bug: please report it); 4 stopped by --until-event before the end (STOPPED)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sc_help_if_asked "$@"
sc_split_eq "$@"
set -- "${SC_ARGS[@]}"
args=()
debug=0
recording=""
node=""
known_keys=" $(grep -oE '^[A-Z][A-Z0-9_]*=' "$SC_ROOT/config/node.properties" | tr -d = | tr '\n' ' ') "
check_set() { # check_set KEY=VALUE: the key must be a configuration key; ReplayMain checks the value
  [[ "$1" == ?*=* ]] || sc_die "--set takes KEY=VALUE, not '$1'"
  [[ "$known_keys" == *" ${1%%=*} "* ]] \
    || sc_die "unknown configuration key ${1%%=*} in --set; the keys and their defaults are listed in config/node.properties"
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --debug) debug=1; shift; continue ;;
    --recording) sc_need "an archive or a folder" "$@"; recording="$2" ;;
    --node) sc_need "a node name, e.g. --node Node2" "$@"; node="$2" ;;
    --mode) sc_need "virtual or realtime" "$@"
            [[ "${2,,}" =~ ^(virtual|realtime)$ ]] || sc_die "--mode is virtual or realtime, not '$2'" ;;
    --until-event) sc_need "an event index" "$@"
                   [[ "$2" =~ ^[0-9]{1,18}$ ]] \
                     || sc_die "--until-event takes an event index, a whole number from 0 (the first event), not '$2'" ;;
    --log) sc_need "a file" "$@"
           [[ ! -e "$2" ]] || sc_die "--log $2 exists; give a new file (a replay never overwrites a log, e.g. the original node.log)" ;;
    --html) sc_need "a file (FILE.html)" "$@" ;;
    --work-dir) sc_need "a folder" "$@"
                if [[ -e "$2" ]]; then
                  [[ -d "$2" && -z "$(ls -A "$2" 2>/dev/null)" ]] || sc_die "--work-dir $2 is not an empty folder; give an empty or new folder"
                else
                  sc_check_creatable --work-dir "$(sc_abs "$2")"
                fi ;;
    --set)
      # One or more KEY=VALUE, up to the next option.
      sc_need "KEY=VALUE" "$@"
      args+=("$1")
      shift
      while [[ $# -gt 0 && "$1" != -* ]]; do check_set "$1"; args+=("$1"); shift; done
      continue ;;
    --json|--free-batching|--check-state|--ignore-unknown-config) args+=("$1"); shift; continue ;;
    -*) sc_unknown_option "$1" ;;
    *) sc_die "unexpected argument '$1' for replay.sh; see '$SC_SCRIPT --help'" ;;
  esac
  args+=("$1" "$2")
  shift 2
done
[[ -n "$recording" && -n "$node" ]] || sc_die "replay needs --recording FILE|DIR and --node NAME (try --help)"
[[ -e "$recording" ]] \
  || sc_die "--recording $recording does not exist; pass an archive from collect-recordings.sh or a folder holding data/<node>/recorder"
if [[ $debug == 1 ]]; then
  sc_int debug_port DEBUG_PORT "${DEBUG_PORT:-5005}" 1 65535
fi
sc_build
opts="${SC_JAVA_OPTS:--Xmx2g -XX:+UseParallelGC}"
if [[ $debug == 1 ]]; then
  opts="$opts -agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=*:$debug_port"
  echo "waiting for a debugger on port $debug_port (IntelliJ: Run > Attach to Process, or the 'Replay (attach)' configuration)" >&2
fi
SC_JAVA_OPTS="$opts" sc_java io.stackcompanion.replay.ReplayMain "${args[@]}"
