#!/usr/bin/env bash
# Sends signed PUT requests to a local pool and reports throughput and latency.
#   scripts/load.sh [--base-dir DIR] --requests N [--clients C] [--rate R] [--json]
# Exit 0 only if every request was ordered.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
args=("$@")
has_base=0
for a in "${args[@]}"; do [[ "$a" == --base-dir ]] && has_base=1; done
[[ $has_base == 1 ]] || args+=(--base-dir pool)
sc_build
sc_java io.stackcompanion.node.tools.LoadMain "${args[@]}"
