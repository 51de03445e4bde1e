# Shared by the scripts: finds the repo, builds what is missing or stale, runs Java main classes.
# Sourced, not run.
set -euo pipefail

SC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SC_STAMP="$SC_ROOT/node/target/.sc-build-stamp"

sc_die() {
  echo "error: $*" >&2
  exit 2
}

# Builds the modules (no tests) when never built or when a source or pom changed since.
sc_build() {
  # Tests that run the scripts from inside a Maven build use the classes that build just made.
  [[ "${SC_SKIP_BUILD:-0}" == 1 ]] && return 0
  local stale=0
  if [[ ! -f "$SC_STAMP" || ! -f "$SC_ROOT/node/target/classpath.txt" ]]; then
    stale=1
  elif [[ -n "$(find "$SC_ROOT" -path "$SC_ROOT/pool" -prune -o \( -path '*/src/main/*' -o -name pom.xml -o -path "$SC_ROOT/config/*" \) -newer "$SC_STAMP" -print -quit 2>/dev/null)" ]]; then
    stale=1
  fi
  if [[ $stale == 1 ]]; then
    echo "building Stack Companion (first use or sources changed)..." >&2
    if ! (cd "$SC_ROOT" && ./mvnw -q -B -DskipTests package >"$SC_ROOT/node/target-build.log" 2>&1); then
      tail -40 "$SC_ROOT/node/target-build.log" >&2 || true
      sc_die "the build failed; the full log is $SC_ROOT/node/target-build.log"
    fi
    rm -f "$SC_ROOT/node/target-build.log"
    touch "$SC_STAMP"
  fi
}

sc_classpath() {
  local cp="$SC_ROOT/recorder/target/classes:$SC_ROOT/node/target/classes:$(cat "$SC_ROOT/node/target/classpath.txt")"
  if [[ -f "$SC_ROOT/replay/target/classpath.txt" ]]; then
    # The modules' own jars are already here as target/classes; twice would confuse logback.
    cp="$SC_ROOT/replay/target/classes:$cp:$(tr ':' '\n' <"$SC_ROOT/replay/target/classpath.txt" | grep -v '/stack-companion-' | paste -sd:)"
  fi
  echo "$cp"
}

# sc_java MAIN_CLASS ARGS...: runs a tool in the foreground.
sc_java() {
  local main="$1"
  shift
  # shellcheck disable=SC2086
  exec java ${SC_JAVA_OPTS:--Xmx1g -XX:+UseSerialGC} -cp "$(sc_classpath)" "$main" "$@"
}
