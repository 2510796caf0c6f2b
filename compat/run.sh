#!/usr/bin/env bash
# The differential harness in one command, from a clean clone (needs python3 with venv/pip, java, mvn):
#   compat/run.sh            installs the pinned Python packages into compat/.venv (once), builds
#                            target/switchboard.jar if it is missing, runs compat/harness.py, writes
#                            docs/compatibility.md; exits 1 on any difference compat/deliberate.yaml lacks.
#   compat/run.sh --only 'auth.*'   a subset (docs/compatibility.md is then left alone)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv=compat/.venv
stamp="$venv/.installed"
if [[ ! -x "$venv/bin/python" ]] || ! cat compat/requirements.txt compat/constraints.txt | cmp -s - "$stamp"; then
  echo "compat: installing the pinned packages into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then   # Debian without python3-venv: virtualenv from PyPI
    python3 -m pip install -q --disable-pip-version-check --user virtualenv==21.15.14
    python3 -m virtualenv -q "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check -r compat/requirements.txt -c compat/constraints.txt
  cat compat/requirements.txt compat/constraints.txt >"$stamp"
fi
if [[ ! -f target/switchboard.jar ]]; then
  echo "compat: building target/switchboard.jar"
  mvn -B -q package -DskipTests
fi
exec "$venv/bin/python" compat/harness.py "$@"
