#!/usr/bin/env bash
# Real coding agents through Switchboard, end to end: installs the agent CLI from npm, points it at a
# Switchboard in front of a fake model server (scripts/agents/fake_backend.py) that asks for one tool
# call (read a file) and then answers with the file's first line, and checks that the agent printed it.
# Loopback only. Not part of CI: it downloads the agents' native binaries (~100-200 MB) from npm.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/agents-check.sh [claude]

  claude   Claude Code (@anthropic-ai/claude-code), through POST /v1/messages   (the default)

Installs into ~/.cache/switchboard-agents (kept between runs), builds target/switchboard.jar if it is
missing, and exits non-zero when an agent did not finish its tool round trip through Switchboard.
Set CLAUDE_CODE_VERSION to pin another version (default 2.1.197, the one realclients.md ran).
USAGE
}

case "${1:-claude}" in
  -h|--help) usage; exit 0 ;;
  claude) ;;
  *) echo "agents-check: unknown agent: $1 (see --help)" >&2; exit 2 ;;
esac

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$(pwd)"
cache="${HOME}/.cache/switchboard-agents"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf '==> %s\n' "$*"; }
die() { printf 'agents-check: FAIL: %s\n' "$*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  die "$2 did not listen on port $1"
}

for tool in java npm node python3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[[ -f target/switchboard.jar ]] || { say "building target/switchboard.jar"; mvn -B -q package -DskipTests; }

version="${CLAUDE_CODE_VERSION:-2.1.197}"
if [[ ! -x "$cache/claude-$version/node_modules/.bin/claude" ]]; then
  say "installing @anthropic-ai/claude-code@$version into $cache"
  mkdir -p "$cache/claude-$version"
  npm install --prefix "$cache/claude-$version" --no-audit --no-fund "@anthropic-ai/claude-code@$version" >/dev/null
fi
claude="$cache/claude-$version/node_modules/.bin/claude"

# The file the agent is asked to read, in a project directory of its own.
project="$work/project"
mkdir -p "$project"
echo "the-secret-first-line-$RANDOM" >"$project/hello.txt"
expected="$(head -1 "$project/hello.txt")"

p_fake="$(free_port)"
python3 scripts/agents/fake_backend.py --port "$p_fake" --tool Read --arg file_path --path "$project/hello.txt" \
  --log "$work/backend.jsonl" &
pids+=($!)
wait_port "$p_fake" "the fake model server"

p_sb="$(free_port)"
key="sk-agents-check"
cat >"$work/config.yaml" <<EOF
model_list:
  - model_name: local-coder
    litellm_params: {model: openai/fake, api_base: "http://127.0.0.1:$p_fake/v1"}
router_settings:
  model_group_alias: {claude-haiku-4-5: {model: local-coder, hidden: true}}
general_settings:
  master_key: $key
EOF
java -jar target/switchboard.jar --config "$work/config.yaml" --host 127.0.0.1 --port "$p_sb" >"$work/switchboard.log" 2>&1 &
pids+=($!)
wait_port "$p_sb" "Switchboard"

say "claude -p through Switchboard (Claude Code $version)"
set +e
(cd "$project" && env -i HOME="$work/home" PATH="$PATH" ANTHROPIC_BASE_URL="http://127.0.0.1:$p_sb" \
  ANTHROPIC_AUTH_TOKEN="$key" ANTHROPIC_MODEL=local-coder ANTHROPIC_DEFAULT_HAIKU_MODEL=local-coder \
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1 DISABLE_ERROR_REPORTING=1 \
  timeout 180 "$claude" -p "Read the file hello.txt and tell me its first line." --allowedTools Read \
  >"$work/claude.out" 2>"$work/claude.err")
rc=$?
set -e
say "claude exited $rc; it printed:"
sed 's/^/    /' "$work/claude.out"
requests="$(wc -l <"$work/backend.jsonl" 2>/dev/null || echo 0)"
say "the model server got $requests request(s); Switchboard logged:"
grep -E 'POST /v1/messages' "$work/switchboard.log" | sed 's/^/    /' | tail -5 || true
if [[ "$rc" -ne 0 ]]; then
  sed 's/^/    stderr: /' "$work/claude.err" | tail -20
  die "claude -p exited $rc"
fi
grep -q "$expected" "$work/claude.out" || die "Claude Code did not print the file's first line ($expected)"
grep -q '"role": "tool"' "$work/backend.jsonl" || die "no tool result reached the model server"
say "PASS: Claude Code read the file through a tool call and answered, all through Switchboard"
