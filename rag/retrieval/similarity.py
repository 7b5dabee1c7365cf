"""Meaning, not words: the cosine between a question and passage text (sentences, headings) with
the embedder retrieval uses, so a question in a user's words still finds the sentence that
answers it. Each distinct text is embedded once per process (a bounded cache): the units of a
passage are embedded the first time it is retrieved."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from rag.retrieval.embedding import Embedder


class Similarity:
    """Cosines to a question with `embedder`; `cache` texts' vectors kept (least recent out)."""

    def __init__(self, embedder: Embedder, cache: int = 50_000):
        self.embedder, self.size = embedder, cache
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def cosines(self, question: str, texts: list[str]) -> list[float]:
        """The cosine of each text to the question, in [-1, 1].

        >>> from rag.fakes import HashEmbedder
        >>> similar = Similarity(HashEmbedder())
        >>> same, other = similar.cosines("reset the router", ["reset the router", "bake bread"])
        >>> round(same, 3), other < same
        (1.0, True)
        """
        vectors = self.vectors([question, *texts])
        return [float(v) for v in vectors[1:] @ vectors[0]]

    def vectors(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) unit vectors, embedding only the texts not seen before."""
        keys = [" ".join(t.split()) for t in texts]
        with self._lock:
            known = {k: self._vectors[k] for k in keys if k in self._vectors}
            for key in known:
                self._vectors.move_to_end(key)
        missing = list(dict.fromkeys(k for k in keys if k not in known))
        if missing:
            known.update(zip(missing, self.embedder.embed(missing), strict=True))
            with self._lock:
                self._vectors.update((k, known[k]) for k in missing)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return np.stack([known[k] for k in keys])
