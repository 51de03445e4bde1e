#!/usr/bin/env bash
# Replays one recorded node in this process, sending nothing on the network, and says whether it
# reproduced the recording exactly.
#   scripts/replay.sh --recording FILE|DIR --node NAME [--mode virtual|realtime] [--debug] [--json]
#                     [--until-event N] [--set KEY=VALUE ...] [--work-dir DIR]
# FILE: an archive from collect-recordings.sh (checked against its manifest before anything is replayed).
# --debug waits for a debugger on JDWP port ${DEBUG_PORT:-5005} before replaying.
# Exit 0: reproduced; 1: diverged (first divergence printed); 2: unusable recording or arguments.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
args=()
debug=0
for a in "$@"; do
  if [[ "$a" == --debug ]]; then debug=1; else args+=("$a"); fi
done
sc_build
opts="${SC_JAVA_OPTS:--Xmx2g -XX:+UseParallelGC}"
if [[ $debug == 1 ]]; then
  opts="$opts -agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=*:${DEBUG_PORT:-5005}"
  echo "waiting for a debugger on port ${DEBUG_PORT:-5005} (IntelliJ: Run > Attach to Process, or the 'Replay (attach)' configuration)" >&2
fi
SC_JAVA_OPTS="$opts" sc_java io.stackcompanion.replay.ReplayMain "${args[@]}"
