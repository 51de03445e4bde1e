#!/usr/bin/env bash
# Looks inside recordings: what they hold, every event as JSON Lines, and whether they are sound.
#   scripts/recording.sh stats|export|verify DIR [--json]
# DIR: a pool's base dir, a node's data folder, its recorder/ folder, or one stack's recording.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sc_build
sc_java io.stackcompanion.node.tools.RecordingMain "$@"
