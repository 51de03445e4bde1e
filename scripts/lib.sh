# Shared by the scripts: finds the repo, builds what is missing or stale, runs Java main classes.
# Sourced, not run.
set -euo pipefail

SC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SC_STAMP="$SC_ROOT/node/target/.sc-build-stamp"

# Exit codes, the same for every script: 0 done; 1 the command ran and failed (said on stderr);
# 2 bad arguments or configuration, checked before anything is built, created or started.
sc_die() {
  echo "error: $*" >&2
  exit 2
}

SC_SCRIPT="scripts/$(basename "$0")"

# Prints the running script's synopsis: its header comment (after the #! line), to stdout.
sc_usage() {
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
}

# sc_help_if_asked ARGS...: -h or --help among the arguments prints the synopsis and exits 0,
# before anything else happens.
sc_help_if_asked() {
  local a
  for a in "$@"; do
    if [[ "$a" == -h || "$a" == --help ]]; then
      sc_usage
      exit 0
    fi
  done
}

# sc_split_eq ARGS...: SC_ARGS is ARGS with every --option=value split in two, so the scripts take
# both forms, as the Java tools do; use: sc_split_eq "$@"; set -- "${SC_ARGS[@]}"
sc_split_eq() {
  SC_ARGS=()
  local a
  for a in "$@"; do
    if [[ "$a" == --?*=* ]]; then SC_ARGS+=("${a%%=*}" "${a#*=}"); else SC_ARGS+=("$a"); fi
  done
}

sc_unknown_option() {
  sc_die "unknown option '$1' for $SC_SCRIPT; see '$SC_SCRIPT --help'"
}

