"""Vectors as every index takes them (FAISS files, pgvector in PostgreSQL): shared by storage
and retrieval, below both."""

from __future__ import annotations

import numpy as np

from rag.errors import IndexMismatchError


def checked_vectors(vectors: np.ndarray, dim: int) -> np.ndarray:
    """`vectors` as a C-contiguous float32 (n, dim) array; IndexMismatchError otherwise."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        raise IndexMismatchError(
            f"vectors of shape {vectors.shape} do not fit an index of dimension {dim}; "
            "the embedding model changed: run `footnote index rebuild`"
        )
    return vectors
