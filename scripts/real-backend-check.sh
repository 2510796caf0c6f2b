#!/usr/bin/env bash
# Switchboard in front of a real llama.cpp llama-server: a concurrency soak through Switchboard and
# directly, then the disconnect, kill and restart checks. Not part of CI (it takes a while).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/real-backend-check.sh [--streams N] [--direct N] [--concurrency C] [--max-tokens T]

Builds llama-server (CPU, no web UI) from the llama.cpp source that the npm package node-llama-cpp
ships (llama/gitRelease.bundle; about 6 minutes on 2 cores, cached), writes a tiny random-weight GGUF
with a real tokenizer and chat template (scripts/real-backend/make_tiny_gguf.py, llama.cpp's own
gguf-py, numpy in a cached venv), starts llama-server with 2 slots and Switchboard in front of it, and
runs, all on 127.0.0.1:

  1. soak through Switchboard: N streams (default 2000), C at a time (default 8), T tokens each (400)
  2. soak direct to llama-server: --direct N streams (default 400), same shape
  3. disconnect: a client closes mid-stream; how soon llama-server's slots are idle again
  4. kill: llama-server is killed (-9) mid-stream; the client must get an error event, not a cut stream
  5. restart: llama-server comes back; how soon Switchboard answers 200 again (README promises ~2 s)

A stream passes when it is HTTP 200, has at least T content events, no error event, and ends with
data: [DONE]. Prints a Markdown table (for docs/real-backends.md); exits 1 if any check failed.

Environment: CACHE (default ~/.cache/switchboard-real-backend), NODE_LLAMA_CPP_VERSION (3.21.1).
Needs: java 17, mvn (once, to build target/switchboard.jar), npm, git, cmake, a C++ compiler, python3.
EOF
}

STREAMS=2000 DIRECT=400 CONCURRENCY=8 MAX_TOKENS=400
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --streams) STREAMS="$2"; shift 2 ;;
    --direct) DIRECT="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --max-tokens) MAX_TOKENS="$2"; shift 2 ;;
    *) echo "real-backend-check: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"
CACHE="${CACHE:-$HOME/.cache/switchboard-real-backend}"
VERSION="${NODE_LLAMA_CPP_VERSION:-3.21.1}"
KEY="sk-real-backend-check"
mkdir -p "$CACHE"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# ---- llama-server, built once ----
server="$CACHE/llama.cpp/build/bin/llama-server"
if [[ ! -x "$server" ]]; then
  if [[ ! -d "$CACHE/llama.cpp" ]]; then
    log "fetching node-llama-cpp@$VERSION (its llama.cpp source bundle)"
    (cd "$CACHE" && npm pack "node-llama-cpp@$VERSION" --silent >/dev/null \
      && tar xzf "node-llama-cpp-$VERSION.tgz" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json \
      && git clone -q package/llama/gitRelease.bundle llama.cpp 2>/dev/null)
  fi
  log "building llama-server (CPU, no web UI; several minutes)"
  (cd "$CACHE/llama.cpp" \
    && cmake -B build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
         -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_APP=OFF \
         -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF >"$CACHE/cmake.log" 2>&1 \
    && cmake --build build --target llama-server -j"$(nproc)" >>"$CACHE/cmake.log" 2>&1) \
    || { echo "real-backend-check: the llama-server build failed, see $CACHE/cmake.log" >&2; exit 1; }
fi
llama_version="$("$server" --version 2>&1 | grep -m1 version || true)"

# ---- the tiny model ----
model="$CACHE/tiny.gguf"
if [[ ! -s "$model" ]]; then
  if [[ ! -x "$CACHE/venv/bin/python" ]]; then
    python3 -m venv "$CACHE/venv"
    "$CACHE/venv/bin/pip" install -q numpy pyyaml tqdm
  fi
  log "writing the tiny model"
  (cd "$CACHE/llama.cpp" && PYTHONPATH=gguf-py "$CACHE/venv/bin/python" "$repo/scripts/real-backend/make_tiny_gguf.py" \
      --out "$model" >/dev/null)
fi

# ---- Switchboard ----
jar="$repo/target/switchboard.jar"
if [[ ! -f "$jar" ]]; then
  log "building target/switchboard.jar"
  mvn -B -q -DskipTests package
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { # url, seconds
  local end=$((SECONDS + $2))
  until curl -fs -o /dev/null "$1"; do
    (( SECONDS < end )) || return 1
    sleep 0.1
  done
}

