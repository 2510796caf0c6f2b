#!/usr/bin/env bash
# A/B of two Switchboard jars side by side in one run, interleaved, on 127.0.0.1 only.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/bench-ab.sh A.jar B.jar [--rounds N] [--seconds S] [--n N]

Runs two Switchboards (jar A and jar B, scripts/run.sh's JVM flags, both on CPU 1) in front of the
benchmark's fast backend (nginx answering a fixed chat.completion, CPU 1), warms both up, then
N rounds (default 6), each: wrk at 32 connections for S seconds (default 5) on A and on B (the
order alternates round by round) with each one's CPU time per request (/proc/PID/stat utime+stime
over the wrk run ÷ requests), then LoadGen seq with A and B interleaved request by request (N
small requests, default 1000, and N/5 of ~100 KB), CPU time per request at a fixed 1,000 req/s
(LoadGen rate, 16 connections, S seconds each), and N/10 sequential 20-chunk streams (a chunk every
2 ms from the benchmark's Java stream backend, CPU 1), A and B interleaved. The load generators run
on CPU 0.

Prints, per round and as medians: req/s, CPU µs per request, sequential p50, the ~100 KB body's
p50, a stream's time to its first chunk and each chunk's delay (p50s), B ÷ A for the first three,
and the load average. What a change buys is the B ÷ A of the same run; a
whole run against another is not an A/B on a shared machine.

JVM flags: scripts/run.sh's defaults for both, or JAVA_OPTS_A / JAVA_OPTS_B (the same jar twice with
two sets of flags is an A/B of the flags).

Needs: a JDK 17+, wrk, nginx, taskset, curl. Debian: apt-get install wrk nginx.
EOF
}

[[ "${1:-}" == -h || "${1:-}" == --help ]] && { usage; exit 0; }
[[ $# -ge 2 ]] || { usage >&2; exit 2; }
jar_a="$(realpath "$1")"; jar_b="$(realpath "$2")"; shift 2
rounds=6; seconds=5; n=1000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --n) n="$2"; shift ;;
    *) echo "bench-ab: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf 'bench-ab: %s\n' "$*" >&2; }
die() { printf 'bench-ab: FAIL: %s\n' "$*" >&2; exit 1; }
for t in java javac wrk nginx taskset curl; do
  command -v "$t" >/dev/null 2>&1 || { echo "bench-ab: $t is not installed (see --help)" >&2; exit 2; }
done

# shellcheck source=scripts/bench/processes.sh
source "$repo_root/scripts/bench/processes.sh"
# shellcheck source=scripts/bench/nginx.sh
source "$repo_root/scripts/bench/nginx.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/switchboard-ab.XXXXXX")"
pids=()
cleanup() {
  stop_pids
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

javac -nowarn -cp "$jar_a" -d "$work/classes" "$repo_root/scripts/bench/LoadGen.java" \
  "$repo_root/scripts/bench/FakeBackend.java" || die "javac failed"
loadgen() { taskset -c 0 java -XX:+UseSerialGC -cp "$work/classes" LoadGen "$@"; }
read -r p_backend p_a p_b p_stream < <(loadgen ports 4 | tr "\n" " "; echo)
# The stream backend (Vert.x, from jar A): POST /c20i2/v1/chat/completions streams 20 chunks 2 ms apart.
taskset -c 1 java -XX:+UseSerialGC -cp "$work/classes:$jar_a" FakeBackend "$p_stream" >"$work/fake-backend.log" 2>&1 &
pids+=($!)

fast_backend_conf "$work/nginx" "$p_backend"
taskset -c 1 nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" >/dev/null 2>&1 &
pids+=($!)

key=sk-bench
cat >"$work/switchboard.yaml" <<EOF
model_list:
  - model_name: fast
    litellm_params: {model: openai/bench, api_base: "http://127.0.0.1:$p_backend/v1", api_key: none}
  - model_name: stream
    litellm_params: {model: openai/bench, api_base: "http://127.0.0.1:$p_stream/c20i2/v1", api_key: none}
general_settings:
  master_key: $key
  background_health_checks: false
EOF
java_opts="$(sed -n 's/^default_java_opts="\(.*\)"$/\1/p' "$repo_root/scripts/run.sh")"
declare -A pid url opts
opts[a]="${JAVA_OPTS_A:-$java_opts}"; opts[b]="${JAVA_OPTS_B:-$java_opts}"
for x in a b; do
  j="$jar_a"; p="$p_a"
  [[ "$x" == b ]] && { j="$jar_b"; p="$p_b"; }
  # shellcheck disable=SC2086
  taskset -c 1 java ${opts[$x]} -jar "$j" --config "$work/switchboard.yaml" --host 127.0.0.1 --port "$p" \
    >"$work/switchboard-$x.log" 2>&1 &
  pid[$x]=$!; pids+=($!)
  url[$x]="http://127.0.0.1:$p/v1/chat/completions"
done
for x in a b; do
  for _ in $(seq 300); do
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d '{"model":"fast","messages":[{"role":"user","content":"ping"}]}' "${url[$x]}" || true)"
    [[ "$code" == 200 ]] && break
    sleep 0.1
  done
  [[ "$code" == 200 ]] || die "Switchboard $x does not answer (HTTP $code; log: $work/switchboard-$x.log)"
