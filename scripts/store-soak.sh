#!/usr/bin/env bash
# Soak of the Responses API's in-memory store: does its byte bound hold? Loopback only, no backend
# (the model answers with mock_response). Prints the figures docs/benchmarks.md records.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: [SOAK_JAVA_OPTS=...] scripts/store-soak.sh [N] [KB] [MAX_SIZE_MB]

Starts Switchboard (target/switchboard.jar, scripts/run.sh's JVM flags) with
switchboard_settings.response_store {max_responses: N, max_size_mb: MAX_SIZE_MB}, sends N requests
of KB KB of input each with store: false (the baseline: the same load, nothing stored), then N more
with store: true (defaults: 100000, 10, 64). After each phase it forces a full GC and reads the
live heap and the RSS. Passes when every request succeeded, the first stored response was evicted
and the last one is still there, the live heap grew by at most 8 MB (the store keeps its entries off
the heap, in a ring of MAX_SIZE_MB) and the RSS by at most the bound plus 16 MB (the ring is the bound;
the slack is for what the JIT compiles meanwhile and malloc's own pages: docs/benchmarks.md has the
figures).
EOF
}
[[ "${1:-}" == -h || "${1:-}" == --help ]] && { usage; exit 0; }
n="${1:-100000}"
kb="${2:-10}"
bound_mb="${3:-64}"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
work="$(mktemp -d)"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
die() { printf 'store-soak: FAIL: %s\n' "$*" >&2; exit 1; }
[[ -f target/switchboard.jar ]] || mvn -B -q package -DskipTests

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
key="sk-soak"
cat >"$work/config.yaml" <<EOF
model_list:
  - model_name: soak
    litellm_params: {model: openai/soak, mock_response: "A short answer, as the soak needs nothing longer."}
general_settings: {master_key: $key}
switchboard_settings:
  response_store: {max_responses: $n, max_size_mb: $bound_mb, ttl: 3600}
EOF
# scripts/run.sh's flags (its comments say why), without the class-data sharing archive; SOAK_JAVA_OPTS
# adds more (e.g. -Xmx160m: a heap ceiling, which is what bounds the RSS, see docs/benchmarks.md).
# shellcheck disable=SC2086
java $(sed -n 's/^default_java_opts="\(.*\)"$/\1/p' scripts/run.sh) ${SOAK_JAVA_OPTS:-} \
  -jar target/switchboard.jar --config "$work/config.yaml" --host 127.0.0.1 --port "$port" \
  >"$work/switchboard.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$port/health/liveliness" >/dev/null 2>&1 && break
  sleep 0.2
done
javac -d "$work" scripts/bench/StoreSoak.java

# Live heap (MB: the class histogram's total, which counts only reachable objects, after a full GC)
# and RSS (MB).
measure() {
  local live rss
  # Twice: objects the first full GC only finds unreachable (a finalizer, a cleaner) go in the second.
  jcmd "$pid" GC.class_histogram >/dev/null
  live="$(jcmd "$pid" GC.class_histogram | awk '$1 == "Total" {print int($3 / 1048576)}')"
  rss="$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")"
  # The heap the JVM holds from the OS (young and old generations' "total"), part of the RSS.
  committed="$(jcmd "$pid" GC.heap_info | awk '/generation/ {for (i = 1; i <= NF; i++) if ($i == "total") {
    v = $(i+1); sub(/K,?$/, "", v); sum += v}} END {print int(sum / 1024)}')"
  echo "$live $rss $committed"
}
load() { java -cp "$work" StoreSoak "http://127.0.0.1:$port" "$key" soak "$1" "$kb" 16 "$2"; }

load "$n" false >"$work/warm.txt"
read -r heap0 rss0 committed0 < <(measure)
echo "baseline ($n requests of ${kb} KB, store: false): live heap ${heap0} MB, heap committed ${committed0} MB, RSS ${rss0} MB"

load "$n" true | tee "$work/soak.txt"
read -r heap1 rss1 committed1 < <(measure)
ok="$(awk '$1 == "ok" {print $2}' "$work/soak.txt")"
seconds="$(awk '$1 == "seconds" {print $2}' "$work/soak.txt")"
first="$(awk '$1 == "first" {print $2}' "$work/soak.txt")"
last="$(awk '$1 == "last" {print $2}' "$work/soak.txt")"
peak="$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")"
echo "after $ok stored responses of ${kb} KB in ${seconds} s: live heap ${heap1} MB (+$((heap1 - heap0))), heap committed ${committed1} MB (+$((committed1 - committed0))), RSS ${rss1} MB (+$((rss1 - rss0))), peak RSS ${peak} MB; bound ${bound_mb} MB"

first_status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" \
  "http://127.0.0.1:$port/v1/responses/$first")"
last_status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" \
  "http://127.0.0.1:$port/v1/responses/$last")"
echo "first response: $first_status (evicted: 404), last response: $last_status (kept: 200)"

[[ "$ok" == "$n" ]] || die "only $ok of $n requests succeeded"
[[ "$first_status" == 404 ]] || die "the oldest response was not evicted"
[[ "$last_status" == 200 ]] || die "the newest response is not there"
# The store keeps its entries off the heap (ResponseStore says why): the RSS is where they show.
(( heap1 - heap0 <= 8 )) || die "the live heap grew by $((heap1 - heap0)) MB: the store is meant to be off the heap"
(( rss1 - rss0 <= bound_mb + 16 )) || die "the RSS grew by $((rss1 - rss0)) MB, more than the bound plus 16 MB"
echo "PASS: the store held its bound"
