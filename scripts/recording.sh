#!/usr/bin/env bash
# usage: scripts/recording.sh stats|verify DIR [--json]
#        scripts/recording.sh verify --pool DIR [--json]
#        scripts/recording.sh timeline DIR|ARCHIVE --out FILE.html [--node NAME ...] [--from T] [--to T] [--json]
#        scripts/recording.sh export DIR [--from-index N] [--to-index N]
#        scripts/recording.sh sanitize IN OUT [--sanitize-key FILE] [--sanitize-hosts] [--json]
#   Looks inside recordings: what they hold (stats), every event as JSON Lines (export), and
#   whether they are sound (verify). sanitize writes a copy without the customer's data (keyed
#   pseudonyms; the key file, default ~/.stack-companion/sanitize.key, is made on first use and
#   stays here) that still replays exactly; --sanitize-hosts replaces the node host addresses too.
#   DIR: a pool's base dir, a node's data folder, its recorder/ folder, or one stack's recording.
#   export prints each node's two stacks merged in the order replay.sh feeds them, every line with
#   the node, its "index" in that stream (the index of replay.sh's verdict and --until-event) and
#   its "stack"; --from-index/--to-index (inclusive) cut a window. One stack's folder: that stack alone.
#   IN: a pool's base dir, a node's folder or an archive; OUT: a new folder or *.tar.gz.
#   verify --pool also checks the nodes' recordings against each other: every node-to-node message
#   sent was recorded as received (unless a recorded disconnect or stop explains it), and the reverse.
#   timeline writes one self-contained HTML page (opens offline in a browser): a lane per node,
#   arrows for matched messages, views, stops and kills; click an event to see it as export prints
#   it, or a request to follow it on every lane. T: an ISO-8601 instant or seconds from the first event.
# exit: 0 fine (notes say what could not be checked); 2 bad arguments, no recording there, or a
#   damaged recording (one line naming the file); 3 an internal error (a bug: please report it)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sc_help_if_asked "$@"
sc_split_eq "$@"
set -- "${SC_ARGS[@]}"
args=("$@")
positional=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --json|--sanitize-hosts|--pool) shift ;;
    --sanitize-key) sc_need "the sanitize key file (made on first use)" "$@"; shift 2 ;;
    --from-index|--to-index) sc_need "an event index" "$@"; shift 2 ;;
    --out) sc_need "a file (FILE.html)" "$@"; shift 2 ;;
    --node) sc_need "a node name" "$@"; shift 2 ;;
    --from|--to) sc_need "a time (an ISO-8601 instant, or seconds from the first event)" "$@"; shift 2 ;;
    -*) sc_unknown_option "$1" ;;
    *) positional+=("$1"); shift ;;
  esac
done
set -- "${args[@]}"
[[ ${#positional[@]} -ge 1 ]] || sc_die "recording.sh needs a command and a folder: stats|export|verify DIR, timeline DIR --out FILE.html, or sanitize IN OUT; see '$SC_SCRIPT --help'"
[[ "${positional[0]}" =~ ^(stats|export|verify|sanitize|timeline)$ ]] \
  || sc_die "unknown command '${positional[0]}' for recording.sh; use stats, export, verify, timeline or sanitize"
if [[ "${positional[0]}" =~ ^(sanitize|timeline)$ ]]; then
  if [[ "${positional[0]}" == sanitize ]]; then
    [[ ${#positional[@]} -eq 3 ]] || sc_die "'recording.sh sanitize' needs IN (a pool's base dir, a node's folder or an archive) and OUT (a new folder or *.tar.gz)"
  else
    [[ ${#positional[@]} -eq 2 ]] || sc_die "'recording.sh timeline' needs one pool's base dir or archive, and --out FILE.html"
  fi
  [[ -e "${positional[1]}" ]] || sc_die "no recording at ${positional[1]}; pass a pool's base dir, a node's folder or an archive"
  sc_build
  sc_java io.stackcompanion.node.tools.RecordingMain "$@"
  exit $?
fi
[[ ${#positional[@]} -ge 2 ]] || sc_die "'recording.sh ${positional[0]}' needs a folder: a pool's base dir, a node's data folder or a recording"
[[ ${#positional[@]} -eq 2 ]] || sc_die "unexpected argument '${positional[2]}' for recording.sh; see '$SC_SCRIPT --help'"
[[ -d "${positional[1]}" ]] \
  || sc_die "no folder ${positional[1]}; pass a pool's base dir, a node's data folder or a recording"
sc_build
sc_java io.stackcompanion.node.tools.RecordingMain "$@"
