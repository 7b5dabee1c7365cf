"""Retrieval: dense, lexical (BM25) or hybrid (reciprocal rank fusion), with filters applied inside
each search, near-duplicate removal and optional maximal marginal relevance."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from rag.errors import ConfigError
from rag.retrieval.embedding import Embedder
from rag.retrieval.indexer import Indexer
from rag.retrieval.rerank import Reranker
from rag.retrieval.similarity import Similarity
from rag.storage.store import Store
from rag.text.overlap import weighted_coverage
from rag.types import Hit, content_hash

log = logging.getLogger(__name__)
MODES = ("dense", "lexical", "hybrid")


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to documents matching every given condition."""

    collections: tuple[str, ...] = ()
    source_prefix: str = ""  # path or URL prefix
    since: str = ""  # ISO date, inclusive; documents without a date are excluded
    until: str = ""

    def __bool__(self) -> bool:
        return bool(self.collections or self.source_prefix or self.since or self.until)


def rrf(rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int = 60) -> list[int]:
    """Reciprocal rank fusion: ids ordered by sum of weight / (k + rank) over the rankings.

    >>> rrf([[1, 2, 3], [3, 1]], [1.0, 1.0])
    [1, 3, 2]
    """
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores, key=lambda i: -scores[i])


def mmr(query: np.ndarray, vectors: np.ndarray, k: int, lam: float) -> list[int]:
    """Maximal marginal relevance: positions of k rows balancing relevance and novelty.

    >>> v = np.array([[1.0, 0.0], [0.99, 0.14], [0.0, 1.0]])
    >>> mmr(np.array([0.8, 0.6]), v, 2, 0.5)
    [1, 2]
    """
    relevance = vectors @ query
    chosen: list[int] = []
    while len(chosen) < min(k, len(vectors)):
        redundancy = (vectors @ vectors[chosen].T).max(axis=1) if chosen else 0.0
        score = lam * relevance - (1 - lam) * redundancy
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen


class Retriever:
    """Finds the passages for questions; `Hit.score` is always the cosine to the question."""

    def __init__(
        self,
        store: Store,
        indexer: Indexer,
        embedder: Embedder,
        *,
        mode: str,
        candidates: int,
        rrf_k: int,
        dense_weight: float,
        lexical_weight: float,
        mmr_lambda: float,
        title_match: float = 1.0,
        reranker: Reranker | None = None,
    ):
        if mode not in MODES:
            raise ConfigError(f"retrieval={mode!r} is not one of {', '.join(MODES)}")
        self.store, self.indexer, self.embedder, self.mode = store, indexer, embedder, mode
        self.candidates, self.rrf_k, self.mmr_lambda = candidates, rrf_k, mmr_lambda
        self.reranker, self.title_match = reranker, title_match
        self.weights = (dense_weight, lexical_weight)
        self.similarity = Similarity(embedder)  # cosines of a question to passage sentences

    def search(
        self, questions: list[str], k: int, filters: Filters | None = None
    ) -> list[list[Hit]]:
        """The top-k hits per question, best first."""
        allowed = self.store.allowed_vector_ids(filters) if filters else None
        if allowed is not None and len(allowed) == 0:
            log.info("retrieval: no passage matches the filters %s", filters)
            return [[] for _ in questions]
        queries = self.embedder.embed(questions)  # (q, dim)
        depth = max(k, self.candidates) if self.mode == "hybrid" or self.mmr_lambda else k
        legs = []
        if self.mode in ("dense", "hybrid"):
            legs.append([ids for ids, _ in self.indexer.search(queries, depth, allowed)])
        if self.mode in ("lexical", "hybrid"):
            legs.append([ids for ids, _ in self.indexer.lexical.search(questions, depth, allowed)])
        out = []
        for i, query in enumerate(queries):
            rankings = [leg[i] for leg in legs]
            order = rrf(rankings, self.weights, self.rrf_k) if len(legs) > 1 else rankings[0]
            hits = self._finish(query, order[: max(2 * k, depth)], max(2 * k, depth))
            hits = self._titles_first(questions[i], hits)[: max(k, self._rerank_depth)]
            if self.reranker is not None:
                hits = self.reranker.rerank(questions[i], hits)
            out.append(hits[:k])
            log.info(
                "retrieval (%s): %d passages for %r: %s",
                self.mode,
                len(out[-1]),
                questions[i][:80],
                "; ".join(f"{h.title or h.source} (cosine {h.score:.2f})" for h in out[-1]),
            )
        return out

    def _titles_first(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Passages whose section title is the question (its heading holds `title_match` of
        the question's words, by specificity) go first, in their order: documentation answers
        a question where it titles a section (1 = off)."""
        if self.title_match >= 1 or not any(h.chunk.heading for h in hits):
            return hits
        weights = self.indexer.terms.weights(question)
        titled = [
            h
            for h in hits
            if h.chunk.heading and weighted_coverage(weights, h.chunk.section) >= self.title_match
        ]
        return titled + [h for h in hits if h not in titled]

    @property
    def _rerank_depth(self) -> int:
        return getattr(self.reranker, "depth", 0) if self.reranker is not None else 0

    def _finish(self, query: np.ndarray, order: list[int], k: int) -> list[Hit]:
        hits = self._unique(self.store.hits(order, [0.0] * len(order)))
        if not hits:
            return []
        cached = self.store.embeddings.get([h.chunk.text_hash for h in hits], self.embedder.name)
        hits = [h for h in hits if h.chunk.text_hash in cached]  # else still being ingested
        if not hits:
            return []
        vectors = np.stack([cached[h.chunk.text_hash] for h in hits])
        cosines = vectors @ query
        hits = [replace(h, score=float(c)) for h, c in zip(hits, cosines, strict=True)]
        if self.mmr_lambda:
            return [hits[j] for j in mmr(query, vectors, k, self.mmr_lambda)]
        return hits[:k]

    @staticmethod
    def _unique(hits: list[Hit]) -> list[Hit]:
        """Drop passages whose text (case and spacing aside) an earlier hit already has."""
        seen, out = set(), []
        for hit in hits:
            key = content_hash(" ".join(hit.chunk.text.lower().split()))
            if key not in seen:
                seen.add(key)
                out.append(hit)
        return out
