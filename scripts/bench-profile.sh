#!/usr/bin/env bash
# CPU profile of Switchboard at saturation (small chat completions), with async-profiler, on 127.0.0.1 only.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/bench-profile.sh [--seconds N] [--out FILE.html] [--jar JAR] [--body FILE] [--alloc]

Starts the benchmark's fast backend (nginx answering a fixed chat.completion) and Switchboard
(scripts/run.sh's JVM flags, CPU 1), warms Switchboard up with wrk (32 connections, until its JIT
threads are quiet), then profiles N seconds (default 20) of wrk at 32 connections from CPU 0 with
async-profiler (event=cpu, 1 ms interval), attached by scripts/bench/ProfilerAttach.java. Writes the flame
graph (HTML) to FILE (default docs/profile-small-chat.html) and prints the top frames by self time
and by library, and wrk's figures with Switchboard's CPU time per request. --body FILE: each
request's body is FILE (a chat completion for model "fast"; e.g. an agent's ~100 KB context) instead
of a one-word chat. --alloc: profiles where the heap is allocated instead (event=alloc, a sample
every 64 KB; the flame graph and stacks weigh bytes; default FILE docs/profile-small-chat-alloc.html)
and prints the bytes allocated per request (jstat: eden used and young collections).

async-profiler comes from Maven Central (tools.profiler:async-profiler:4.2, classifier linux-x64,
with its native library): taken from ~/.m2 when there, else fetched with mvn dependency:get.
Needs: a JDK 17+, wrk, nginx, taskset, mvn (once). Debian: apt-get install wrk nginx.
EOF
}

seconds=20
body_file=""
alloc=""
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=""
jar="$repo_root/target/switchboard.jar"
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --seconds) seconds="$2"; shift ;;
    --out) out="$2"; shift ;;
    --jar) jar="$2"; shift ;;
    --body) body_file="$(realpath "$2")"; shift ;;
    --alloc) alloc=1 ;;
    *) echo "bench-profile: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$out" ]] || out="$repo_root/docs/profile-small-chat${alloc:+-alloc}.html"
