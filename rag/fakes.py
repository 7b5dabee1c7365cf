"""Deterministic fakes for fast tests and UI development: no weights are loaded."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator

import numpy as np


class HashEmbedder:
    """Bag-of-words vectors from hashed tokens: similar wording gives similar vectors."""

    def __init__(self, dim: int = 64, name: str = "fake-hash-embedder"):
        self.dim, self.name = dim, name

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"\w+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")
                out[row, h % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else np.eye(1, self.dim, row % self.dim)
        return out


class ScriptedGenerator:
    """Replies with `reply(messages)` (or a fixed string), streamed in small pieces."""

    def __init__(self, reply: str | Callable[[list[dict[str, str]]], str]):
        self.reply = reply
        self.calls: list[list[dict[str, str]]] = []

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        self.calls.append(messages)
        text = self.reply(messages) if callable(self.reply) else self.reply
        yield from re.findall(r"\S+\s*|\s+", text)
