#!/usr/bin/env bash
# usage: scripts/recording.sh stats|verify DIR [--json]
#        scripts/recording.sh export DIR [--from-index N] [--to-index N]
#   Looks inside recordings: what they hold (stats), every event as JSON Lines (export), and
#   whether they are sound (verify).
#   DIR: a pool's base dir, a node's data folder, its recorder/ folder, or one stack's recording.
#   export prints each node's two stacks merged in the order replay.sh feeds them, every line with
#   the node, its "index" in that stream (the index of replay.sh's verdict and --until-event) and
#   its "stack"; --from-index/--to-index (inclusive) cut a window. One stack's folder: that stack alone.
# exit: 0 fine (notes say what could not be checked); 2 bad arguments, no recording there, or a
#   damaged recording (one line naming the file); 3 an internal error (a bug: please report it)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sc_help_if_asked "$@"
sc_split_eq "$@"; set -- "${SC_ARGS[@]}"
positional=()
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  a="${args[i]}"
  case "$a" in
    --json) ;;
    --from-index|--to-index)
      ((i + 1 < ${#args[@]})) || sc_die "$a needs an event index; see '$SC_SCRIPT --help'"
      i=$((i + 1)) ;;
    -*) sc_unknown_option "$a" ;;
    *) positional+=("$a") ;;
  esac
done
[[ ${#positional[@]} -ge 1 ]] || sc_die "recording.sh needs a command and a folder: stats|export|verify DIR; see '$SC_SCRIPT --help'"
[[ "${positional[0]}" =~ ^(stats|export|verify)$ ]] \
  || sc_die "unknown command '${positional[0]}' for recording.sh; use stats, export or verify"
[[ ${#positional[@]} -ge 2 ]] || sc_die "'recording.sh ${positional[0]}' needs a folder: a pool's base dir, a node's data folder or a recording"
[[ ${#positional[@]} -eq 2 ]] || sc_die "unexpected argument '${positional[2]}' for recording.sh; see '$SC_SCRIPT --help'"
[[ -d "${positional[1]}" ]] \
  || sc_die "no folder ${positional[1]}; pass a pool's base dir, a node's data folder or a recording"
sc_build
sc_java io.stackcompanion.node.tools.RecordingMain "$@"