llama_port="$(free_port)"
sb_port="$(free_port)"
work="$(mktemp -d)"
llama_pid=""
start_llama() {
  "$server" -m "$model" --host 127.0.0.1 --port "$llama_port" -c 4096 -np 2 --jinja >>"$work/llama.log" 2>&1 &
  llama_pid=$!
  pids+=("$llama_pid")
  wait_http "http://127.0.0.1:$llama_port/health" 60 || { echo "llama-server did not start, see $work/llama.log" >&2; exit 1; }
}
start_llama
cat >"$work/config.yaml" <<EOF
model_list:
  - model_name: tiny
    litellm_params: {model: openai/tiny, api_base: "http://127.0.0.1:$llama_port/v1"}
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
EOF
LITELLM_MASTER_KEY="$KEY" java -jar "$jar" --config "$work/config.yaml" --host 127.0.0.1 --port "$sb_port" \
  >"$work/switchboard.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$sb_port/health/liveliness" 60 || { echo "Switchboard did not start" >&2; exit 1; }
log "llama-server :$llama_port, Switchboard :$sb_port, logs in $work"

checks() { python3 "$repo/scripts/real-backend/checks.py" "$@"; }
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=d.get(sys.argv[2]); print("-" if v is None else v)' "$1" "$2"; }

log "soak through Switchboard: $STREAMS streams, $CONCURRENCY at a time, $MAX_TOKENS tokens"
via="$(checks soak --port "$sb_port" --model tiny --key "$KEY" --streams "$STREAMS" --concurrency "$CONCURRENCY" \
  --max-tokens "$MAX_TOKENS" | tail -1)"
log "soak direct: $DIRECT streams"
direct="$(checks soak --port "$llama_port" --model tiny --streams "$DIRECT" --concurrency "$CONCURRENCY" \
  --max-tokens "$MAX_TOKENS" | tail -1)"
log "disconnect"
disc_via="$(checks disconnect --port "$sb_port" --model tiny --key "$KEY" --llama-port "$llama_port" | tail -1)"
disc_direct="$(checks disconnect --port "$llama_port" --model tiny --llama-port "$llama_port" | tail -1)"

log "kill -9 mid-stream"
checks killed --port "$sb_port" --model tiny --key "$KEY" >"$work/killed.out" &
killer=$!
end=$((SECONDS + 30))
until grep -q streaming "$work/killed.out" 2>/dev/null || (( SECONDS > end )); do sleep 0.02; done
kill -9 "$llama_pid"
wait "$llama_pid" 2>/dev/null || true
wait "$killer" || true
killed="$(tail -1 "$work/killed.out")"

log "restart"
sleep 1
start_llama
ready="$(python3 -c 'import time; print(time.time())')"
recover="$(checks recover --port "$sb_port" --model tiny --key "$KEY" --since "$ready" | tail -1)"

status=0
verdict() { [[ "$1" == "True" || "$1" == "0" ]] && echo PASS || { status=1; echo FAIL; }; }
via_failed="$(field "$via" failed)"
direct_failed="$(field "$direct" failed)"
cat <<EOF

Run $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores; llama-server: ${llama_version:-?} (node-llama-cpp $VERSION), -np 2, tiny random model; Switchboard $(git -C "$repo" rev-parse --short HEAD)

| Check | Through Switchboard | Direct to llama-server | Result |
|---|---|---|---|
| Soak: streams, $CONCURRENCY at a time, $MAX_TOKENS tokens | $(field "$via" streams) streams, **$via_failed failed**, wall $(field "$via" wall_s) s, p50 $(field "$via" p50_ms) ms, max $(field "$via" max_ms) ms | $(field "$direct" streams) streams, $direct_failed failed, wall $(field "$direct" wall_s) s, p50 $(field "$direct" p50_ms) ms | $(verdict "$via_failed") |
| Client disconnect mid-stream: slots idle after | $(field "$disc_via" stopped_ms) ms | $(field "$disc_direct" stopped_ms) ms | $(verdict "$(field "$disc_via" ok)") |
| llama-server killed (-9) mid-stream | $( [[ "$(field "$killed" ok)" == True ]] && echo "error event, no [DONE]" || echo "cut or wrong: $(field "$killed" tail)") | (a cut chunked body) | $(verdict "$(field "$killed" ok)") |
| Restart: first 200 after llama-server is ready | $(field "$recover" after_ready_ms) ms | - | $(verdict "$(field "$recover" ok)") |
EOF
if [[ "$via_failed" != "0" ]]; then
  echo
  echo "Failures through Switchboard (first 5): $(field "$via" failures)"
fi
exit "$status"
