#!/usr/bin/env bash
# The Python packages the tests use as real peers — the official `openai` client (the API tests),
# the `mcp` server package (the MCP tests) and llama-cpp-python's server (the local model's
# end-to-end test; built from source once, then from pip's wheel cache) — in a virtualenv cached outside the clone, under
# /var/tmp: the MCP tests start the server inside the sandbox, which runs as uid 65534 when the
# tests run as root, and that user cannot read /root.
# Prints the virtualenv's python. Safe to run again: it installs only what is missing.
set -euo pipefail
venv="${SPARKS_TEST_VENV:-/var/tmp/sparks-test-venv-$(id -u)}"
requirements="openai==3.57.0 mcp==2.3.0 llama-cpp-python[server]==0.3.36"
stamp="$venv/.sparks-requirements"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$requirements" ] \
    || ! "$venv/bin/python" -c "import sys; sys.exit(0 if sys.base_prefix.startswith('/usr') else 1)" 2>/dev/null; then
    echo "test-venv: installing $requirements into $venv" >&2
    # Debian's Python: the venv's interpreter must be visible inside the sandbox (a pyenv build
    # under /root would not be).
    base=/usr/bin/python3
    [ -x "$base" ] || base=python3
    rm -rf "$venv"
    "$base" -m venv "$venv" >&2
    set -f  # `[server]` is not a glob
    # shellcheck disable=SC2086
    CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}" "$venv/bin/pip" install --quiet --disable-pip-version-check $requirements >&2
    set +f
    echo "$requirements" > "$stamp"
fi
echo "$venv/bin/python"
