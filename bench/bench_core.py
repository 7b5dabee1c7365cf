"""Core benchmarks: ingest throughput vs raw encode, ask latency, FAISS latency and recall.

Run with `make bench`. Figures are printed side by side with their baseline from the same run;
machines are shared and noisy, so compare the ratios and quote medians.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from evals.importers import sentences_of

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("FOOTNOTE_DATA", ROOT.parent / "shared" / "data"))
N_ABSTRACTS = int(os.environ.get("BENCH_ABSTRACTS", "1000"))
N_QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "20"))
N_ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


def scifact_corpus(target: Path, n: int) -> None:
    """Write the first n SciFact abstracts as text files (title line + abstract)."""
    csv.field_size_limit(10**8)
    with open(DATA / "scifact" / "corpus_train.csv", newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            if i >= n:
                break
            abstract = " ".join(sentences_of(row["abstract"]))
            (target / f"{row['doc_id']}.txt").write_text(f"{row['title']}\n\n{abstract}\n")


def bench_ingest(home: Path, env: dict) -> dict:
    """`footnote ingest` (the defaults) against a raw fp32 encode of the same chunk texts in
    sentence-transformers (batches of 16, as before issue 27, and of 8), alternating for
    BENCH_ROUNDS rounds, each ingest into a fresh home; medians. Beside them, quality: SciFact
    nDCG@10 of dense retrieval over these abstracts (claims with a gold abstract among them),
    the ingested vectors against the raw fp32 ones of the same chunks."""
    corpus = home.parent / "scifact"
    corpus.mkdir()
    scifact_corpus(corpus, N_ABSTRACTS)
    rates: dict[str, list[float]] = {"ingest": [], "raw16": [], "raw8": []}
    for r in range(N_ROUNDS):
        run_home = home if r == 0 else home.parent / f"home-{r}"  # the first is used later
        t0 = time.perf_counter()
        cmd = [sys.executable, "-m", "ui", "ingest", str(corpus)]
        run_env = {**env, "FOOTNOTE_HOME": str(run_home)}
        subprocess.run(cmd, env=run_env, check=True, capture_output=True)
        pipeline_s = time.perf_counter() - t0
        app = _app(run_env)
        texts = app.store.chunk_texts()[1]
        rates["ingest"].append(len(texts) / pipeline_s)
        for batch in (16, 8):
            t0 = time.perf_counter()
            raw = _raw_model(app).encode(texts, batch_size=batch, normalize_embeddings=True)
            rates[f"raw{batch}"].append(len(texts) / (time.perf_counter() - t0))
        latest = {k: round(v[-1], 1) for k, v in rates.items()}
        print(f"  round {r}: {len(texts)} chunks, chunks/s {latest}", flush=True)
    median = {k: statistics.median(v) for k, v in rates.items()}
    return {
        "chunks": len(texts),
        "ingest_chunks_per_s": median["ingest"],
        "raw_fp32_batch16_chunks_per_s": median["raw16"],
        "raw_fp32_batch8_chunks_per_s": median["raw8"],
        "ratio_vs_raw_batch16": median["ingest"] / median["raw16"],
        "ratio_vs_raw_batch8": median["ingest"] / median["raw8"],
        **scifact_ndcg(app, raw),  # the last round's home and raw vectors
    }


def _app(env: dict):
    from rag.settings import load_settings
    from ui.compose import App

    return App(load_settings(environ=env)[0])


def _raw_model(app):
    """The packaged MiniLM, fp32 on the CPU, loaded anew (the CLI pays the load too)."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(app.embedder_path, device="cpu")


