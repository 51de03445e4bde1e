#!/usr/bin/env bash
# usage: scripts/pit.sh [--classes GLOB]
#   Mutation testing of node/core with the DST as the test (README, "Deterministic simulation
#   testing", "Proof that it finds bugs"): PIT (pitest-maven, profile 'pit' of sim/pom.xml) mutates
#   the consensus classes of io.stackcompanion.node.core and runs sim's DstMutationTest (a few short
#   seeds, every checker) against each mutant, two at a time. Takes about half an hour on 2 cores.
#   The report: sim/target/pit-reports/index.html (per class and line), mutations.xml and
#   mutations.csv (one line per mutant: class, mutator, method, line, status, killing test); the
#   Maven log: sim/target/pit.log. The first run needs the network once to fetch PIT.
# options: --classes GLOB: mutate only these classes (default io.stackcompanion.node.core.*),
#            e.g. 'io.stackcompanion.node.core.Checkpoints*'
# exit: 0 the run completed (survivors do not fail it); 1 the build or PIT failed (the log named);
#   2 bad arguments
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sc_help_if_asked "$@"
sc_split_eq "$@"
set -- "${SC_ARGS[@]}"
classes="io.stackcompanion.node.core.*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --classes) sc_need "a class glob" "$@"; classes="$2" ;;
    *) sc_unknown_option "$1" ;;
  esac
  shift 2
done

log="$SC_ROOT/sim/target/pit.log"
mkdir -p "$SC_ROOT/sim/target"
args=(-B -ntp -Ppit -pl sim -am test -Dtest=DstMutationTest -Dsurefire.failIfNoSpecifiedTests=false "-Dpit.targetClasses=$classes")
cd "$SC_ROOT"
if ! ./mvnw -o "${args[@]}" >"$log" 2>&1; then
  # Offline fails only when PIT is not in the local repository yet: fetch it once.
  if grep -q "offline" "$log" && ./mvnw "${args[@]}" >"$log" 2>&1; then
    :
  else
    echo "error: the PIT run failed; its log is $log" >&2
    exit 1
  fi
fi
sed -n '/- Statistics/,/Ran [0-9]* tests/p' "$log" | sed 's/^\[INFO\] //'
echo "report: $SC_ROOT/sim/target/pit-reports/index.html (mutations.xml, mutations.csv); log: $log"
