"""Peer baseline: LangChain's FAISS vector store + HuggingFaceEmbeddings (same MiniLM model,
same chunking) on an imported dataset. Run by bench_retrieval.py in a separate environment
(langchain-huggingface pins a huggingface_hub that Footnote's environment does not use).

usage: python peer_langchain.py DATASET_DIR MODEL_DIR
"""

import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from langchain_community.vectorstores import FAISS  # noqa: E402
from langchain_huggingface import HuggingFaceEmbeddings  # noqa: E402
from langchain_text_splitters import RecursiveCharacterTextSplitter  # noqa: E402


def main(directory: Path, model: str) -> None:
    splitter = RecursiveCharacterTextSplitter(chunk_size=800, chunk_overlap=100)
    texts, metas = [], []
    for path in sorted((directory / "corpus").iterdir()):
        for piece in splitter.split_text(path.read_text()):
            texts.append(piece)
            metas.append({"source": f"corpus/{path.name}"})
    embeddings = HuggingFaceEmbeddings(
        model_name=model, encode_kwargs={"normalize_embeddings": True}
    )
    t0 = time.perf_counter()
    store = FAISS.from_texts(texts, embeddings, metadatas=metas)
    ingest_s = time.perf_counter() - t0
    rows = [json.loads(line) for line in (directory / "dataset.jsonl").open()]
    ndcgs, times = [], []
    for row in rows:
        t0 = time.perf_counter()
        docs = store.similarity_search(row["question"], k=50)
        times.append((time.perf_counter() - t0) * 1000)
        ranked = list(dict.fromkeys(d.metadata["source"] for d in docs))[:10]
        gold = set(row["gold_sources"])
        dcg = sum(1 / math.log2(i + 2) for i, s in enumerate(ranked) if s in gold)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(gold))))
        ndcgs.append(dcg / ideal)
    print(
        f"\npeer LangChain FAISS + HuggingFaceEmbeddings: {len(texts):,} chunks ingested in "
        f"{ingest_s:.1f} s ({len(texts) / ingest_s:.1f} chunks/s); nDCG@10 "
        f"{np.mean(ndcgs):.3f}; query p50 {np.percentile(times, 50):.1f} ms, "
        f"p99 {np.percentile(times, 99):.1f} ms"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
