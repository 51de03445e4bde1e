#!/usr/bin/env bash
# Gathers node recordings (local base dirs and remote hosts over ssh) into one archive that
# replay.sh takes as it is: data/<node>/recorder/ of each node, MANIFEST.json (size and SHA-256 of
# every file, what each recording holds) and never a secret key.
#   scripts/collect-recordings.sh [--base-dir DIR] [--node NAME ...] [--from USER@HOST:DIR ...] --out FILE [--json]
# SC_SSH_OPTS: extra options for ssh and scp (both must take them), e.g. "-i KEY -o Port=2222".
# Exit 0: all collected; 1: archive written but a source or node failed (listed), or none collected;
# 2: bad arguments, nothing written.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sc_build
sc_java io.stackcompanion.node.tools.CollectMain "$@"
