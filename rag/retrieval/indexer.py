"""Keeps the vector index in step with the store: embeds new chunks, removes gone ones, rebuilds."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rag.errors import IndexMismatchError
from rag.retrieval.embedding import Embedder
from rag.retrieval.lexical import BM25Index
from rag.retrieval.terms import TermStats
from rag.retrieval.vectors import META_FILE, FaissIndex, load_index, save_index
from rag.storage.store import Store
from rag.types import Chunk

log = logging.getLogger(__name__)


class Indexer:
    """The FAISS index (a cache) plus the embedding cache in the store (the truth).

    Thread-safe (one lock around index changes and searches), and it follows other processes:
    when another process (a CLI ingest, an API job) saves the index, the next search reloads it.
    """

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        directory: Path,
        chunking: dict,
        *,
        exact_max: int,
        nprobe_ratio: float,
        backend: str,
        ef_search: int,
    ):
        self.store, self.embedder, self.directory = store, embedder, directory
        self.backend = backend  # faiss (files next to the database) | pgvector (in PostgreSQL)
        self.ef_search = ef_search  # pgvector HNSW candidates per query
        self.chunking, self.exact_max, self.nprobe_ratio = chunking, exact_max, nprobe_ratio
        self._index: FaissIndex | None = None
        self._lexical: BM25Index | None = None
        self._terms: TermStats | None = None
        self._lexical_stale = False
        self._lock = threading.RLock()
        self._saved_stamp: float | None = None  # mtime of the index metadata we last saw

    @property
    def meta(self) -> dict:
        """The settings the index depends on; a saved index must match them to be loaded."""
        return {"embedding_model": self.embedder.name, "dim": self.embedder.dim, **self.chunking}

    def _stamp(self) -> float | None:
        try:
            return (self.directory / META_FILE).stat().st_mtime
        except OSError:
            return None

    def _follow_other_writers(self) -> None:
        if self.backend == "pgvector":
            return  # one shared database: every process sees every change
        if self._index is not None and self._stamp() != self._saved_stamp:
            log.info("index saved by another process: reloading")
            self._index, self._lexical, self._terms = None, None, None

    @property
    def index(self) -> FaissIndex:
        """The loaded index: from disk if present and matching, else built from the store."""
        if self._index is None and self.backend == "pgvector":
            self._index = self._pgvector()
        if self._index is None:
            self._saved_stamp = self._stamp()
            loaded = load_index(self.directory, self.meta, self.exact_max, self.nprobe_ratio)
            if loaded is None:
                loaded = self._build()
            elif len(loaded) != self.store.count_chunks():
                # an interrupted ingest left the cache behind the store: catch up
                log.warning(
                    "index holds %d vectors, store %d chunks: rebuilding",
                    len(loaded),
                    self.store.count_chunks(),
                )
                loaded = self._build()
            self._index = loaded
        return self._index

    @property
    def lexical(self) -> BM25Index:
        """The BM25 index over the stored chunks, loaded or rebuilt (seconds) when stale."""
        with self._lock:
            return self._load_lexical()

    @property
    def terms(self) -> TermStats:
        """Document frequencies of the stored chunks' words, kept with the lexical index."""
        with self._lock:
            if self.backend == "pgvector":
                if self._terms is None or self._terms.documents != self.store.count_chunks():
                    self._terms = TermStats.build(self.store.chunk_texts()[1])
                return self._terms
            self._load_lexical()
            return self._terms

    def _load_lexical(self) -> BM25Index:
        if self.backend == "pgvector":  # PostgreSQL full-text search, always current
            return self.store.text_index()
        if self._lexical is None or self._lexical_stale:
            directory = self.directory / "lexical"
            fresh = not self._lexical_stale
            loaded = BM25Index.load(directory, self.chunking) if fresh else None
            terms = TermStats.load(directory, self.chunking) if fresh else None
            if loaded is None or terms is None or len(loaded) != self.store.count_chunks():
                ids, texts = self.store.chunk_texts()
                loaded, terms = BM25Index(), TermStats.build(texts)
                loaded.build(ids, texts)
                loaded.save(directory, self.chunking)
                terms.save(directory, self.chunking)
            self._lexical, self._terms, self._lexical_stale = loaded, terms, False
        return self._lexical

    def load(self) -> None:
        """Load (or build) the index now: before storing chunks whose vectors come later, or
        the build would embed them on the spot, on the caller's thread."""
        with self._lock:
            self.index  # noqa: B018 - loads

    def uncached(self, chunks: Sequence[Chunk]) -> dict[str, str]:
        """Text hash -> text of the chunks whose text has no cached vector (each text once:
        identical chunks, on one page or many, are embedded once)."""
        texts = {c.text_hash: c.indexed_text for c in chunks}
        cached = self.store.embeddings.get(texts, self.embedder.name)
        return {h: t for h, t in texts.items() if h not in cached}

    def add(self, chunks: Sequence[Chunk], vectors: dict[str, np.ndarray] | None = None) -> None:
        """Add chunks to the index. `vectors` (text hash -> vector) were embedded elsewhere,
        e.g. on the ingest's embedding thread: they are cached; texts with neither a given nor
        a cached vector are embedded here."""
        if not chunks:
            return
        with self._lock:
            self._add(chunks, vectors or {})

    def _add(self, chunks: Sequence[Chunk], given: dict[str, np.ndarray]) -> None:
        texts = {c.text_hash: c.indexed_text for c in chunks}
        if given:
            self._check_dim(next(iter(given.values())).shape[0])
            self.store.embeddings.put(self.embedder.name, given)
        wanted = [h for h in texts if h not in given]
        by_hash = {**self.store.embeddings.get(wanted, self.embedder.name), **given}
        by_hash.update(self._store_vectors([(h, t) for h, t in texts.items() if h not in by_hash]))
        vectors = np.stack([by_hash[c.text_hash] for c in chunks])
        self.index.add(np.array([c.vector_id for c in chunks], np.int64), vectors)
        self._lexical_stale = True

    def remove(self, vector_ids: Sequence[int]) -> None:
        if vector_ids:
            with self._lock:
                self.index.remove(np.array(vector_ids, np.int64))
                self._lexical_stale = True

    def save(self) -> None:
        if self.backend == "pgvector":
            return  # every change is already committed to the database
        with self._lock:
            if self._index is not None:
                save_index(self._index, self.directory, self.meta)
                self._saved_stamp = self._stamp()
            if self._lexical_stale:
                self.lexical  # noqa: B018 - rebuild and save now, not at the first question

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the index from the store (embedding chunks that lack a vector); return size."""
        with self._lock:
            if self.backend == "pgvector":
                self._index = self._pgvector(rebuild=True, progress=progress)
                return len(self._index)
            self._index = self._build(progress)
            self._lexical_stale = True
            self.save()
            return len(self._index)

    def _pgvector(self, rebuild: bool = False, progress=None):
        """The pgvector index, caught up with the store (vectors are copied from the embedding
        cache when chunks lack them, e.g. after switching backends)."""
        index = self.store.vector_index(self.embedder.dim, self.ef_search)
        if rebuild or len(index) != self.store.count_chunks():
            self._embed_all_missing(progress)
            index.clear()
            for ids, vectors in self.store.embeddings.vectors(self.embedder.name):
                index.add(ids, vectors)
        return index

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[list[int], list[float]]]:
        """Per query vector (rows of (q, dim)): the top-k (vector ids, cosine scores), only
        among `allowed` vector ids when given."""
        with self._lock:
            self._follow_other_writers()
            if len(self.index) == 0:
                return [([], []) for _ in queries]
            scores, ids = self.index.search(queries, k, allowed)
        return [(i[i >= 0].tolist(), s[i >= 0].tolist()) for i, s in zip(ids, scores, strict=True)]

    def _build(self, progress: Callable[[int], None] | None = None) -> FaissIndex:
        self._embed_all_missing(progress)
        index = FaissIndex(self.embedder.dim, self.exact_max, self.nprobe_ratio)
        parts = list(self.store.embeddings.vectors(self.embedder.name))
        if parts:
            ids = np.concatenate([p[0] for p in parts])
            index.add(ids, np.concatenate([p[1] for p in parts]))
        return index

    def _embed_all_missing(self, progress: Callable[[int], None] | None) -> None:
        missing = self.store.embeddings.missing(self.embedder.name)
        for start in range(0, len(missing), 1024):
            batch = missing[start : start + 1024]
            self._store_vectors(batch)
            if progress:
                progress(len(batch))

    def _store_vectors(self, hashed_texts: list[tuple[str, str]]) -> dict[str, np.ndarray]:
        """Embed the texts, cache the vectors in the store, and return them by text hash."""
        if not hashed_texts:
            return {}
        vectors = self.embedder.embed([t for _, t in hashed_texts])
        self._check_dim(vectors.shape[1])
        computed = dict(zip([h for h, _ in hashed_texts], vectors, strict=True))
        self.store.embeddings.put(self.embedder.name, computed)
        return computed

    def _check_dim(self, dim: int) -> None:
        if dim != self.embedder.dim:
            raise IndexMismatchError(
                f"embedder returned {dim}-d vectors, expected {self.embedder.dim}"
            )
