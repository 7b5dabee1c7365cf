"""Scale-out benchmarks (issue 9): pgvector HNSW against FAISS and exact search on synthetic
384-d vectors; bulk loading with COPY against row inserts; Ray ingestion with 1 and 2 workers
against the single-process path on the same corpus.

    python bench/bench_scale.py                 # BENCH_SCALE_SIZES=100000 (comma-separated)
    BENCH_SCALE_PARTS=vectors BENCH_SCALE_SIZES=1000000 python bench/bench_scale.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from rag.retrieval.vectors import FaissIndex, NumpyIndex  # noqa: E402
from rag.storage.postgres import PgVectorIndex  # noqa: E402

DIM = 384
SIZES = [int(n) for n in os.environ.get("BENCH_SCALE_SIZES", "100000").split(",")]
QUERIES = 200
BULK_ABOVE = int(os.environ.get("BENCH_SCALE_BULK_ABOVE", "200000"))
PARTS = os.environ.get("BENCH_SCALE_PARTS", "insert,vectors,ray").split(",")


def clustered(rng, n: int, centers: np.ndarray) -> np.ndarray:
    v = centers[rng.integers(0, len(centers), n)] + 0.35 * rng.standard_normal((n, DIM)) / 20
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def timed_search(index, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, list[float]]:
    ids, times = [], []
    for q in queries:
        started = time.perf_counter()
        _, found = index.search(q[None, :], k)
        times.append((time.perf_counter() - started) * 1000)
        ids.append(found[0])
    return np.array(ids), times


def recall(want: np.ndarray, got: np.ndarray) -> float:
    return float(np.mean([len(set(w) & set(g)) / len(w) for w, g in zip(want, got, strict=True)]))


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def vector_bench(url: str) -> None:
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((200, DIM)).astype(np.float32)
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    for n in SIZES:
        vectors = clustered(rng, n, centers)
        queries = clustered(rng, QUERIES, centers)
        ids = np.arange(n, dtype=np.int64)
        exact = NumpyIndex(DIM)
        exact.add(ids, vectors)
        want, _ = timed_search(exact, queries)
        faiss_flat = FaissIndex(DIM, exact_max=n + 1, num_gpus=0)
        faiss_ivf = FaissIndex(DIM, exact_max=0, nprobe_ratio=0.15, num_gpus=0)
        faiss_flat.add(ids, vectors)
        started = time.perf_counter()
        faiss_ivf.add(ids, vectors)
        ivf_build = time.perf_counter() - started
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS chunk_vectors")
        pg = PgVectorIndex(engine, DIM)
        bulk = n > BULK_ABOVE  # load first, index after: the fast path for a big first load
        if bulk:
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP INDEX chunk_vectors_hnsw")
        started = time.perf_counter()
        for start in range(0, n, 50_000):
            pg.add(ids[start : start + 50_000], vectors[start : start + 50_000])
        pg_load = time.perf_counter() - started
        print(f"\n{n:,} vectors, {DIM}-d, {QUERIES} queries, recall@10 against exact search:")
        if bulk:
            started = time.perf_counter()
            PgVectorIndex(engine, DIM)  # creates the HNSW index over the loaded rows
            build = time.perf_counter() - started
            print(f"  pgvector COPY {pg_load:.0f} s, then HNSW build {build:.0f} s")
        else:
            print(f"  pgvector COPY + HNSW insert: {pg_load:.0f} s ({n / pg_load:,.0f} vectors/s)")
        print(f"  FAISS IVF train + add:       {ivf_build:.1f} s")
        rows = [
            ("exact numpy", exact),
            ("FAISS flat", faiss_flat),
            ("FAISS IVF (15% probes)", faiss_ivf),
        ]
        for ef in (40, 100, 200):
            pg.ef_search = ef
            rows.append((f"pgvector HNSW ef_search={ef}", pg))
            got, times = timed_search(pg, queries)
            print(
                f"  {rows[-1][0]:28} recall {recall(want, got):.3f}  "
                f"p50 {pct(times, 50):6.2f} ms  p99 {pct(times, 99):6.2f} ms"
            )
        for name, index in rows[:3]:
            got, times = timed_search(index, queries)
            print(
                f"  {name:28} recall {recall(want, got):.3f}  "
                f"p50 {pct(times, 50):6.2f} ms  p99 {pct(times, 99):6.2f} ms"
            )
        engine.dispose()


def insert_bench(url: str, n: int = 20_000) -> None:
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS chunk_vectors")
    pg = PgVectorIndex(engine, DIM)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX chunk_vectors_hnsw")  # measure loading alone
    started = time.perf_counter()
    pg.add(np.arange(n, dtype=np.int64), vectors)
    copy_s = time.perf_counter() - started
    rows = [
        {"i": int(i) + n, "v": "[" + ",".join(f"{x:.6f}" for x in vec) + "]"}
        for i, vec in enumerate(vectors)
    ]
    started = time.perf_counter()
    with engine.begin() as conn:
        for row in rows:
            conn.execute(sa.text("INSERT INTO chunk_vectors VALUES (:i, CAST(:v AS vector))"), row)
    row_s = time.perf_counter() - started
    print(
        f"\nbulk loading {n:,} vectors (no index): COPY {n / copy_s:,.0f}/s, "
        f"row INSERTs {n / row_s:,.0f}/s ({row_s / copy_s:.1f}x slower)"
    )
    engine.dispose()


def ray_bench() -> None:
    from bench_core import scifact_corpus

    corpus = Path(tempfile.mkdtemp(prefix="footnote-scale-corpus-"))
    scifact_corpus(corpus, int(os.environ.get("BENCH_SCALE_DOCS", "500")))
    footnote = str(Path(sys.executable).with_name("footnote"))
    ns = f"footnote-bench-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    subprocess.run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"], check=True)
    try:
        print(f"\ningest of {len(list(corpus.iterdir()))} SciFact abstracts (fresh store each):")
        for name, extra in (
            ("single process", []),
            ("Ray, 1 worker", ["--ray", "auto", "--ray-workers", "1"]),
            ("Ray, 2 workers", ["--ray", "auto", "--ray-workers", "2"]),
        ):
            home = tempfile.mkdtemp(prefix="footnote-scale-home-")
            env = {**os.environ, "FOOTNOTE_HOME": home, "RAY_USAGE_STATS_ENABLED": "0"}
            command = [footnote, "ingest", *extra, str(corpus)]
            if extra:
                command = ["ip", "netns", "exec", ns, *command]
            started = time.perf_counter()
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            wall = time.perf_counter() - started
            print(f"  {name:15} {wall:6.1f} s wall  ({out.stdout.strip().splitlines()[0]})")
            shutil.rmtree(home, ignore_errors=True)
    finally:
        subprocess.run(["ip", "netns", "delete", ns], check=False)


def main() -> None:
    import pgserver

    data = Path(tempfile.mkdtemp(prefix="footnote-scale-pg-"))
    server = pgserver.get_server(data, cleanup_mode="stop")
    url = "postgresql+psycopg://" + server.get_uri().split("://", 1)[1]
    # HNSW builds much faster when the graph fits in maintenance memory
    server.psql("ALTER SYSTEM SET maintenance_work_mem = '4GB';")
    server.psql("ALTER SYSTEM SET max_parallel_maintenance_workers = 2;")
    server.psql("SELECT pg_reload_conf();")
    try:
        if "insert" in PARTS:
            insert_bench(url)
        if "vectors" in PARTS:
            vector_bench(url)
    finally:
        server.cleanup()
    if "ray" in PARTS:
        ray_bench()


if __name__ == "__main__":
    main()