# sc_need WHAT OPTION [VALUE...]: the option at hand must be followed by a value (not by another
# option), e.g. sc_need "a folder" "$@" in an option loop.
sc_need() {
  local what="$1"
  shift
  [[ $# -ge 2 && "$2" != --* ]] || sc_die "$1 needs $what"
}

# sc_int VAR OPTION VALUE MIN MAX: sets VAR to VALUE, a whole number in MIN..MAX (MAX < 10^18),
# or stops with a usage error in the words the Java tools use.
sc_int() {
  local v="$3"
  if [[ "$v" =~ ^[0-9]{1,18}$ ]] && ((10#$v >= $4 && 10#$v <= $5)); then
    printf -v "$1" '%d' "$((10#$v))"
    return 0
  fi
  sc_die "$2 must be a whole number from $4 to $5, not '$v'"
}

# sc_positive VAR OPTION VALUE MAX: sets VAR to VALUE, a number (decimals allowed) above 0 and at
# most MAX.
sc_positive() {
  local v="$3"
  if [[ "$v" =~ ^([0-9]{1,12}(\.[0-9]{0,12})?|\.[0-9]{1,12})$ ]] \
      && awk -v x="$v" -v max="$4" 'BEGIN { exit !(x > 0 && x <= max) }'; then
    printf -v "$1" '%s' "$v"
    return 0
  fi
  sc_die "$2 must be a number above 0 and at most $4, not '$v'"
}

# sc_abs PATH: PATH made absolute, without touching the disk (the folder need not exist).
sc_abs() {
  if [[ "$1" == /* ]]; then echo "$1"; else echo "$PWD/$1"; fi
}

# sc_check_pool DIR: DIR must be a pool's base dir (it holds pool_genesis.json).
sc_check_pool() {
  [[ -f "$1/pool_genesis.json" ]] \
    || sc_die "no pool at $1 (no pool_genesis.json there); pass the --base-dir of a pool, or create one with 'scripts/pool.sh up --base-dir $1'"
}

# sc_check_creatable OPTION DIR: DIR is a folder, or can be made as one (its nearest existing
# ancestor is a writable folder). Creates nothing.
sc_check_creatable() {
  local opt="$1" dir="$2" up
  if [[ -e "$dir" ]]; then
    [[ -d "$dir" ]] || sc_die "$opt $dir is a file, not a folder; pass a folder"
    [[ -w "$dir" ]] || sc_die "$opt $dir is not writable; pass a folder you can write to"
    return 0
  fi
  up="$(dirname "$dir")"
  while [[ ! -e "$up" ]]; do up="$(dirname "$up")"; done
  [[ -d "$up" ]] || sc_die "cannot create $opt $dir: $up is a file, not a folder"
  [[ -w "$up" ]] || sc_die "cannot create $opt $dir: $up is not writable; pass a folder you can write to"
}

# Builds the modules (no tests) when never built or when a source or pom changed since.
sc_build() {
  # Tests note here that a build was asked for (bad arguments must never get this far).
  [[ -z "${SC_BUILD_TRACE:-}" ]] || echo "$SC_SCRIPT" >>"$SC_BUILD_TRACE"
  # Tests that run the scripts from inside a Maven build use the classes that build just made.
  if [[ "${SC_SKIP_BUILD:-0}" == 1 ]]; then
    [[ -f "$SC_ROOT/node/target/classpath.txt" ]] \
      || sc_die "SC_SKIP_BUILD=1 but nothing is built ($SC_ROOT/node/target/classpath.txt is missing); run without SC_SKIP_BUILD to build"
    return 0
  fi
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
  if [[ -f "$SC_ROOT/sim/target/classpath.txt" ]]; then
    # Only the jars not already there (the sim's dependencies are mostly the node's).
    cp="$SC_ROOT/sim/target/classes:$cp:$(tr ':' '\n' <"$SC_ROOT/sim/target/classpath.txt" | grep -v '/stack-companion-' \
      | awk -v have="$cp" 'BEGIN { n = split(have, h, ":"); for (i = 1; i <= n; i++) seen[h[i]] = 1 } !seen[$0]++' | paste -sd:)"
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

# sc_cpu_sample BASE: "<wall ns> <nodes> <JIT compilers> <recorder>": the CPU ticks so far of the
# pool's running nodes (whole processes), of their JIT compiler threads and of their recorder threads
# (the ones moving journal segments into RocksDB), read in one pass so two pools are sampled within
# milliseconds of each other.
sc_cpu_sample() {
  local files=() f pid
  for f in "$1"/run/*.pid; do
    pid="$(cat "$f" 2>/dev/null)" || continue
    [[ -r "/proc/$pid/stat" ]] && files+=("/proc/$pid/stat" /proc/"$pid"/task/*/stat)
  done
  printf '%s ' "$(date +%s%N)"
  # A stat line is "pid (name) state ...": the name may hold spaces; utime and stime are the 12th
  # and 13th fields after it. A process's line counts its threads, finished ones too.
  awk 'FNR == 1 {
         close_at = 0; for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { close_at = i; break }
         name = substr($0, index($0, "(") + 1, close_at - index($0, "(") - 1)
         n = split(substr($0, close_at + 2), f, " "); ticks = f[12] + f[13]
         if (FILENAME !~ /\/task\//) nodes += ticks
         else if (name ~ /^C[12] CompilerThre/) jit += ticks
         else if (name ~ /^recorder-ingest/) rec += ticks
       }
       END { printf "%d %d %d\n", nodes, jit, rec }' "${files[@]}" 2>/dev/null || echo "0 0 0"
}

# sc_warmup_loads N: the sizes of the loads a warm-up of N requests is sent as, one per line: at
# most 20,000 each, the odd remainder first, so the last is a full load (bench.sh and compare.sh
# calibrate from it). Each load is a fresh load.sh, as the measured loads are (new client
# connections, the same keys written again): after one long load, each later load's first seconds
# deoptimised what the JIT had compiled (README "Speed", lever 1).
sc_warmup_loads() {
  local left="$1" n
  while ((left > 0)); do
    n=$((left % 20000))
    ((n > 0)) || n=20000
    echo "$n"
    left=$((left - n))
  done
}
