"""Embedders: text -> L2-normalised float32 vectors. One interface, loaded lazily."""

from __future__ import annotations

import os
from typing import Protocol

import numpy as np

from rag.errors import ModelError


class Embedder(Protocol):
    """Turns texts into unit vectors of `dim` dimensions. `name` keys the embedding cache."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:  # (len(texts), dim) float32, unit norm
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder; weights load on first use."""

    def __init__(self, path: str, name: str, dim: int = 384, batch_size: int = 16):
        self.path, self.name, self.dim, self.batch_size = path, name, dim, batch_size
        self._model = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar in the middle of answers

        try:
            self._model = SentenceTransformer(self.path, device="cpu" if not _has_cuda() else None)
        except Exception as exc:  # noqa: BLE001 - library raises many kinds; we name the fix
            raise ModelError(
                f"cannot load the embedding model at {self.path}: {exc}; "
                "reinstall it with `make setup` or fix embedding_model"
            ) from None
        self.dim = self._model.get_embedding_dimension()

    def embed(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, np.float32)


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()
