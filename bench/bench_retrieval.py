"""Retrieval benchmarks, side by side in one run:

1. quality: SciFact train claims over the full corpus (nDCG@10, recall@100) and the SQuAD dev
   part (recall@5) for dense, BM25 and hybrid retrieval, through the evaluation harness;
2. latency (p50/p99, one query at a time) of each leg at 10k / 100k / 1M synthetic chunks,
   with build time and memory; and of the whole retriever at the SciFact size;
3. optional peer: LangChain's FAISS store with HuggingFaceEmbeddings on the same chunks
   (set BENCH_PEER_PYTHON to a Python that has langchain-community and langchain-huggingface).

Datasets are imported and ingested into BENCH_HOME (default ~/.footnote-bench) once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("FOOTNOTE_DATA", ROOT.parent / "shared" / "data"))
HOME = Path(os.environ.get("BENCH_HOME", "~/.footnote-bench")).expanduser()
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]


def footnote(home: Path, *args: str) -> str:
    env = {**os.environ, "FOOTNOTE_HOME": str(home)}
    from rag.settings import load_settings

    env["FOOTNOTE_MODELS_DIR"] = str(load_settings()[0].models_path)
    result = subprocess.run(
        [sys.executable, "-m", "ui", *args], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def prepare(name: str, kind: str, files: list[Path], extra: list[str]) -> Path:
    out = HOME / "data" / name
    if not (out / "dataset.jsonl").exists():
        footnote(HOME / name, "eval", "import", kind, *map(str, files), "--out", str(out), *extra)
    footnote(HOME / name, "ingest", str(out / "corpus"))  # idempotent: a no-op the second time
    return out / "dataset.jsonl"


def quality() -> None:
    scifact = prepare(
        "scifact",
        "scifact",
        [DATA / "scifact" / "corpus_train.csv", DATA / "scifact" / "claims_train.csv"],
        [],
    )
    squad = prepare("squad", "squad", [DATA / "squad-v1.1" / "dev-v1.1.part.json"], [])
    print(f"{'retrieval':9} {'SciFact nDCG@10':>16} {'recall@100':>11} {'SQuAD recall@5':>15}")
    for mode in ("dense", "lexical", "hybrid"):
        a = json.loads(
            footnote(
                HOME / "scifact", "--retrieval", mode, "eval", "retrieval", str(scifact), "--json"
            )
        )["metrics"]
        b = json.loads(
            footnote(HOME / "squad", "--retrieval", mode, "eval", "retrieval", str(squad), "--json")
        )["metrics"]
        print(
            f"{mode:9} {_ci(a['ndcg@10']):>16} {_ci(a['recall@100']):>11} {_ci(b['recall@5']):>15}",
            flush=True,
        )


def _ci(m: dict) -> str:
    return f"{m['value']:.3f}±{(m['high'] - m['low']) / 2:.3f}"


def _latency(fn, queries) -> tuple[float, float]:
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def sweep() -> None:
    import faiss

    from rag.retrieval.lexical import BM25Index
    from rag.retrieval.vectors import FaissIndex

    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(0)
    vocab = np.array([f"w{i}" for i in range(50_000)])
    zipf = 1 / np.arange(1, len(vocab) + 1)
    zipf /= zipf.sum()
    print(f"\n{'leg':7} {'chunks':>9} {'build s':>8} {'MB':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for n in SIZES:
        vectors = rng.standard_normal((n, 384), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = np.arange(n, dtype=np.int64)
        t0 = time.perf_counter()
        index = FaissIndex(384, num_gpus=0)
        index.add(ids, vectors)
        build = time.perf_counter() - t0
        mb = faiss.serialize_index(index._cpu).nbytes / 1e6
        p50, p99 = _latency(lambda q, ix=index: ix.search(q[None, :], 50), vectors[:100] + 0.01)
        print(
            f"{'dense':7} {n:>9,} {build:8.1f} {mb:7.0f} {p50:8.2f} {p99:8.2f}  ({index.kind})",
            flush=True,
        )
        del vectors
        words = rng.choice(vocab, size=(n, 60), p=zipf)
        texts = [" ".join(row) for row in words]
        tracemalloc.start()
        t0 = time.perf_counter()
        bm25 = BM25Index()
        bm25.build(ids, texts)
        build = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        queries = [" ".join(row[:6]) for row in words[:100]]
        p50, p99 = _latency(lambda q, ix=bm25: ix.search([q], 50), queries)
        print(
            f"{'bm25':7} {n:>9,} {build:8.1f} {peak:7.0f} {p50:8.2f} {p99:8.2f}  "
            "(MB = peak Python allocations while building)",
            flush=True,
        )


def whole_retriever() -> None:
    from rag.settings import load_settings
    from ui.compose import App

    env = {**os.environ, "FOOTNOTE_HOME": str(HOME / "scifact")}
    app = App(load_settings(environ=env)[0])
    claims = [
        json.loads(line)["question"]
        for line in (HOME / "data" / "scifact" / "dataset.jsonl").open()
    ][:200]
    app.pipeline.retrieve("warm up")
    print(
        f"\nwhole retriever on SciFact ({app.store.count_chunks():,} chunks), k=10, "
        "including the query embedding:"
    )
    for mode in ("dense", "lexical", "hybrid"):
        app.retriever.mode = mode
        p50, p99 = _latency(lambda q: app.pipeline.retrieve(q, 10), claims)
        print(f"  {mode:8} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms", flush=True)


def peer() -> None:
    python = os.environ.get("BENCH_PEER_PYTHON")
    if not python:
        print("\npeer (LangChain FAISS): skipped; set BENCH_PEER_PYTHON to run it")
        return
    script = Path(__file__).with_name("peer_langchain.py")
    from rag.models.packaged import embedder_path

    subprocess.run(
        [python, str(script), str(HOME / "data" / "scifact"), embedder_path("")], check=True
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:  # Footnote on the same corpus, right after
        t0 = time.perf_counter()
        out = footnote(Path(tmp), "ingest", str(HOME / "data" / "scifact" / "corpus"))
        seconds = time.perf_counter() - t0
    chunks = int(out.split("(")[1].split(" new chunks")[0])
    print(
        f"footnote ingest, same corpus, same run: {chunks:,} chunks in {seconds:.1f} s "
        f"({chunks / seconds:.1f} chunks/s, model load and BM25 build included)",
        flush=True,
    )


if __name__ == "__main__":
    quality()
    whole_retriever()
    peer()
    sweep()
