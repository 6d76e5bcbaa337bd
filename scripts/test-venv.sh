#!/usr/bin/env bash
# The Python packages the tests use as real peers — the official `openai` client (the API tests)
# and the `mcp` server package (the MCP tests) — in a virtualenv cached outside the clone.
# Prints the virtualenv's python. Safe to run again: it installs only what is missing.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/sparks"
venv="$cache/test-venv"
requirements="openai==3.57.0 mcp==2.3.0"
stamp="$venv/.sparks-requirements"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$requirements" ]; then
    echo "test-venv: installing $requirements into $venv" >&2
    python3 -m venv "$venv" >&2
    # shellcheck disable=SC2086
    "$venv/bin/pip" install --quiet --disable-pip-version-check $requirements >&2
    echo "$requirements" > "$stamp"
fi
echo "$venv/bin/python"
