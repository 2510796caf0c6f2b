#!/usr/bin/env bash
# Benchmark: Switchboard next to a direct backend, nginx hops (the keep-alive one is the floor), a bare
# Vert.x hop (the stack's floor) and the peer gateways (LiteLLM, Portkey; Bifrost where it installs),
# on 127.0.0.1 only.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/bench.sh [--quick] [--no-doc] [--doc FILE] [--keep] [--no-peers]

Measures what Switchboard adds on top of its backend, side by side with the backend reached
directly ("direct"), through an nginx hop that keeps its upstream connections alive ("nginx":
upstream keepalive 64, proxy_http_version 1.1, Connection ""; THE FLOOR every ratio is taken
against), through nginx's default proxy_pass ("nginxcpr": HTTP/1.0, a connection per request),
and through the peer gateways, each started the way its users start it, on the same CPU, the
same fake backends and the same requests: the LiteLLM proxy (PyPI, the version compat/ pins, no
database; its default workers, "litellm", and --num_workers 1, "litellm1"), the Portkey gateway
(npm @portkey-ai/gateway, pinned) and Bifrost (go install of its HTTP transport, pinned). A peer
that cannot be installed or started is a skipped row with the reason. And the stack's own floor:
a bare Vert.x 5 hop (scripts/bench/VertxHop.java, Switchboard's JVM flags, nothing of
Switchboard's in it), direct ("vertx") and across the local event bus ("vertxbus"), in the plain
measurements (sequential, ~100 KB body, saturation). Everything on 127.0.0.1:

  start-up      exec to the first answered chat completion (3 starts)
  sequential    ~1000 requests at concurrency 1, per target, interleaved; p50/p99 minus direct;
                then after 40 ms of idle each, and with a ~100 KB body (an agent's context)
  fixed rate    300 req/s on 16 connections, timed from each request's intended start
                (no coordinated omission); p50/p99 minus direct, compared with nginx's
  saturation    wrk at 32 and 256 connections; req/s as a ratio to the keep-alive nginx hop, and
                CPU time per request of every target's process tree (/proc/PID/stat utime+stime
                over the wrk run, divided by the requests it completed)
  Ollama        sequential requests to an ollama_chat/ model (native /api/chat translation)
  front doors   chat completions, Anthropic Messages and OpenAI Responses on Switchboard, one
                model: sequential plain requests and streams, interleaved
  streaming     sequential 20-chunk streams (a chunk every 2 ms): added time to first chunk,
                added total time, and how late each chunk arrives (coalescing shows here)
  held streams  1000 concurrent 20-chunk streams held ~30 s on a slow backend (a chunk every
                1.5 s), three times: all complete? p99 added chunk delay, RSS and live heap
  memory        Switchboard's RSS idle (at start, after load) and peak under load

Warm-up first (until Switchboard's JIT compiler is quiet: on one CPU that takes up to a minute),
then rounds that alternate the targets, so the spread between rounds shows the noise. The load
generator runs on CPU 0, the backends and proxies on CPU 1 (taskset), as the reference
measurements in issue 9 did (BENCH_LOAD_CPU / BENCH_SERVER_CPU change that). Switchboard is
started by scripts/run.sh, with its JVM flags and class-data sharing archive (JAVA_OPTS and
SWITCHBOARD_CDS=0 change them, as there). The CPU time other processes used during the run is
measured and written next to the figures: on a shared machine it is the main source of noise.

Prints a table, compares it with the targets and with the previous run recorded in the doc, and
rewrites the generated part of docs/benchmarks.md (between its bench:results markers) with the
figures, the machine's description and the date. About 16-20 minutes; --quick: about 4 minutes,
short and noisy, for trying the script (the doc is then left alone unless --doc is given).

Options:
  --quick      short runs (fewer requests, 200 held streams of 6 s)
  --no-doc     print only; do not touch the doc
  --doc FILE   write to FILE instead of docs/benchmarks.md
  --keep       keep the work directory (configs, logs, raw results) and print where it is
  --no-peers   leave the peer gateways out (they are then listed as skipped)

Needs: java 17+ (with javac, jcmd, jstat), wrk, nginx, taskset, curl (wrk and nginx are installed
with apt-get when missing and this runs as root; else: apt-get install wrk nginx); mvn only when
target/switchboard.jar has to be built. The peers are installed once under BENCH_PEERS_DIR
(default ~/.cache/switchboard-bench): python3 with venv for LiteLLM, npm for Portkey, go for Bifrost;
a peer whose tool or package is missing is skipped with the reason.

Exit status: 0 measured (whether or not targets were met), 1 a step failed, 2 usage error or a
missing tool.
EOF
}

quick=""
doc=""
no_doc=""
keep=""
no_peers=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --quick) quick=1 ;;
    --no-doc) no_doc=1 ;;
    --doc) [[ $# -ge 2 ]] || { echo "bench: --doc needs a file (see --help)" >&2; exit 2; }; doc="$2"; shift ;;
    --keep) keep=1 ;;
    --no-peers) no_peers=1 ;;
    *) echo "bench: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$repo_root/target/switchboard.jar"
