"""Embedding backends side by side: the packaged MiniLM on torch in fp32 (batches of 16, the
default before issue 27), on torch in bf16 (batches of 8: the default now on CPUs with bf16
instructions) and as ONNX int8 on onnxruntime (when the onnx extra is installed). Throughput on
the same SciFact abstracts (alternating rounds, median), and SciFact nDCG@10 of dense retrieval
over the whole corpus (809 train claims, exact search) for each.

    python bench/bench_embed.py
"""

from __future__ import annotations

import importlib.util
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("FOOTNOTE_DATA", ROOT.parent / "shared" / "data"))
ROUNDS, ROUND_TEXTS = 3, 300


def scifact() -> tuple[list[str], list[str], list[tuple[str, set[str]]]]:
    """(doc ids, texts, [(claim, gold doc ids)]) from the SciFact CSVs."""
    from evals.importers import _ids, _read_csv, sentences_of

    corpus = _read_csv(DATA / "scifact" / "corpus_train.csv")
    ids = [r["doc_id"] for r in corpus]
    texts = [f"{r['title'].strip()}\n\n{' '.join(sentences_of(r['abstract']))}" for r in corpus]
    claims: dict[str, set[str]] = {}
    for row in _read_csv(DATA / "scifact" / "claims_train.csv"):
        claims.setdefault(row["claim"].strip(), set()).update(_ids(row["cited_doc_ids"]))
    return ids, texts, [(c, g & set(ids)) for c, g in claims.items() if g & set(ids)]


def ndcg10(ranked: list[str], gold: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in gold)
    return dcg / sum(1 / math.log2(i + 2) for i in range(min(len(gold), 10)))


def main() -> None:
    from rag.models import embedder_path
    from rag.retrieval.embedding import SentenceTransformerEmbedder
    from rag.retrieval.onnx import OnnxEmbedder

    folder = embedder_path("")
    with tempfile.TemporaryDirectory() as tmp:
        backends = {
            "torch fp32": SentenceTransformerEmbedder(
                folder, "fp32", batch_size=16, precision="fp32"
            ),
            "torch bf16": SentenceTransformerEmbedder(
                folder, "bf16", batch_size=8, precision="bf16"
            ),
        }
        if importlib.util.find_spec("onnxruntime"):
            backends["onnx int8"] = OnnxEmbedder(folder, Path(tmp), "int8")
        else:
            print("onnx int8: skipped (pip install 'footnote[onnx]' to compare it)")
        ids, texts, claims = scifact()
        for model in backends.values():
            model.embed(["warm up"])
        rates: dict[str, list[float]] = {name: [] for name in backends}
        for r in range(ROUNDS):  # alternate, so both see the same load
            batch = texts[r * ROUND_TEXTS : (r + 1) * ROUND_TEXTS]
            for name, model in backends.items():
                t0 = time.perf_counter()
                model.embed(batch)
                rates[name].append(len(batch) / (time.perf_counter() - t0))
        base = statistics.median(rates["torch fp32"])
        print(
            f"{'backend':12} {'abstracts/s (median)':>21} {'ratio':>6} {'SciFact nDCG@10':>16} "
            f"{'cosine to fp32: min / mean':>27}"
        )
        reference = None
        for name, model in backends.items():
            docs = model.embed(texts)  # (n, 384), unit norm
            reference = docs if reference is None else reference
            cosines = (docs * reference).sum(axis=1)
            queries = model.embed([c for c, _ in claims])
            order = np.argsort(-(queries @ docs.T), axis=1)[:, :10]
            gold = [g for _, g in claims]
            score = np.mean(
                [ndcg10([ids[j] for j in row], g) for row, g in zip(order, gold, strict=True)]
            )
            rate = statistics.median(rates[name])
            print(
                f"{name:12} {rate:21.1f} {rate / base:6.2f} {score:16.4f} "
                f"{cosines.min():19.5f} / {cosines.mean():.5f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
