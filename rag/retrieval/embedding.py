"""Embedders: text -> L2-normalised float32 vectors. One interface, loaded lazily."""

from __future__ import annotations

import contextlib
import os
from typing import Protocol

import numpy as np

from rag.errors import ModelError

PRECISIONS = ("auto", "fp32", "bf16")
GPU_BATCH = 128  # the least batch on a GPU: small batches, the best on two CPU cores, idle it


class Embedder(Protocol):
    """Turns texts into unit vectors of `dim` dimensions. `name` keys the embedding cache."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:  # (len(texts), dim) float32, unit norm
        ...


def choose_device(cuda_available: bool) -> str:
    """Where the model runs: the GPU when torch sees one, else the CPU.

    >>> choose_device(True), choose_device(False)
    ('cuda', 'cpu')
    """
    return "cuda" if cuda_available else "cpu"


def choose_batch_size(requested: int, device: str) -> int:
    """Texts per forward pass: as asked on a CPU, at least GPU_BATCH on a GPU.

    >>> choose_batch_size(8, "cpu"), choose_batch_size(8, "cuda"), choose_batch_size(512, "cuda")
    (8, 128, 512)
    """
    return max(requested, GPU_BATCH) if device == "cuda" else requested


def choose_precision(requested: str, device: str, native_bf16: bool) -> str:
    """The arithmetic the model runs in: `requested`, or for "auto" fp16 on a GPU, bf16 on a
    CPU with bf16 instructions (AVX512-BF16 or AMX: about 2x faster at a cosine of 0.99997 to
    the fp32 vectors, docs/benchmarks.md) and fp32 elsewhere (emulated bf16 is no faster).

    >>> choose_precision("auto", "cpu", True), choose_precision("auto", "cpu", False)
    ('bf16', 'fp32')
    >>> choose_precision("auto", "cuda", False), choose_precision("fp32", "cuda", True)
    ('fp16', 'fp32')
    """
    if requested not in PRECISIONS:
        allowed = ", ".join(PRECISIONS)
        raise ModelError(f"embedding precision {requested!r} must be one of {allowed}")
    if requested != "auto":
        return requested
    if device == "cuda":
        return "fp16"
    return "bf16" if native_bf16 else "fp32"


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder; weights load on first use.

    Runs on the GPU when there is one; `precision` (see `choose_precision`) applies through
    autocast, so layer norms and softmax stay in fp32 and the vectors come back as float32.
    `max_tokens` (0: the model's own limit) cuts longer texts: the model's time grows with the
    word pieces it reads.
    """

    def __init__(
        self,
        path: str,
        name: str,
        dim: int = 384,
        batch_size: int = 16,
        precision: str = "auto",
        max_tokens: int = 0,
    ):
        self.path, self.name, self.dim, self.batch_size = path, name, dim, batch_size
        self.requested_precision, self.max_tokens = precision, max_tokens
        self.device = self.precision = ""  # known once the model is loaded
        self._model = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar in the middle of answers
        device = choose_device(torch.cuda.is_available())
        precision = choose_precision(self.requested_precision, device, native_bf16())
        try:
            model = SentenceTransformer(self.path, device=device)
        except Exception as exc:  # noqa: BLE001 - library raises many kinds; we name the fix
            raise ModelError(
                f"cannot load the embedding model at {self.path}: {exc}; "
                "reinstall it with `make setup` or fix embedding_model"
            ) from None
        self.dim = model.get_embedding_dimension()
        model.max_seq_length = read_limit(model.max_seq_length, self.max_tokens)
        self.batch_size = choose_batch_size(self.batch_size, device)
        self.device, self.precision, self._model = device, precision, model

    def embed(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._autocast():
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,  # sorted by length inside: batches pad little
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, np.float32)

    def _autocast(self):
        if self.precision == "fp32":
            return contextlib.nullcontext()
        import torch

        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        return torch.autocast(self.device, dtype=dtype)


def read_limit(model_limit: int | None, max_tokens: int) -> int | None:
    """The word pieces the model reads of a text: `max_tokens` within the model's own limit.

    >>> read_limit(256, 128), read_limit(256, 0), read_limit(128, 512), read_limit(None, 64)
    (128, 256, 128, 64)
    """
    if not max_tokens:
        return model_limit
    return min(model_limit, max_tokens) if model_limit else max_tokens


def native_bf16() -> bool:
    """Whether this CPU computes in bf16 natively (AVX512-BF16 or AMX tiles)."""
    import torch

    for check in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        try:  # private helpers of torch.cpu (x86 builds): absent or failing elsewhere
            if getattr(torch.cpu, check)():
                return True
        except (AttributeError, RuntimeError):
            continue
    return False