tools_src="$repo_root/scripts/bench"
if [[ -z "$doc" && -z "$quick" ]]; then
  doc="$repo_root/docs/benchmarks.md"
fi
[[ -n "$no_doc" ]] && doc=""
[[ -z "$doc" || "$doc" == /* ]] || doc="$(pwd)/$doc"

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: FAIL: %s\n' "$*" >&2; exit 1; }

# ---- tools ----
need() {  # need TOOL HOW-TO-GET-IT
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "bench: FAIL: $1 is not installed or not on PATH ($2)" >&2
    exit 2
  fi
}
need java "Java 17 or newer, a JDK: apt-get install openjdk-17-jdk-headless"
need javac "a JDK, not only a JRE: apt-get install openjdk-17-jdk-headless"
need jcmd "a JDK, not only a JRE: apt-get install openjdk-17-jdk-headless"
need jstat "a JDK, not only a JRE: apt-get install openjdk-17-jdk-headless"
# wrk and nginx from Debian's packages: installed here when missing and this is root with apt-get.
for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing $tool (apt-get install -y $tool)..."
    { apt-get install -y -q "$tool" || { apt-get update -q && apt-get install -y -q "$tool"; }; } >&2 \
      || say "warning: apt-get install $tool failed"
  fi
done
need wrk "apt-get install wrk"
need nginx "apt-get install nginx"
need taskset "apt-get install util-linux"
need curl "apt-get install curl"

load_cpu="${BENCH_LOAD_CPU:-0}"
server_cpu="${BENCH_SERVER_CPU:-1}"
if [[ "$(nproc)" -lt 2 && -z "${BENCH_SERVER_CPU:-}" ]]; then
  say "warning: one CPU only: load generator and servers share it"
  server_cpu="$load_cpu"
fi
on_load() { taskset -c "$load_cpu" "$@"; }

# ---- the jar, as scripts/run.sh builds it ----
if [[ ! -f "$jar" ]] || [[ -n "$(find "$repo_root/pom.xml" "$repo_root/src" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
  need mvn "Maven, to build target/switchboard.jar: apt-get install maven"
  say "building target/switchboard.jar (mvn -B -q package -DskipTests)..."
  (cd "$repo_root" && mvn -B -q package -DskipTests) || die "the build failed"
fi
# Switchboard runs through scripts/run.sh: the JVM flags it recommends (JAVA_OPTS overrides them,
# as there) and its class-data sharing archive (SWITCHBOARD_CDS=0 turns that off, as there).
default_java_opts="$(sed -n 's/^default_java_opts="\(.*\)"$/\1/p' "$repo_root/scripts/run.sh")"
sb_java_opts="${JAVA_OPTS-$default_java_opts}"

# ---- work directory and cleanup: only what this script started, by pid ----
# shellcheck source=scripts/bench/processes.sh
source "$repo_root/scripts/bench/processes.sh"
# shellcheck source=scripts/bench/nginx.sh
source "$repo_root/scripts/bench/nginx.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench.XXXXXX")"
pids=()
cleanup() {
  stop_pids
  if [[ -n "$keep" ]]; then
    say "work directory kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
results="$work/results.tsv"
: >"$results"
record() { printf '%s\t%s\n' "$1" "$2" >>"$results"; }

say "compiling the load generator and the fake backend..."
javac -nowarn -cp "$jar" -d "$work/classes" "$tools_src"/*.java || die "javac failed on $tools_src"
cp_tools="$work/classes:$jar"
loadgen() { on_load java -XX:+UseSerialGC -Xss512k -cp "$work/classes" LoadGen "$@"; }

# How busy the rest of the machine was during the run: all CPU time the kernel counted (/proc/stat)
# minus this script's own and its children's (utime+stime+cutime+cstime of $$, children reaped),
# in % of all CPUs. The figures of a run on a busy machine are noisier, and the doc says so.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
own_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$$/stat"; }
run_t0="$(date +%s.%N)"
machine_t0="$(machine_ticks)"
own_t0="$(own_ticks)"
record machine.load_before "$(cut -d' ' -f1-3 /proc/loadavg)"

read -r p_direct p_nginx_backend p_nginxcpr p_sb p_start p_nginx p_litellm p_litellm1 p_portkey p_vertx p_vertxbus \
  < <(loadgen ports 11 | tr "\n" " "; echo)

# ---- fake backends ----

# Started without a wrapper function, so that $! is the server's own pid (taskset execs it).
taskset -c "$server_cpu" java -XX:+UseSerialGC -cp "$cp_tools" FakeBackend "$p_direct" >"$work/fake-backend.log" 2>&1 &
pids+=($!)

wait_port() {  # wait_port PORT WHAT
  for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    sleep 0.05
  done
  die "$2 did not listen on 127.0.0.1:$1 within 15 s (logs: $work)"
}

# The fast backend: a fixed chat.completion, one worker.
fast_backend_conf "$work/nginx-backend" "$p_nginx_backend"
# The floor: the hop anyone would configure, upstream connections kept alive. Streams go to the Java
# backend with buffering off, the one directive SSE needs.
ka='proxy_http_version 1.1; proxy_set_header Connection "";'
nginx_conf "$work/nginx-hop" "$p_nginx" \
  "  upstream fast { server 127.0.0.1:$p_nginx_backend; keepalive 64; }
  upstream streams { server 127.0.0.1:$p_direct; keepalive 64; }" \
  "    location / { proxy_pass http://fast; $ka }
    location /c { proxy_pass http://streams; $ka proxy_buffering off; }"
# The second row: nginx's default proxy_pass (HTTP/1.0 upstream, a connection per request).
nginx_conf "$work/nginx-hop-cpr" "$p_nginxcpr" "" \
  "    location / { proxy_pass http://127.0.0.1:$p_nginx_backend; }
    location /c { proxy_pass http://127.0.0.1:$p_direct; proxy_buffering off; }"
declare -A tpid   # target name -> the pid whose process tree serves it (CPU time per request)
for d in nginx-backend nginx-hop nginx-hop-cpr; do
  taskset -c "$server_cpu" nginx -p "$work/$d" -c "$work/$d/nginx.conf" -e "$work/$d/error.log" >"$work/$d.log" 2>&1 &
  pids+=($!)
  case "$d" in nginx-backend) tpid[direct]=$! ;; nginx-hop) tpid[nginx]=$! ;; nginx-hop-cpr) tpid[nginxcpr]=$! ;; esac
done
wait_port "$p_nginx_backend" "nginx (backend)"
wait_port "$p_nginx" "nginx (keep-alive hop)"
wait_port "$p_nginxcpr" "nginx (connection-per-request hop)"
fast_backend="$p_nginx_backend"
wait_port "$p_direct" "the fake backend"

# The stack's floor (scripts/bench/VertxHop.java): the least a Vert.x 5 proxy does, with Switchboard's JVM
# flags and nothing of Switchboard's in it; once direct, once across the local event bus as Switchboard's
# request crosses it. What Switchboard costs above the second is its own work, not the stack's or the shape's.
for v in vertx vertxbus; do
  port="$p_vertx"; bus=()
  [[ "$v" == vertxbus ]] && { port="$p_vertxbus"; bus=(--bus); }
  # shellcheck disable=SC2086
  taskset -c "$server_cpu" java $sb_java_opts -cp "$cp_tools" VertxHop "$port" "$fast_backend" ${bus[@]+"${bus[@]}"} \
    >"$work/$v.log" 2>&1 &
  pids+=($!); tpid[$v]=$!
  wait_port "$port" "the Vert.x hop ($v)"
done

# ---- Switchboard ----
if [[ -n "$quick" ]]; then hold_chunks=4; hold_interval=1000; hold_streams=200; else hold_chunks=20; hold_interval=1500; hold_streams=1000; fi
key="sk-bench"
cat >"$work/switchboard.yaml" <<EOF
model_list:
  - model_name: fast
    litellm_params: {model: openai/bench, api_base: "http://127.0.0.1:$fast_backend/v1", api_key: none}
  - model_name: fast-group          # two deployments of one backend: what choosing one costs
    litellm_params: {model: openai/bench, api_base: "http://127.0.0.1:$fast_backend/v1", api_key: none}
    model_info: {id: fast-group-1}
  - model_name: fast-group
    litellm_params: {model: openai/bench, api_base: "http://127.0.0.1:$fast_backend/v1", api_key: none}
    model_info: {id: fast-group-2}
  - model_name: stream
    litellm_params: {model: openai/bench, api_base: "http://127.0.0.1:$p_direct/c20i2/v1", api_key: none}
  - model_name: slow
    litellm_params: {model: openai/bench, api_base: "http://127.0.0.1:$p_direct/c${hold_chunks}i${hold_interval}/v1", api_key: none}
  - model_name: ollama              # Ollama's native /api/chat: the translation path
    litellm_params: {model: ollama_chat/bench, api_base: "http://127.0.0.1:$p_direct"}
general_settings:
  master_key: $key
  background_health_checks: false
switchboard_settings:
  shutdown_grace: 2
EOF
sb_cmd() {  # sb_cmd PORT: sets sb_argv, the command that runs Switchboard on CPU $server_cpu
  sb_argv=(taskset -c "$server_cpu" "$repo_root/scripts/run.sh"
    --config "$work/switchboard.yaml" --host 127.0.0.1 --port "$1")
}
url_direct="http://127.0.0.1:$fast_backend/v1/chat/completions"
url_nginx="http://127.0.0.1:$p_nginx/v1/chat/completions"
url_nginxcpr="http://127.0.0.1:$p_nginxcpr/v1/chat/completions"
url_sb="http://127.0.0.1:$p_sb/v1/chat/completions"
url_vertx="http://127.0.0.1:$p_vertx/v1/chat/completions"
url_vertxbus="http://127.0.0.1:$p_vertxbus/v1/chat/completions"

say "start-up: 3 starts (after one not counted), exec to the first answered request..."
sb_cmd "$p_start"
# The first start is not counted: it warms the page cache, and writes run.sh's class-data sharing
# archive when there is none yet (at its exit).
loadgen startup --n 1 --url "http://127.0.0.1:$p_start/v1/chat/completions" --key "$key" \
  --log "$work/switchboard-startup.log" -- "${sb_argv[@]}" >/dev/null || die "Switchboard does not start (log: $work/switchboard-startup.log)"
loadgen startup --n 3 --url "http://127.0.0.1:$p_start/v1/chat/completions" --key "$key" \
  --log "$work/switchboard-startup.log" -- "${sb_argv[@]}" >>"$results" || die "start-up measurement failed (log: $work/switchboard-startup.log)"

# ---- the peer gateways: installed once under $peers_dir, started the way their users start them ----
peers_dir="${BENCH_PEERS_DIR:-$HOME/.cache/switchboard-bench}"
litellm_pins="$repo_root/compat/requirements.txt"    # the LiteLLM version the compatibility harness pins
portkey_version="1.15.2"
bifrost_module="github.com/maximhq/bifrost/transports/bifrost-http"
bifrost_version="v1.3.0"
skip() {  # skip TARGET REASON: a row of its own in the report, never a silent omission
  record "skip.$1" "$2"
  say "skipped $1: $2"
}
last_error() { grep -iE 'error|fail|refused|forbidden|not ' "$1" 2>/dev/null | tail -n 1 | cut -c1-240; }
peers=()
start_litellm() {
  local bin="$peers_dir/litellm/bin/litellm" log="$peers_dir/litellm-install.log"
  if [[ ! -x "$bin" ]]; then
    command -v python3 >/dev/null 2>&1 || { skip litellm "python3 is not installed"; return; }
    say "installing the LiteLLM proxy ($(grep -m1 '^litellm' "$litellm_pins"), as compat/ pins it) into $peers_dir/litellm..."
    mkdir -p "$peers_dir"
    if ! { python3 -m venv "$peers_dir/litellm" && "$peers_dir/litellm/bin/pip" install -q --disable-pip-version-check \
        -r "$litellm_pins" -c "$repo_root/compat/constraints.txt"; } >"$log" 2>&1; then
      rm -rf "$peers_dir/litellm"
      skip litellm "pip install failed: $(last_error "$log")"; return
    fi
  fi
  # LiteLLM reads the same config (Switchboard's own section left out); no database. Its default is one
  # uvicorn worker (DEFAULT_NUM_WORKERS_LITELLM_PROXY), so "--num_workers 1" is the same command line.
  grep -v -e '^switchboard_settings:' -e '^  shutdown_grace:' "$work/switchboard.yaml" >"$work/litellm.yaml"
  LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_MODE=PRODUCTION NO_PROXY=127.0.0.1 no_proxy=127.0.0.1 \
    taskset -c "$server_cpu" "$bin" --config "$work/litellm.yaml" --host 127.0.0.1 --port "$p_litellm" \
    >"$work/litellm.log" 2>&1 &
  pids+=($!); tpid[litellm]=$!
  peers+=(litellm)
}
start_portkey() {
  local js="$peers_dir/portkey/node_modules/@portkey-ai/gateway/build/start-server.js" log="$peers_dir/portkey-install.log"
  if [[ ! -f "$js" ]]; then
    command -v npm >/dev/null 2>&1 || { skip portkey "npm (Node.js) is not installed"; return; }
    say "installing the Portkey gateway (@portkey-ai/gateway@$portkey_version) into $peers_dir/portkey..."
    mkdir -p "$peers_dir/portkey"
    if ! (cd "$peers_dir/portkey" && { [[ -f package.json ]] || npm init -y >/dev/null; } \
        && npm install --no-audit --no-fund "@portkey-ai/gateway@$portkey_version") >"$log" 2>&1; then
      skip portkey "npm install failed: $(last_error "$log")"; return
    fi
  fi
  # As `npx @portkey-ai/gateway` runs it (its bin), without the console UI.
  taskset -c "$server_cpu" node "$js" --port="$p_portkey" --headless >"$work/portkey.log" 2>&1 &
  pids+=($!); tpid[portkey]=$!
  peers+=(portkey)
}
start_bifrost() {
  local bin="$peers_dir/go-bin/bifrost-http" log="$peers_dir/bifrost-install.log"
  if [[ ! -x "$bin" ]]; then
    command -v go >/dev/null 2>&1 || { skip bifrost "go is not installed"; return; }
    say "installing Bifrost ($bifrost_module@$bifrost_version) with go install..."
    if ! GOBIN="$peers_dir/go-bin" timeout 300 go install "$bifrost_module@$bifrost_version" >"$log" 2>&1; then
      skip bifrost "go install $bifrost_module@$bifrost_version failed: the Go module proxy reached from here \
serves no version of it ($(last_error "$log" | sed 's/.*: //'))"; return
    fi
  fi
  skip bifrost "installed, but this script does not configure it yet"
}
if [[ -n "$no_peers" ]]; then
  for t in litellm portkey bifrost; do skip "$t" "--no-peers"; done
else
  start_litellm; start_portkey; start_bifrost
fi

sb_cmd "$p_sb"
"${sb_argv[@]}" >"$work/switchboard.log" 2>&1 &
sb_pid=$!   # taskset execs run.sh, which execs java: the same pid
pids+=("$sb_pid"); tpid[sb]=$sb_pid
wait_port "$p_sb" "Switchboard"
for _ in $(seq 100); do
  code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"model":"fast","messages":[{"role":"user","content":"ping"}]}' "$url_sb" || true)"
  [[ "$code" == "200" ]] && break
  sleep 0.1
done
[[ "$code" == "200" ]] || die "Switchboard does not answer (HTTP $code; log: $work/switchboard.log)"

# A peer is a target once it answers the fast model with a 200 (LiteLLM takes ~10-30 s to start).
# Portkey routes by headers: the provider and the backend's base URL ride on each request.
portkey_hdr() { echo "|x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:$1"; }
declare -A peer_url peer_stream peer_ollama
peer_url[litellm]="http://127.0.0.1:$p_litellm/v1/chat/completions"
peer_stream[litellm]="http://127.0.0.1:$p_litellm/v1/chat/completions#stream"
peer_ollama[litellm]="http://127.0.0.1:$p_litellm/v1/chat/completions#ollama"
peer_url[portkey]="http://127.0.0.1:$p_portkey/v1/chat/completions$(portkey_hdr "$fast_backend/v1")"
peer_stream[portkey]="http://127.0.0.1:$p_portkey/v1/chat/completions$(portkey_hdr "$p_direct/c20i2/v1")"
ready_peers=()
for t in ${peers[@]+"${peers[@]}"}; do
  IFS='|' read -r -a parts <<<"${peer_url[$t]}"
  hdrs=(); for h in "${parts[@]:1}"; do hdrs+=(-H "$h"); done
  code=000
  for _ in $(seq 240); do
    kill -0 "${tpid[$t]}" 2>/dev/null || break
    code="$(curl -s -o "$work/$t.first" -w '%{http_code}' -m 10 -H "Authorization: Bearer $key" \
      -H 'Content-Type: application/json' ${hdrs[@]+"${hdrs[@]}"} \
      -d '{"model":"fast","messages":[{"role":"user","content":"ping"}]}' "${parts[0]}" 2>/dev/null || true)"
    [[ "$code" == "200" ]] && break
    sleep 0.5
  done
  if [[ "$code" == "200" ]]; then
    ready_peers+=("$t")
  else
    skip "$t" "did not answer a chat completion with 200 within 120 s (HTTP $code; $(tail -c 200 "$work/$t.first" 2>/dev/null | tr '\n' ' '); log: $(tail -n 2 "$work/$t.log" 2>/dev/null | tr '\n' ' ' | cut -c1-200))"
    kill "${tpid[$t]}" 2>/dev/null || true
  fi
done
record targets.peers "${ready_peers[*]:-}"

# The targets of each measurement, NAME=URL[#MODEL][|Header: value...] as LoadGen takes them.
# The first four are the fixed rate's and the idle run's targets; the Vert.x hops (plain requests only:
# they read the answer whole) follow, then the peers.
plain_targets=("direct=$url_direct" "nginx=$url_nginx" "nginxcpr=$url_nginxcpr" "sb=$url_sb"
  "vertx=$url_vertx" "vertxbus=$url_vertxbus")
stream_targets=("direct=http://127.0.0.1:$p_direct/c20i2/v1/chat/completions"
  "nginx=http://127.0.0.1:$p_nginx/c20i2/v1/chat/completions"
  "nginxcpr=http://127.0.0.1:$p_nginxcpr/c20i2/v1/chat/completions" "sb=$url_sb")
ollama_targets=("direct=http://127.0.0.1:$p_direct/api/chat" "sb=$url_sb#ollama")
for t in ${ready_peers[@]+"${ready_peers[@]}"}; do
  plain_targets+=("$t=${peer_url[$t]}")
  stream_targets+=("$t=${peer_stream[$t]}")
  if [[ -n "${peer_ollama[$t]:-}" ]]; then
    ollama_targets+=("$t=${peer_ollama[$t]}")
  else
    record "skip_ollama.$t" "no native Ollama translation: it sends Ollama's OpenAI-compatible /v1 API"
  fi
done

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$sb_pid/status"; }
# Peak RSS while a command runs (sampled every 200 ms): rss_peak KEY COMMAND...
rss_peak() {
  local keyname="$1"; shift
  local peak_file="$work/peak.$keyname"
  echo 0 >"$peak_file"
  ( while :; do
      r="$(rss_mb)"; p="$(cat "$peak_file")"
      awk -v r="$r" -v p="$p" 'BEGIN { exit !(r > p) }' && echo "$r" >"$peak_file"
      sleep 0.2
    done ) &
  local sampler=$!
  "$@"
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  record "$keyname" "$(cat "$peak_file")"
}
# Live heap: used heap right after a full GC (jstat, KB columns S0U S1U EU OU).
live_heap_mb() {
  jcmd "$sb_pid" GC.run >/dev/null
  jstat -gc "$sb_pid" | awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
    NR == 2 { printf "%.1f", ($c["S0U"] + $c["S1U"] + $c["EU"] + $c["OU"]) / 1024 }'
}
sleep 1
record rss.idle_start_mb "$(rss_mb)"

# A target of plain_targets as wrk takes it: wrk_target NAME sets wrk_url and wrk_lua (the request, with
# the target's extra headers, in $work/post-NAME.lua).
wrk_target() {
  local spec="" t
  for t in "${plain_targets[@]}"; do [[ "${t%%=*}" == "$1" ]] && spec="${t#*=}"; done
  [[ -n "$spec" ]] || die "no plain target named $1"
  IFS='|' read -r -a parts <<<"$spec"
  wrk_url="${parts[0]%%#*}"
  wrk_lua="$work/post-$1.lua"
  {
    echo 'wrk.method = "POST"'
    echo "wrk.body = '{\"model\":\"fast\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}'"
    echo 'wrk.headers["Content-Type"] = "application/json"'
    echo "wrk.headers[\"Authorization\"] = \"Bearer $key\""
    for h in "${parts[@]:1}"; do echo "wrk.headers[\"${h%%:*}\"] = \"${h#*: }\""; done
  } >"$wrk_lua"
}
# CPU ticks (utime + stime, 1/CLK_TCK s) of a process and all its descendants, alive now: a multi-process
# target (nginx's master and worker, LiteLLM's workers) counts whole.
tree_ticks() {
  # cat fails on a process that ended while it read: expected, not an error (pipefail would make it one).
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
    { pid = $1 + 0; line = $0; sub(/^[0-9]+ \(.*\) /, "", line); split(line, f, " ")
      parent[pid] = f[2] + 0; ticks[pid] = f[12] + f[13] }
    END { mark[root] = 1
      do { changed = 0; for (p in parent) if (!(p in mark) && (parent[p] in mark)) { mark[p] = 1; changed = 1 } } while (changed)
      for (p in mark) n += ticks[p]; print n + 0 }'
}
clk_tck="$(getconf CLK_TCK)"
# wrk_run KEY SUFFIX CONNECTIONS SECONDS TARGET: records KEY.rps$SUFFIX, KEY.errors$SUFFIX and, for a
# target with a known pid, KEY.cpu_us$SUFFIX: the CPU time its process tree used per request completed.
wrk_run() {
  local out t0 t1 n
  wrk_target "$5"
  t0="$( [[ -n "${tpid[$5]:-}" ]] && tree_ticks "${tpid[$5]}" )"
  out="$(on_load wrk -t1 -c"$3" -d"$4"s --timeout 10s -s "$wrk_lua" "$wrk_url")" || die "wrk failed against $5"
  t1="$( [[ -n "${tpid[$5]:-}" ]] && tree_ticks "${tpid[$5]}" )"
  echo "== $1$2 ($5)" >>"$work/wrk.log"
  echo "$out" >>"$work/wrk.log"
  record "$1.rps$2" "$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
  record "$1.errors$2" "$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' <<<"$out")"
  n="$(awk '/requests in/ { print $1 }' <<<"$out")"
  if [[ -n "$t0" && -n "$t1" && "${n:-0}" -gt 0 ]]; then
    record "$1.cpu_us$2" "$(awk -v d="$(( t1 - t0 ))" -v n="$n" -v hz="$clk_tck" 'BEGIN { printf "%.2f", d * 1e6 / hz / n }')"
  fi
}

# CPU ticks the JIT compiler threads of a process have used so far.
jit_ticks() {
  local t n=0
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in
      C1\ * | C2\ *) n=$(( n + $(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null || echo 0) )) ;;
    esac
  done
  echo "$n"
}
# Warm-up: with one CPU, C2 keeps compiling for the better part of a minute under load, and figures
# taken before it is done measure the compiler. So: 5 s slices of plain requests (wrk) and streams
# until Switchboard's JIT threads used under 5 % of a CPU in a slice, at least 2 slices, at most 18.
if [[ -n "$quick" ]]; then warm_max=2; else warm_max=18; fi
say "warm-up: Switchboard until its JIT compiler is quiet (5 s slices, at most $(( warm_max * 5 )) s)..."
warm_slices=0
while :; do
  j0="$(jit_ticks "$sb_pid")"
  wrk_run warm.sb "" 32 5 sb
  loadgen stream --n 20 --rounds 1 --warmup 0 --model stream --key "$key" \
    "sb=http://127.0.0.1:$p_sb/v1/chat/completions" >/dev/null
  warm_slices=$(( warm_slices + 1 ))
  jit=$(( $(jit_ticks "$sb_pid") - j0 ))   # ticks of 10 ms over a ~5.5 s slice
  [[ "$warm_slices" -ge 2 && "$jit" -lt 28 ]] && break
  [[ "$warm_slices" -ge "$warm_max" ]] && { say "warning: the JIT was still busy after the warm-up (${jit}0 ms in the last slice)"; break; }
done
record warm.slices "$warm_slices"
record warm.jit_last_slice_ms "${jit}0"
for t in direct nginx nginxcpr ${ready_peers[@]+"${ready_peers[@]}"}; do
  wrk_run "warm.$t" "" 32 3 "$t"
done
# The Vert.x hops have far less code to compile: 30 s each is past their JIT's settling.
for _ in $(seq "$(( warm_max > 6 ? 6 : warm_max ))"); do
  for t in vertx vertxbus; do wrk_run "warm.$t" "" 32 5 "$t"; done
done
sleep 2
record rss.idle_warm_mb "$(rss_mb)"

if [[ -n "$quick" ]]; then n_seq=300; n_idle=30; n_big=50; rate_s=2; sat_s=2; rounds=2; n_stream=30; else n_seq=1000; n_idle=150; n_big=300; rate_s=10; sat_s=5; rounds=3; n_stream=100; fi

say "sequential: $n_seq requests x $rounds rounds per target, interleaved..."
loadgen seq --n "$n_seq" --rounds "$rounds" --warmup 300 --model fast --key "$key" "${plain_targets[@]}" >>"$results"

say "after idle: $n_idle requests x 2 rounds per target, each after 40 ms of idle, interleaved..."
loadgen seq --n "$n_idle" --rounds 2 --warmup 0 --pause-ms 40 --label idle --model fast --key "$key" \
  "${plain_targets[@]:0:4}" >>"$results"

say "model group: $n_seq requests x $rounds rounds, a one-deployment model and a two-deployment group, interleaved..."
loadgen seq --n "$n_seq" --rounds "$rounds" --warmup 300 --label group --model fast --key "$key" \
  "single=$url_sb" "group=$url_sb#fast-group" >>"$results"

say "Ollama: $n_seq requests x $rounds rounds to an ollama_chat/ model (native /api/chat), direct and through the gateways, interleaved..."
loadgen seq --n "$n_seq" --rounds "$rounds" --warmup 300 --label ollama --model fast --key "$key" \
  "${ollama_targets[@]}" >>"$results"

say "front doors: $n_seq plain requests x $rounds rounds, chat completions, Anthropic Messages and OpenAI Responses, interleaved..."
loadgen seq --n "$n_seq" --rounds "$rounds" --warmup 300 --label door --model fast --key "$key" \
  "chat=$url_sb" "messages=http://127.0.0.1:$p_sb/v1/messages" "responses=http://127.0.0.1:$p_sb/v1/responses" >>"$results"

say "large body: $n_big requests of a ~100 KB conversation x 2 rounds per target, interleaved..."
loadgen seq --n "$n_big" --rounds 2 --warmup 50 --body-kb 100 --label big --model fast --key "$key" \
  "${plain_targets[@]}" >>"$results"

say "fixed rate: 300 req/s, ${rate_s} s x 2 rounds per target..."
# The nginx hops and Switchboard only: the peers' saturation throughput here is below 300 req/s, so a
# fixed 300 req/s would measure their queue (and take minutes), not their latency.
loadgen rate --rate 300 --seconds "$rate_s" --conns 16 --rounds 2 --model fast --key "$key" "${plain_targets[@]:0:4}" >>"$results"

say "saturation: wrk at 32 and 256 connections, ${sat_s} s x 2 rounds per target, CPU time per request..."
sat_targets=(direct nginx nginxcpr sb vertx vertxbus ${ready_peers[@]+"${ready_peers[@]}"})
saturation() {
  local c r i t n=${#sat_targets[@]}
  for c in 32 256; do
    for r in 1 2; do
      for (( i = 0; i < n; i++ )); do
        t="${sat_targets[$(( (i + r) % n ))]}"
        wrk_run "sat.c$c.$t" "@r$r" "$c" "$sat_s" "$t"
      done
    done
  done
}
rss_peak rss.saturation_peak_mb saturation

say "streaming: $n_stream 20-chunk streams x 2 rounds per target, interleaved..."
loadgen stream --n "$n_stream" --rounds 2 --warmup 20 --model stream --key "$key" "${stream_targets[@]}" >>"$results"

say "front doors: $n_stream 20-chunk streams x 2 rounds, chat completions, Anthropic Messages and OpenAI Responses, interleaved..."
loadgen stream --n "$n_stream" --rounds 2 --warmup 20 --model stream --key "$key" \
  "doorchat=http://127.0.0.1:$p_sb/v1/chat/completions" "doormessages=http://127.0.0.1:$p_sb/v1/messages" \
  "doorresponses=http://127.0.0.1:$p_sb/v1/responses" >>"$results"

hold_s=$(( hold_chunks * hold_interval / 1000 ))
say "held streams: $hold_streams concurrent streams of ~${hold_s} s, Switchboard 3 times, then direct once..."
record hold.heap_before_mb "$(live_heap_mb)"
for r in 1 2 3; do
  rss_peak "hold.rss_peak_mb@r$r" loadgen hold --streams "$hold_streams" --ramp-ms 3000 --label "@r$r" --model slow \
    --key "$key" "sb=$url_sb" >>"$results"
  sleep 2   # let the last streams' bookkeeping (keepalive maps, log queue) drain before counting
  record "hold.heap_after_mb@r$r" "$(live_heap_mb)"
done
# The baseline last, when the backend has served as many streams as the runs above.
loadgen hold --streams "$hold_streams" --ramp-ms 3000 --model slow --key "$key" \
  "direct=http://127.0.0.1:$p_direct/c${hold_chunks}i${hold_interval}/v1/chat/completions" >>"$results"
sleep 2
record rss.idle_after_mb "$(rss_mb)"
record hold.streams "$hold_streams"
record hold.seconds "$hold_s"

record machine.load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
# Stop the servers and reap them, so that their CPU time counts as ours below.
for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
pids=()
others="$(awk -v m="$(( $(machine_ticks) - machine_t0 ))" -v o="$(( $(own_ticks) - own_t0 ))" \
  -v t="$(awk -v a="$run_t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" -v n="$(nproc)" \
  'BEGIN { x = 100 * (m - o) / (t * 100 * n); if (x < 0) x = 0; printf "%.0f", x }')"
record machine.others_pct "$others"

# ---- the report ----
machine="$work/machine.txt"
{
  echo "date	$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu	$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs"
  echo "memory	$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel	$(uname -sr)"
  echo "java	$(java -version 2>&1 | head -1)"
  jsa="${jar%.jar}.jsa"
  echo "switchboard_jvm	${sb_java_opts:-(none)}$( [[ "${SWITCHBOARD_CDS:-1}" != 0 && -f "$jsa" ]] && echo " + -XX:SharedArchiveFile (scripts/run.sh's CDS archive)")"
  echo "nginx	$(nginx -v 2>&1 | sed 's/^nginx version: //')"
  echo "peers	LiteLLM $(grep -m1 '^litellm' "$litellm_pins" | sed 's/.*==//') (one uvicorn worker, its default), Portkey gateway $portkey_version (Node $(node -v 2>/dev/null || echo '?'))"
  echo "wrk	$(wrk -v 2>&1 | head -1 | awk '{ print $1, $2 }')"
  echo "commit	$(git -C "$repo_root" rev-parse --short HEAD 2>/dev/null || echo unknown)$( [[ -n "$(git -C "$repo_root" status --porcelain -- src pom.xml scripts/run.sh 2>/dev/null)" ]] && echo ' (with uncommitted changes)')"
  echo "pinning	load generator on CPU $load_cpu, backends and proxies on CPU $server_cpu"
  echo "mode	$( [[ -n "$quick" ]] && echo quick || echo full)"
} >"$machine"
report_args=("$results" "$machine")
[[ -n "$doc" ]] && report_args+=(--doc "$doc")
java -cp "$work/classes" Report "${report_args[@]}" || die "the report failed (raw results: $results)"
[[ -n "$doc" ]] && say "figures written to $doc"
exit 0