[[ "$out" == /* ]] || out="$(pwd)/$out"
say() { printf 'bench-profile: %s\n' "$*" >&2; }
die() { printf 'bench-profile: FAIL: %s\n' "$*" >&2; exit 1; }
for t in java javac wrk nginx taskset; do
  command -v "$t" >/dev/null 2>&1 || { echo "bench-profile: $t is not installed (see --help)" >&2; exit 2; }
done
[[ -f "$jar" ]] || die "$jar is missing: mvn -B -q -DskipTests package"

ap_version=4.2
ap_jar="$HOME/.m2/repository/tools/profiler/async-profiler/$ap_version/async-profiler-$ap_version-linux-x64.jar"
if [[ ! -f "$ap_jar" ]]; then
  say "fetching async-profiler $ap_version from Maven Central..."
  mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$ap_version:jar:linux-x64" >&2 \
    || die "mvn dependency:get tools.profiler:async-profiler:$ap_version:jar:linux-x64 failed"
fi

# shellcheck source=scripts/bench/processes.sh
source "$repo_root/scripts/bench/processes.sh"
# shellcheck source=scripts/bench/nginx.sh
source "$repo_root/scripts/bench/nginx.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/switchboard-profile.XXXXXX")"
pids=()
cleanup() {
  stop_pids
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
(cd "$work" && unzip -q -o "$ap_jar" 'linux-x64/*') || die "cannot unpack $ap_jar"
lib="$work/linux-x64/libasyncProfiler.so"
javac -nowarn -d "$work/classes" "$repo_root/scripts/bench/ProfilerAttach.java" || die "javac failed"
profiler() { java -cp "$work/classes" ProfilerAttach "$sb_pid" "$lib" "$1"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
p_backend="$(free_port)"; p_sb="$(free_port)"
fast_backend_conf "$work/nginx" "$p_backend"
taskset -c 1 nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
pids+=($!)
key=sk-bench
cat >"$work/switchboard.yaml" <<EOF
model_list:
  - model_name: fast
    litellm_params: {model: openai/bench, api_base: "http://127.0.0.1:$p_backend/v1", api_key: none}
general_settings:
  master_key: $key
  background_health_checks: false
EOF
java_opts="$(sed -n 's/^default_java_opts="\(.*\)"$/\1/p' "$repo_root/scripts/run.sh")"
# shellcheck disable=SC2086
taskset -c 1 java $java_opts -jar "$jar" --config "$work/switchboard.yaml" --host 127.0.0.1 --port "$p_sb" \
  >"$work/switchboard.log" 2>&1 &
sb_pid=$!
pids+=("$sb_pid")
url="http://127.0.0.1:$p_sb/v1/chat/completions"
for _ in $(seq 200); do
  code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"model":"fast","messages":[{"role":"user","content":"ping"}]}' "$url" || true)"
  [[ "$code" == 200 ]] && break
  sleep 0.1
done
[[ "$code" == 200 ]] || die "Switchboard does not answer (HTTP $code; log: $work/switchboard.log)"
if [[ -n "$body_file" ]]; then
  body_lua="local f = assert(io.open(\"$body_file\", \"rb\")); wrk.body = f:read(\"*a\"); f:close()"
else
  body_lua="wrk.body = '{\"model\":\"fast\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}'"
fi
cat >"$work/post.lua" <<EOF
wrk.method = "POST"
$body_lua
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
EOF
ticks() { awk '{ sub(/^[0-9]+ \(.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "/proc/$sb_pid/stat"; }
jit_ticks() {
  local t n=0
  for t in /proc/"$sb_pid"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in
      C1\ * | C2\ *) n=$(( n + $(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null || echo 0) )) ;;
    esac
  done
  echo "$n"
}
say "warm-up: wrk at 32 connections in 5 s slices until the JIT threads are quiet (at most 90 s)..."
for i in $(seq 18); do
  j0="$(jit_ticks)"
  taskset -c 0 wrk -t1 -c32 -d5s -s "$work/post.lua" "$url" >/dev/null
  [[ "$i" -ge 3 && $(( $(jit_ticks) - j0 )) -lt 28 ]] && break
done
say "profiling ${seconds} s of wrk at 32 connections..."
if [[ -n "$alloc" ]]; then
  profiler start,event=alloc,alloc=64k || die "cannot attach async-profiler"
  weigh=",total" # bytes, not samples
else
  profiler start,event=cpu,interval=1ms || die "cannot attach async-profiler"
  weigh=""
fi
# Eden in use and young collections so far (jstat -gc: EC, EU, YGC): what the requests allocated.
eden() { jstat -gc "$sb_pid" | awk 'NR == 2 { print $5, $6, $13 }'; }
[[ -n "$alloc" ]] && read -r ec0 eu0 ygc0 <<<"$(eden)"
t0="$(ticks)"
wrk_out="$(taskset -c 0 wrk -t1 -c32 -d"${seconds}s" -s "$work/post.lua" "$url")"
t1="$(ticks)"
[[ -n "$alloc" ]] && read -r _ eu1 ygc1 <<<"$(eden)"
profiler "stop,file=$work/flame.html$weigh" || die "cannot stop async-profiler"
profiler "dump,collapsed$weigh,file=$work/collapsed.txt" || true
mkdir -p "$(dirname "$out")"
cp "$work/flame.html" "$out"
n="$(awk '/requests in/ { print $1 }' <<<"$wrk_out")"
echo "$wrk_out"
awk -v d="$(( t1 - t0 ))" -v n="$n" -v hz="$(getconf CLK_TCK)" \
  'BEGIN { printf "Switchboard CPU time per request: %.1f us (%d requests)\n", d * 1e6 / hz / n, n }'
if [[ -n "$alloc" ]]; then
  awk -v ec="$ec0" -v eu0="$eu0" -v eu1="$eu1" -v g="$(( ygc1 - ygc0 ))" -v n="$n" \
    'BEGIN { printf "Switchboard allocated per request: %.1f KB (%d young collections)\n", (g * ec + eu1 - eu0) / n, g }'
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
say "flame graph: $out"
if [[ -s "$work/collapsed.txt" ]]; then
  cp "$work/collapsed.txt" "${out%.html}.collapsed.txt"
  say "collapsed stacks: ${out%.html}.collapsed.txt"
fi
