"""Vector indexes keyed by int64 vector ids (see `rag.types.vector_id`).

`NumpyIndex` is the exact reference; `FaissIndex` is what Footnote uses: exact inner product up
to `exact_max` vectors, IVF-Flat above (it supports deletion, unlike HNSW), on a GPU when one is
present. An index is a cache of the store: `save_index` records the settings it was built with
and `load_index` refuses a mismatch.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

from rag.arrays import checked_vectors
from rag.errors import IndexMismatchError

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # spinning OpenMP threads starve 2 cores


class NumpyIndex:
    """Exact brute-force search in numpy: the reference every backend must agree with."""

    def __init__(self, dim: int):
        self.dim = dim
        self._ids = np.zeros(0, np.int64)
        self._vectors = np.zeros((0, dim), np.float32)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        vectors = checked_vectors(vectors, self.dim)
        self.remove(ids)
        self._ids = np.concatenate([self._ids, np.asarray(ids, np.int64)])
        self._vectors = np.concatenate([self._vectors, vectors])

    def remove(self, ids: np.ndarray) -> None:
        keep = ~np.isin(self._ids, np.asarray(ids, np.int64))
        self._ids, self._vectors = self._ids[keep], self._vectors[keep]

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        queries = checked_vectors(queries, self.dim)
        scores = queries @ self._vectors.T  # (q, n)
        k_eff = min(k, len(self._ids))
        if allowed is not None:
            inside = np.isin(self._ids, allowed)
            scores[:, ~inside] = -np.inf
            k_eff = min(k, int(inside.sum()))
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k_eff]
        out_scores = np.full((len(queries), k), -np.inf, np.float32)
        out_ids = np.full((len(queries), k), -1, np.int64)
        out_scores[:, :k_eff] = np.take_along_axis(scores, order, axis=1)
        out_ids[:, :k_eff] = self._ids[order]
        return out_scores, out_ids

    def __len__(self) -> int:
        return len(self._ids)


class FaissIndex:
    """FAISS index: exact (IndexFlatIP) up to `exact_max` vectors, IVF-Flat above it."""

    def __init__(
        self,
        dim: int,
        exact_max: int = 100_000,
        nprobe_ratio: float = 0.15,
        num_gpus: int | None = None,
    ):
        import faiss

        self.dim, self.exact_max, self.nprobe_ratio = dim, exact_max, nprobe_ratio
        self._faiss = faiss
        self._cpu = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._num_gpus = faiss.get_num_gpus() if num_gpus is None else num_gpus
        self._device = None  # search copy on the GPU, refreshed after changes

    @property
    def kind(self) -> str:
        return "ivf" if isinstance(self._cpu, self._faiss.IndexIVF) else "flat"

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        vectors = checked_vectors(vectors, self.dim)
        ids = np.ascontiguousarray(ids, np.int64)
        self.remove(ids)  # re-adding an id replaces it
        if self.kind == "flat" and len(self) + len(ids) > self.exact_max:
            old_ids, old_vectors = self._contents()
            self._cpu = self._train_ivf(np.concatenate([old_vectors, vectors]))
            if len(old_ids):
                self._cpu.add_with_ids(old_vectors, old_ids)
        self._cpu.add_with_ids(vectors, ids)
        self._device = None

    def remove(self, ids: np.ndarray) -> None:
        ids = np.ascontiguousarray(ids, np.int64)
        if len(ids) and len(self):
            self._cpu.remove_ids(self._faiss.IDSelectorBatch(ids))
            self._device = None

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        queries = checked_vectors(queries, self.dim)
        if allowed is None:
            scores, ids = self._searcher().search(queries, k)
        else:  # the filter runs inside the search, so k results come back when k exist
            selector = self._faiss.IDSelectorBatch(np.ascontiguousarray(allowed, np.int64))
            if self.kind == "ivf":
                # every list: a filtered set may sit outside the nearest ones (exact results)
                params = self._faiss.SearchParametersIVF(sel=selector, nprobe=self._cpu.nlist)
            else:
                params = self._faiss.SearchParameters(sel=selector)
            scores, ids = self._cpu.search(queries, k, params=params)
        scores[ids < 0] = -np.inf
        return scores, ids

    def __len__(self) -> int:
        return int(self._cpu.ntotal)

    def _train_ivf(self, sample: np.ndarray):
        nlist = max(1, min(int(4 * math.sqrt(len(sample))), len(sample) // 39))
        quantizer = self._faiss.IndexFlatIP(self.dim)
        ivf = self._faiss.IndexIVFFlat(quantizer, self.dim, nlist, self._faiss.METRIC_INNER_PRODUCT)
        # k-means needs ~39 points per list; more only costs time (minutes at 1M vectors)
        size = min(len(sample), max(64 * nlist, 50_000))
        rows = np.random.default_rng(0).choice(len(sample), size, replace=False)
        ivf.train(sample[np.sort(rows)])
        ivf.nprobe = max(1, math.ceil(nlist * self.nprobe_ratio))
        return ivf

    def _contents(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of a flat index."""
        ids = self._faiss.vector_to_array(self._cpu.id_map).astype(np.int64)
        return ids, self._cpu.index.reconstruct_n(0, len(ids))

    def _searcher(self):
        if self._num_gpus <= 0:
            return self._cpu
        if self._device is None:
            self._device = to_gpu(self._faiss, self._cpu)
        return self._device

    # persistence

    def write(self, path: Path) -> None:
        self._faiss.write_index(self._cpu, str(path))

    @classmethod
    def read(cls, path: Path, dim: int, exact_max: int, nprobe_ratio: float) -> FaissIndex:
        index = cls(dim, exact_max, nprobe_ratio)
        try:
            index._cpu = index._faiss.read_index(str(path))
        except RuntimeError as exc:
            raise IndexMismatchError(
                f"index file {path} is corrupt ({str(exc).splitlines()[0][:120]}); "
                "run `footnote index rebuild`"
            ) from None
        if index._cpu.d != dim:
            raise IndexMismatchError(f"index file {path} has dimension {index._cpu.d}, not {dim}")
        if isinstance(index._cpu, index._faiss.IndexIVF):
            index._cpu.nprobe = max(1, math.ceil(index._cpu.nlist * nprobe_ratio))
        return index


