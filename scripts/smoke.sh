#!/usr/bin/env bash
# Smoke test for a running Switchboard (or LiteLLM) proxy: readiness + model list.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/smoke.sh [BASE_URL]

Checks a running Switchboard (or LiteLLM proxy):
  1. GET BASE_URL/health/readiness   must answer 200 (no key needed)
  2. GET BASE_URL/v1/models          must answer 200 and list at least one model;
                                     the model ids are printed

BASE_URL defaults to http://localhost:4000 (a trailing / or /v1 is ignored).

The key: $LITELLM_MASTER_KEY, sent as "Authorization: Bearer ...". If it is not set, the
LITELLM_MASTER_KEY line of ./.env or of the repository's .env is used; with no key at all the
request goes without one (fine only when the proxy has no master_key).

Needs curl. Exit status: 0 both checks passed, 1 a check failed, 2 usage error or curl missing.
EOF
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  -*) echo "smoke: unknown option: $1 (see --help)" >&2; exit 2 ;;
esac
if [[ $# -gt 1 ]]; then
  echo "smoke: too many arguments (see --help)" >&2
  exit 2
fi

if ! command -v curl >/dev/null 2>&1; then
  echo "smoke: FAIL: curl is not installed (e.g. apt-get install curl)" >&2
  exit 2
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

base_url="${1:-http://localhost:4000}"
base_url="${base_url%/}"
base_url="${base_url%/v1}"

# The key from an .env file, without sourcing it (it is not necessarily valid shell).
key_from_env_file() {
  local file="$1" line
  [[ -r "$file" ]] || return 1
  line="$(grep -E '^[[:space:]]*(export[[:space:]]+)?LITELLM_MASTER_KEY=' "$file" | tail -n 1)" || return 1
  line="${line#*=}"
  line="${line%$'\r'}"
  line="${line#\"}"; line="${line%\"}"
  line="${line#\'}"; line="${line%\'}"
  [[ -n "$line" ]] || return 1
  printf '%s' "$line"
}

key="${LITELLM_MASTER_KEY:-}"
if [[ -z "$key" ]]; then
  key="$(key_from_env_file ./.env || key_from_env_file "$repo_root/.env" || true)"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# http_get URL [with-key]: writes the body to $tmp/body, curl's errors to $tmp/err, prints the
# status code (000 when no HTTP answer came). The key goes through stdin, not the command line,
# so that it does not show in `ps`.
http_get() {
  local url="$1" auth="${2:-}" headers=""
  if [[ -n "$auth" && -n "$key" ]]; then
    headers="Authorization: Bearer $key"
  fi
  printf '%s\n' "$headers" \
    | curl -sS --max-time 15 --connect-timeout 5 -H @- \
        -o "$tmp/body" -w '%{http_code}' "$url" 2>"$tmp/err" || true
}

fail() {
  echo "smoke: FAIL: $*" >&2
  exit 1
}

describe() {  # a one-line reason for an unexpected status
  local status="$1"
  if [[ "$status" == "000" ]]; then
    printf 'no answer from %s (%s)' "$base_url" "$(tr '\n' ' ' <"$tmp/err" | sed 's/^curl: ([0-9]*) //; s/ *$//')"
  else
    printf 'HTTP %s: %s' "$status" "$(head -c 300 "$tmp/body" | tr '\n' ' ')"
  fi
}

# 1. Readiness.
status="$(http_get "$base_url/health/readiness")"
[[ "$status" == "200" ]] || fail "GET /health/readiness: $(describe "$status")"
echo "smoke: ok: GET /health/readiness -> 200"

# 2. Model list.
status="$(http_get "$base_url/v1/models" with-key)"
if [[ "$status" == "401" && -z "$key" ]]; then
  fail "GET /v1/models: HTTP 401 and no key: set LITELLM_MASTER_KEY"
elif [[ "$status" != "200" ]]; then
  fail "GET /v1/models: $(describe "$status")"
fi
# {"data":[{"id":"qwen3-coder","object":"model",...},...],"object":"list"}: take the ids.
ids="$(tr -d '\n' <"$tmp/body" | grep -oE '"id"[[:space:]]*:[[:space:]]*"[^"]*"' \
        | sed -E 's/^"id"[[:space:]]*:[[:space:]]*"//; s/"$//' || true)"
[[ -n "$ids" ]] || fail "GET /v1/models: 200 but no model listed (is any model configured?)"
echo "smoke: ok: GET /v1/models -> 200, $(printf '%s\n' "$ids" | wc -l | tr -d ' ') model(s):"
printf '%s\n' "$ids" | sed 's/^/  /'
echo "smoke: PASS ($base_url)"