done
cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"model":"fast","stream":false,"messages":[{"role":"user","content":"ping"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
EOF
ticks() { awk '{ sub(/^[0-9]+ \(.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"
wrk_one() {  # wrk_one a|b SECONDS: prints "RPS CPU_US"
  local t0 t1 out reqs
  t0="$(ticks "${pid[$1]}")"
  out="$(taskset -c 0 wrk -t1 -c32 -d"$2"s --timeout 10s -s "$work/post.lua" "${url[$1]}")"
  t1="$(ticks "${pid[$1]}")"
  reqs="$(awk '/requests in/ { print $1 }' <<<"$out")"
  awk -v r="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")" -v d="$(( t1 - t0 ))" -v n="$reqs" -v hz="$hz" \
    'BEGIN { printf "%.0f %.1f\n", r, d * 1e6 / hz / n }'
}
rate_one() {  # rate_one a|b SECONDS: prints CPU_US per request at 1,000 req/s
  local t0 t1
  t0="$(ticks "${pid[$1]}")"
  loadgen rate --rate 1000 --seconds "$2" --conns 16 --rounds 1 --model fast --key "$key" "$1=${url[$1]}" >/dev/null
  t1="$(ticks "${pid[$1]}")"
  awk -v d="$(( t1 - t0 ))" -v n="$(( $2 * 1000 ))" -v hz="$hz" 'BEGIN { printf "%.1f\n", d * 1e6 / hz / n }'
}
say "warm-up: 8 slices of 5 s of wrk on each, alternating..."
for _ in $(seq 8); do wrk_one a 5 >/dev/null; wrk_one b 5 >/dev/null; done
loadgen seq --n 300 --rounds 1 --warmup 0 --model fast --key "$key" "a=${url[a]}" "b=${url[b]}" >/dev/null
loadgen seq --n 50 --rounds 1 --warmup 0 --body-kb 100 --model fast --key "$key" "a=${url[a]}" "b=${url[b]}" >/dev/null
loadgen stream --n 100 --rounds 1 --warmup 0 --model stream --key "$key" "a=${url[a]}" "b=${url[b]}" >/dev/null

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| Round | A req/s | B req/s | B÷A | A CPU µs/req | B CPU µs/req | B÷A | A CPU µs/req at 1,000 req/s | B | B÷A | A seq p50 µs | B seq p50 µs | A 100 KB p50 µs | B 100 KB p50 µs | A stream first chunk p50 µs | B | A chunk delay p50 µs | B |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
: >"$work/rows"
for r in $(seq "$rounds"); do
  if (( r % 2 )); then
    read -r ra ca < <(wrk_one a "$seconds"); read -r rb cb < <(wrk_one b "$seconds")
  else
    read -r rb cb < <(wrk_one b "$seconds"); read -r ra ca < <(wrk_one a "$seconds")
  fi
  # CPU per request at a fixed 1,000 req/s: less sensitive than saturation to the CPU share the
  # machine's other load leaves (as long as both keep up).
  if (( r % 2 )); then fa="$(rate_one a "$seconds")"; fb="$(rate_one b "$seconds")"
  else fb="$(rate_one b "$seconds")"; fa="$(rate_one a "$seconds")"; fi
  seq_out="$(loadgen seq --n "$n" --rounds 1 --warmup 0 --model fast --key "$key" "a=${url[a]}" "b=${url[b]}")"
  big_out="$(loadgen seq --n "$(( n / 5 ))" --rounds 1 --warmup 0 --body-kb 100 --label big --model fast --key "$key" \
    "a=${url[a]}" "b=${url[b]}")"
  stream_out="$(loadgen stream --n "$(( n / 10 ))" --rounds 1 --warmup 0 --model stream --key "$key" \
    "a=${url[a]}" "b=${url[b]}")"
  ta="$(awk '$1 == "stream.a.ttfc_p50_us" { printf "%.0f", $2 }' <<<"$stream_out")"
  tb="$(awk '$1 == "stream.b.ttfc_p50_us" { printf "%.0f", $2 }' <<<"$stream_out")"
  da="$(awk '$1 == "stream.a.chunk_p50_us" { printf "%.0f", $2 }' <<<"$stream_out")"
  db="$(awk '$1 == "stream.b.chunk_p50_us" { printf "%.0f", $2 }' <<<"$stream_out")"
  sa="$(awk '$1 == "seq.a.p50_us" { printf "%.0f", $2 }' <<<"$seq_out")"
  sb="$(awk '$1 == "seq.b.p50_us" { printf "%.0f", $2 }' <<<"$seq_out")"
  ba="$(awk '$1 == "big.a.p50_us" { printf "%.0f", $2 }' <<<"$big_out")"
  bb="$(awk '$1 == "big.b.p50_us" { printf "%.0f", $2 }' <<<"$big_out")"
  echo "$ra $rb $ca $cb $sa $sb $ba $bb $fa $fb $ta $tb $da $db" >>"$work/rows"
  awk -v ra="$ra" -v rb="$rb" -v ca="$ca" -v cb="$cb" -v r="$r" -v sa="$sa" -v sb="$sb" -v ba="$ba" -v bb="$bb" \
    -v fa="$fa" -v fb="$fb" -v ta="$ta" -v tb="$tb" -v da="$da" -v db="$db" \
    'BEGIN { printf "| %d | %d | %d | %.2f | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f | %s | %s | %s | %s | %s | %s | %s | %s |\n", r, ra, rb, rb / ra, ca, cb, cb / ca, fa, fb, fb / fa, sa, sb, ba, bb, ta, tb, da, db }'
done
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$1" '{ print $c }' "$work/rows" | median; }
ratio_col() { awk -v x="$1" -v y="$2" '{ print $y / $x }' "$work/rows" | median; }
awk -v ra="$(col 1)" -v rb="$(col 2)" -v q="$(ratio_col 1 2)" -v ca="$(col 3)" -v cb="$(col 4)" -v qc="$(ratio_col 3 4)" \
  -v sa="$(col 5)" -v sb="$(col 6)" -v ba="$(col 7)" -v bb="$(col 8)" -v fa="$(col 9)" -v fb="$(col 10)" -v qf="$(ratio_col 9 10)" \
  -v ta="$(col 11)" -v tb="$(col 12)" -v da="$(col 13)" -v db="$(col 14)" \
  'BEGIN { printf "| median | %d | %d | %.2f | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f | %s | %s | %s | %s | %s | %s | %s | %s |\n", ra, rb, q, ca, cb, qc, fa, fb, qf, sa, sb, ba, bb, ta, tb, da, db }'
echo
echo "Load average: $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after. A: $jar_a (${opts[a]}); B: $jar_b (${opts[b]})."
