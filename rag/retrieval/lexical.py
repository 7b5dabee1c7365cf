"""BM25 over chunk texts (bm25s), keyed by the same vector ids as the dense index.

A cache like the vector index: built from the store, saved next to it without pickle, and
rebuilt (it takes seconds) whenever it is missing, stale or built with other settings.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from rag.text.words import stem_words

log = logging.getLogger(__name__)


def _bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import
    return bm25s


IDS_FILE, META_FILE = "vector_ids.npy", "lexical.json"


class BM25Index:
    """Okapi BM25 (Lucene variant) with English stopwords and Snowball stemming."""

    SETTINGS = {"method": "lucene", "k1": 1.2, "b": 0.75, "stopwords": "en", "stemmer": "snowball"}

    def __init__(self):
        self._bm25 = None
        self.ids = np.zeros(0, np.int64)

    def __len__(self) -> int:
        return len(self.ids)

    def _tokenize(self, texts: list[str], ids: bool):
        return _bm25s().tokenize(
            texts, stopwords="en", stemmer=stem_words, return_ids=ids, show_progress=False
        )

    def build(self, vector_ids: np.ndarray, texts: list[str]) -> None:
        bm25s = _bm25s()
        self.ids = np.asarray(vector_ids, np.int64)
        self._bm25 = None
        if len(texts):
            self._bm25 = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
            self._bm25.index(self._tokenize(texts, True), show_progress=False)

    def search(
        self, queries: list[str], k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[list[int], list[float]]]:
        """Per query: (vector ids, BM25 scores) of the top k, restricted to `allowed` ids."""
        if self._bm25 is None or k <= 0:
            return [([], []) for _ in queries]
        mask = None
        if allowed is not None:
            mask = np.isin(self.ids, allowed).astype(np.float32)
            if not mask.any():
                return [([], []) for _ in queries]
        k = min(k, len(self.ids) if mask is None else int(mask.sum()))
        tokens = self._tokenize(queries, False)
        out = []
        for query in tokens:
            if not query:  # only stopwords: BM25 has nothing to say
                out.append(([], []))
                continue
            docs, scores = self._bm25.retrieve(
                [query], k=k, show_progress=False, weight_mask=mask, n_threads=1
            )
            keep = scores[0] > 0
            out.append((self.ids[docs[0][keep]].tolist(), scores[0][keep].tolist()))
        return out

    def save(self, directory: Path, meta: dict) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(directory), allow_pickle=False, show_progress=False)
        np.save(directory / IDS_FILE, self.ids, allow_pickle=False)
        (directory / META_FILE).write_text(
            json.dumps({**meta, **self.SETTINGS, "count": len(self)})
        )

    @classmethod
    def load(cls, directory: Path, meta: dict) -> BM25Index | None:
        """The saved index, or None when missing, corrupt, stale or built differently."""
        bm25s = _bm25s()

        try:
            stored = json.loads((directory / META_FILE).read_text())
            if stored != {**meta, **cls.SETTINGS, "count": stored.get("count")}:
                return None
            index = cls()
            index.ids = np.load(directory / IDS_FILE, allow_pickle=False)
            if len(index.ids):
                index._bm25 = bm25s.BM25.load(
                    str(directory), allow_pickle=False, show_progress=False, verbosity=0
                )
        except (OSError, ValueError, KeyError) as exc:
            log.info("lexical index in %s unusable (%s): rebuilding", directory, exc)
            return None
        return index if len(index.ids) == stored["count"] else None
