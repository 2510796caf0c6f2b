#!/usr/bin/env bash
# Real coding agents through Switchboard, end to end: installs the agent CLI from npm, points it at a
# Switchboard in front of a fake model server (scripts/agents/fake_backend.py) that asks for one tool
# call (read a file) and then answers with the file's first line, and checks that the agent printed it.
# Loopback only. Not part of CI: it downloads the agents' native binaries (~100-200 MB) from npm.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/agents-check.sh [claude|codex|all]

  claude   Claude Code (@anthropic-ai/claude-code), through POST /v1/messages   (the default)
  codex    OpenAI Codex CLI (@openai/codex), through POST /v1/responses
  all      both, one after the other

Installs into ~/.cache/switchboard-agents (kept between runs), builds target/switchboard.jar if it is
missing, and exits non-zero when an agent did not finish its tool round trip through Switchboard.
Set CLAUDE_CODE_VERSION / CODEX_VERSION to pin other versions (defaults 2.1.197 and 0.171.0, the
ones realclients.md ran).
USAGE
}

case "${1:-claude}" in
  -h|--help) usage; exit 0 ;;
  claude|codex) ;;
  all) "$0" claude && exec "$0" codex ;;
  *) echo "agents-check: unknown agent: $1 (see --help)" >&2; exit 2 ;;
esac
agent="${1:-claude}"

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

# Installs an npm package once into the cache; prints the path of its binary.
install() {
  local package="$1" version="$2" bin="$3" dir="$cache/$3-$2"
  if [[ ! -x "$dir/node_modules/.bin/$bin" ]]; then
    say "installing $package@$version into $cache" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund "$package@$version" >/dev/null
  fi
  echo "$dir/node_modules/.bin/$bin"
}

# The file the agent is asked to read, in a project directory of its own.
project="$work/project"
mkdir -p "$project"
echo "the-secret-first-line-$RANDOM" >"$project/hello.txt"
expected="$(head -1 "$project/hello.txt")"

p_fake="$(free_port)"
# The agent's own tool for reading a file: Claude Code's Read, Codex's exec_command (run in the project).
if [[ "$agent" == codex ]]; then
  read_tool=(--tool exec_command --arg cmd --path "head -1 hello.txt")
else
  read_tool=(--tool Read --arg file_path --path "$project/hello.txt")
fi
python3 scripts/agents/fake_backend.py --port "$p_fake" "${read_tool[@]}" --log "$work/backend.jsonl" &
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

if [[ "$agent" == codex ]]; then
  version="${CODEX_VERSION:-0.171.0}"
  codex="$(install @openai/codex "$version" codex)"
  # The provider block the README shows; Codex reads the key from the env_key variable.
  mkdir -p "$work/codex-home"
  cat >"$work/codex-home/config.toml" <<TOML
model = "local-coder"
model_provider = "switchboard"
check_for_update_on_startup = false
[analytics]
enabled = false
[model_providers.switchboard]
name = "Switchboard"
base_url = "http://127.0.0.1:$p_sb/v1"
wire_api = "responses"
env_key = "SWITCHBOARD_API_KEY"
TOML
  say "codex exec through Switchboard (Codex $version)"
  set +e
  # --disable plugins/remote_plugin: no "curated plugin sync" calls to github.com and chatgpt.com.
  (cd "$project" && env -i HOME="$work/home" PATH="$PATH" CODEX_HOME="$work/codex-home" SWITCHBOARD_API_KEY="$key" \
    timeout 180 "$codex" exec --skip-git-repo-check --ephemeral --sandbox read-only --color never \
    --disable plugins --disable remote_plugin "Print the first line of hello.txt by running a command." \
    </dev/null >"$work/agent.out" 2>"$work/agent.err")
  rc=$?
  set -e
  say "codex exited $rc; it printed:"
  sed 's/^/    /' "$work/agent.out"
  say "Switchboard logged:"
  grep -E 'POST /v1/responses' "$work/switchboard.log" | sed 's/^/    /' | tail -5 || true
  if [[ "$rc" -ne 0 ]]; then
    sed 's/^/    stderr: /' "$work/agent.err" | tail -20
    die "codex exec exited $rc"
  fi
  grep -q 'AGENT-CHECK-OK' "$work/agent.out" || die "Codex did not print the model's answer"
  # Codex wraps a command's output (chunk id, wall time, exit code) around the file's line.
  grep -q '"role": "tool".*'"$expected" "$work/backend.jsonl" \
    || die "the command's output ($expected) did not reach the model server"
  say "PASS: Codex ran a command through a tool call and answered, all through Switchboard"
  exit 0
fi

claude="$(install @anthropic-ai/claude-code "${CLAUDE_CODE_VERSION:-2.1.197}" claude)"
say "claude -p through Switchboard (Claude Code ${CLAUDE_CODE_VERSION:-2.1.197})"
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
