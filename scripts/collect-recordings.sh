#!/usr/bin/env bash
# usage: scripts/collect-recordings.sh [--base-dir DIR] [--node NAME ...] [--from USER@HOST:DIR ...] --out FILE
#                                     [--sanitize [--sanitize-key FILE] [--sanitize-hosts]] [--json]
#   Gathers node recordings (local base dirs and remote hosts over ssh) into one archive that
#   replay.sh takes as it is: data/<node>/recorder/ of each node, MANIFEST.json (size and SHA-256
#   of every file, what each recording holds) and never a secret key.
# options: --base-dir DIR (default ./pool unless --from is given), --node NAME ... (default: every
#          recorded node), --from USER@HOST:DIR ... (a pool's base dir on another host),
#          --out FILE (FILE.tar.gz or FILE.tgz, new), --json: a JSON summary as the last line,
#          --sanitize: customer data replaced by keyed pseudonyms (see recording.sh sanitize; the
#          key, --sanitize-key FILE, default ~/.stack-companion/sanitize.key, made on first use, stays here;
#          --sanitize-hosts: the node host addresses too)
# environment: SC_SSH_OPTS: extra options for ssh and scp (both must take them), e.g. "-i KEY -o Port=2222"
# exit: 0 all collected; 1 archive written but a source or node failed (listed), or none collected;
#       2 bad arguments, nothing written
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sc_help_if_asked "$@"
sc_split_eq "$@"
set -- "${SC_ARGS[@]}"
args=("$@")
base_dir=""
out=""
from=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-dir) sc_need "a folder" "$@"; base_dir="$2"; shift 2 ;;
    --out) sc_need "the archive to write, e.g. --out rec.tar.gz" "$@"; out="$2"; shift 2 ;;
    --node|--from)
      # Each takes one or more values, up to the next option.
      [[ $1 == --node ]] && what="a node name, e.g. --node Node2" || what="USER@HOST:DIR, a pool's base dir on another host"
      [[ $1 == --from ]] && from=1
      sc_need "$what" "$@"
      shift
      while [[ $# -gt 0 && "$1" != -* ]]; do shift; done
      ;;
    --json|--sanitize|--sanitize-hosts) shift ;;
    --sanitize-key) sc_need "the sanitize key file (made on first use)" "$@"; shift 2 ;;
    -*) sc_unknown_option "$1" ;;
    *) sc_die "unexpected argument '$1' for collect-recordings.sh; see '$SC_SCRIPT --help'" ;;
  esac
done
# The same checks, in the same words, as CollectMain's: nothing is built or written for bad input.
[[ -n "$out" ]] || sc_die "collect-recordings needs --out FILE, the archive to write (e.g. --out rec.tar.gz)"
[[ "$out" == *.tar.gz || "$out" == *.tgz ]] \
  || sc_die "--out $out: name the archive *.tar.gz or *.tgz (replay.sh recognises archives by that)"
[[ ! -e "$out" ]] || sc_die "--out $out already exists; pass a new file name or remove it first"
out_parent="$(dirname "$(sc_abs "$out")")"
[[ -d "$out_parent" ]] || sc_die "cannot write --out $out: $out_parent is not a folder"
if [[ -n "$base_dir" || $from == 0 ]]; then
  [[ -d "$(sc_abs "${base_dir:-pool}")" ]] \
    || sc_die "no folder $(sc_abs "${base_dir:-pool}"); pass the pool's base dir with --base-dir (default ./pool)"
fi
sc_build
sc_java io.stackcompanion.node.tools.CollectMain "${args[@]}"
