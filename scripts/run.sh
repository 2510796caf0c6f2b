#!/usr/bin/env bash
# Run Switchboard from a checkout: build the jar when needed, then exec java.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$repo_root/target/switchboard.jar"

usage() {
  cat <<EOF
Usage: scripts/run.sh [switchboard options...]

Builds target/switchboard.jar if it is missing or older than pom.xml or src/
(mvn -B -q package -DskipTests, in $repo_root), then runs
  java \$JAVA_OPTS -jar target/switchboard.jar --config "\$CONFIG" [switchboard options...]

Environment:
  CONFIG     config file (default: $repo_root/config.yaml); ignored when you pass --config
  JAVA_OPTS  JVM flags (default: $default_java_opts)
             set JAVA_OPTS="" for none
  SWITCHBOARD_CDS  0: no class-data sharing archive (default: target/switchboard.jsa, written at
             the first run's exit and used from then on; it halves the start-up time)

Switchboard's own options (--host, --port, --cluster, --env-file, --log-format, --check-config,
--version, ...): java -jar target/switchboard.jar --help
EOF
}

# Small-footprint defaults for a proxy that shares the machine with the models it fronts:
#  -XX:+UseSerialGC          no GC threads, least native memory; a proxy's heap is small and mostly
#                            short-lived garbage, so pauses are a few ms: invisible next to an LLM call.
#  -XX:MaxRAMPercentage=25   a ceiling, not a reservation (the heap grows only as needed); it follows
#                            a container's memory limit when there is one.
#  -Xmn32m                   a fixed 32 MB young generation. Without it the young generation is a third
#                            of the initial heap (1/64 of RAM: 128 MB on a 24 GB box), every page of
#                            which the allocation of short-lived garbage touches, so RSS sits ~100 MB
#                            above what the live heap (~20-35 MB with 1000 open streams) needs; young
#                            collections of a few MB of survivors stay well under a millisecond
#                            (docs/benchmarks.md).
#  -XX:+ExitOnOutOfMemoryError  die cleanly and let the supervisor restart, rather than limp on.
#  -XX:TrimNativeHeapInterval=5000  every 5 s, hand the C library's free memory back to the system (what
#                            the JIT compilers used and let go of, most of it): ~20 MB less RSS with
#                            1000 streams held, no measurable cost (docs/benchmarks.md). A JDK 17 older
#                            than 17.0.9 does not know the flag: -XX:+IgnoreUnrecognizedVMOptions lets it
#                            start without (it must come first, and applies to these defaults only); the
#                            first updates that know it call it experimental, hence the unlock.
default_java_opts="-XX:+IgnoreUnrecognizedVMOptions -XX:+UnlockExperimentalVMOptions -XX:+UseSerialGC -XX:MaxRAMPercentage=25 -Xmn32m -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=5000"

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
esac

if ! command -v java >/dev/null 2>&1; then
  echo "run: java is not installed or not on PATH (Java 17 or newer is needed)" >&2
  exit 1
fi

# Build when the jar is missing or anything it is made from is newer.
needs_build=""
if [[ ! -f "$jar" ]]; then
  needs_build="missing"
elif [[ -n "$(find "$repo_root/pom.xml" "$repo_root/src" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
  needs_build="older than the sources"
fi
if [[ -n "$needs_build" ]]; then
  if command -v mvn >/dev/null 2>&1; then
    echo "run: target/switchboard.jar is $needs_build: building (mvn -B -q package -DskipTests)..." >&2
    (cd "$repo_root" && mvn -B -q package -DskipTests)
  elif [[ -f "$jar" ]]; then
    echo "run: warning: target/switchboard.jar is older than the sources, but mvn is not installed: running it as it is" >&2
  else
    echo "run: target/switchboard.jar is missing and mvn (Maven) is not installed to build it" >&2
    exit 1
  fi
fi

# --config given on the command line wins over $CONFIG.
args=("$@")
has_config=""
for arg in "$@"; do
  case "$arg" in
    --config|--config=*) has_config=1 ;;
  esac
done
if [[ -z "$has_config" ]]; then
  args=(--config "${CONFIG:-$repo_root/config.yaml}" ${args[@]+"${args[@]}"})
fi

# JAVA_OPTS is a space-separated list of flags (word-split on purpose, without globbing).
read -r -a java_opts <<<"${JAVA_OPTS-$default_java_opts}"

# Class-data sharing for the application's own classes (AppCDS): the first run archives the classes
# it loaded into target/switchboard.jsa when it exits; later runs map them instead of loading and
# verifying ~6,000 classes again, which halves the start-up on a small machine (docs/benchmarks.md).
# A rebuilt jar gets a new archive at the next exit. SWITCHBOARD_CDS=0 turns this off.
# A run that ends before the server starts (a config error, --check-config, --help) also writes one at
# its exit, with the few hundred classes loaded by then (~2.5 MB, against ~25 MB after serving): it saves
# nothing, so an archive under 8 MB is recorded again rather than kept until the next build.
jsa="${jar%.jar}.jsa"
cds_opts=()
if [[ "${SWITCHBOARD_CDS:-1}" != "0" ]]; then
  if [[ -f "$jsa" && "$jsa" -nt "$jar" && "$(wc -c <"$jsa")" -ge 8000000 ]]; then
    cds_opts=("-XX:SharedArchiveFile=$jsa")
  elif [[ -w "$(dirname "$jar")" ]]; then
    rm -f "$jsa"
    # -Xlog:cds=off: the dump lists every class it could not archive, which is not worth a log line.
    cds_opts=("-XX:ArchiveClassesAtExit=$jsa" "-Xlog:cds=off" "-Xlog:cds+dynamic=off")
  fi
fi

exec java ${java_opts[@]+"${java_opts[@]}"} ${cds_opts[@]+"${cds_opts[@]}"} -jar "$jar" ${args[@]+"${args[@]}"}