def to_gpu(faiss_module, cpu_index):
    """Copy an index to GPU 0 (`faiss.index_cpu_to_gpu`); needs a GPU build of faiss."""
    resources = faiss_module.StandardGpuResources()
    return faiss_module.index_cpu_to_gpu(resources, 0, cpu_index)


INDEX_FILE, META_FILE = "vectors.faiss", "meta.json"


def save_index(index: FaissIndex, directory: Path, meta: dict) -> None:
    """Write the index and the settings it was built with (atomically, file by file)."""
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / (INDEX_FILE + ".tmp")
    index.write(tmp)
    tmp.replace(directory / INDEX_FILE)
    (directory / (META_FILE + ".tmp")).write_text(json.dumps({**meta, "count": len(index)}))
    (directory / (META_FILE + ".tmp")).replace(directory / META_FILE)


def load_index(
    directory: Path, meta: dict, exact_max: int, nprobe_ratio: float
) -> FaissIndex | None:
    """Load the index in `directory`; None when there is none yet.

    Raises IndexMismatchError when it was built with other settings or is corrupt.
    """
    index_file, meta_file = directory / INDEX_FILE, directory / META_FILE
    if not index_file.exists() and not meta_file.exists():
        return None
    try:
        stored = json.loads(meta_file.read_text())
    except (OSError, ValueError):
        raise IndexMismatchError(
            f"index metadata {meta_file} is missing or corrupt; run `footnote index rebuild`"
        ) from None
    diff = {k: (stored.get(k), v) for k, v in meta.items() if stored.get(k) != v}
    if diff:
        detail = ", ".join(f"{k}: built with {a!r}, now {b!r}" for k, (a, b) in diff.items())
        raise IndexMismatchError(
            f"the index in {directory} was built with other settings ({detail}); "
            "run `footnote index rebuild`"
        )
    index = FaissIndex.read(index_file, meta["dim"], exact_max, nprobe_ratio)
    if len(index) != stored.get("count"):
        raise IndexMismatchError(
            f"index file {index_file} holds {len(index)} vectors but its metadata says "
            f"{stored.get('count')}; run `footnote index rebuild`"
        )
    return index