def scifact_ndcg(app, raw_vectors: np.ndarray) -> dict:
    """nDCG@10 of dense retrieval over the ingested abstracts: the store's vectors (queries
    embedded by the app's embedder) and `raw_vectors` of the same chunks (queries in fp32)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_embed import ndcg10, scifact

    ids, texts = app.store.chunk_texts()
    hits = app.store.hits(ids.tolist(), [0.0] * len(ids))  # Python ints: numpy ones bind as blobs
    doc_of = np.array([Path(h.source).stem for h in hits])
    stored = {}  # vector id -> the vector the ingest cached
    for vector_ids, vectors in app.store.embeddings.vectors(app.embedder.name):
        stored.update(zip(vector_ids.tolist(), vectors, strict=True))
    ingested = np.stack([stored[i] for i in ids.tolist()])
    claims = [(c, g & set(doc_of)) for c, g in scifact()[2] if g & set(doc_of)]
    queries = [c for c, _ in claims]
    out = {"claims": len(claims)}
    raw_queries = _raw_model(app).encode(queries, normalize_embeddings=True)
    for name, docs, q in (
        ("ndcg@10_ingested", ingested, app.embedder.embed(queries)),
        ("ndcg@10_raw_fp32", raw_vectors, raw_queries),
    ):
        sims = q @ docs.T  # (claims, chunks): a document scores as its best chunk
        scores = []
        for row, (_, gold) in zip(sims, claims, strict=True):
            ranked = list(dict.fromkeys(doc_of[np.argsort(-row)]))[:10]
            scores.append(ndcg10(ranked, gold))
        out[name] = float(np.mean(scores))
    return out


def bench_ask(home: Path, env: dict) -> dict:
    from rag.settings import load_settings
    from ui.compose import App

    squad = json.loads((DATA / "squad-v1.1" / "dev-v1.1.part.json").read_text())
    corpus = home.parent / "squad"
    corpus.mkdir()
    questions = []
    for article in squad["data"][:3]:
        for i, para in enumerate(article["paragraphs"]):
            (corpus / f"{article['title']}_{i}.txt").write_text(para["context"])
            questions += [q["question"] for q in para["qas"][:1]]
    env = {**env, "FOOTNOTE_HOME": str(home / "squad")}
    subprocess.run(
        [sys.executable, "-m", "ui", "ingest", str(corpus)],
        env=env,
        check=True,
        capture_output=True,
    )
    app = App(load_settings(environ=env)[0])
    app.pipeline.ask("warm up the models")
    rows = [app.pipeline.ask(q).timings for q in questions[::7][:N_QUESTIONS]]
    med = {
        k: statistics.median(r.get(k, 0.0) for r in rows)
        for k in ("retrieval_s", "first_token_s", "decode_tokens_per_s", "verify_s", "total_s")
    }
    return {"questions": len(rows), **med}


def bench_faiss(real: np.ndarray | None) -> list[dict]:
    from rag.retrieval.vectors import FaissIndex, NumpyIndex

    rng = np.random.default_rng(0)
    out = []
    for n in (10_000, 100_000):
        centers = rng.standard_normal((200, 384)).astype(np.float32)
        vectors = centers[rng.integers(0, 200, n)] + 0.5 * rng.standard_normal((n, 384)).astype(
            np.float32
        )
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        out += _faiss_case(f"synthetic {n:,}", vectors, FaissIndex, NumpyIndex)
    if real is not None:
        out += _faiss_case(f"real MiniLM {len(real):,}", real, FaissIndex, NumpyIndex)
    return out


def _faiss_case(label, vectors, FaissIndex, NumpyIndex) -> list[dict]:
    ids = np.arange(len(vectors), dtype=np.int64)
    queries = vectors[:: max(1, len(vectors) // 200)][:200] + 0.05
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact = NumpyIndex(vectors.shape[1])
    exact.add(ids, vectors)
    want = exact.search(queries, 10)[1]
    rows = []
    for exact_max in (len(vectors), 0):  # exact, then IVF
        index = FaissIndex(vectors.shape[1], exact_max=exact_max, num_gpus=0)
        t0 = time.perf_counter()
        index.add(ids, vectors)
        build_s = time.perf_counter() - t0
        lat, got = [], []
        for q in queries:
            t0 = time.perf_counter()
            got.append(index.search(q[None, :], 10)[1][0])
            lat.append((time.perf_counter() - t0) * 1000)
        recall = np.mean([len(set(w) & set(g)) / 10 for w, g in zip(want, got, strict=True)])
        rows.append(
            {
                "case": label,
                "index": index.kind,
                "build_s": build_s,
                "p50_ms": float(np.percentile(lat, 50)),
                "p99_ms": float(np.percentile(lat, 99)),
                "recall@10": float(recall),
            }
        )
    return rows


def main() -> None:
    import faiss

    faiss.omp_set_num_threads(1)  # single-query latency, as a server thread sees it
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        from rag.settings import load_settings

        models = load_settings()[0].models_path  # the user's installed models, not the temp home
        env = {**os.environ, "FOOTNOTE_HOME": str(home), "FOOTNOTE_MODELS_DIR": str(models)}
        print(f"== ingest vs raw fp32 encode: {N_ABSTRACTS} SciFact abstracts ==", flush=True)
        ingest = bench_ingest(home, env)
        print(json.dumps(ingest, indent=1), flush=True)
        from ui.compose import App

        app = App(load_settings(environ=env)[0])
        real = np.concatenate([v for _, v in app.store.embeddings.vectors(app.embedder.name)])
        print(f"== ask: median over {N_QUESTIONS} SQuAD questions ==", flush=True)
        print(json.dumps(bench_ask(home, env), indent=1), flush=True)
    print("== FAISS: single query, 1 thread, 200 queries ==", flush=True)
    print(f"{'case':22} {'index':6} {'build s':>8} {'p50 ms':>8} {'p99 ms':>8} {'recall@10':>9}")
    for r in bench_faiss(real):
        print(
            f"{r['case']:22} {r['index']:6} {r['build_s']:8.2f} {r['p50_ms']:8.3f} "
            f"{r['p99_ms']:8.3f} {r['recall@10']:9.3f}"
        )


if __name__ == "__main__":
    main()
