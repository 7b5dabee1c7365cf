"""Quality gates for crawled pages: JavaScript-only shells and near-duplicates (MinHash + LSH)."""

from __future__ import annotations

import re
import zlib

import numpy as np

_JS_NOTICE = re.compile(
    r"(enable|turn on|activate)\s+javascript|javascript\s+(is\s+)?(disabled|required|needed)"
    r"|requires?\s+javascript|you need to enable javascript",
    re.I,
)
_SCRIPT = re.compile(r"<script\b", re.I)


def javascript_shell(html: str, text: str) -> bool:
    """A page whose content only exists after JavaScript runs: little text, scripts present, or
    a short text that asks for JavaScript."""
    words = len(text.split())
    if words < 60 and _JS_NOTICE.search(text):
        return True
    if _JS_NOTICE.search(html[:200_000]) and words < 20:
        return True
    return words < 20 and len(_SCRIPT.findall(html[:500_000])) >= 1


def quality_reason(message: str, markup: str) -> str:
    """The skip reason for a page whose extraction failed with `message`."""
    if "no extractable main text" in message:
        return "JavaScript-only page" if markup and javascript_shell(markup, "") else "no main text"
    if "not HTML or text" in message:
        return "not HTML or text"
    return message


_PERMUTATIONS = 64
_BANDS = 16  # 16 bands of 4 rows: pages above ~0.8 Jaccard almost always share a band
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20261128)
_A = _rng.integers(1, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, _PERMUTATIONS, dtype=np.uint64)


def signature(text: str, shingle: int = 5) -> np.ndarray:
    """MinHash signature of the text's word 5-shingles (stable across runs)."""
    words = re.findall(r"\w+", text.lower())
    grams = {" ".join(words[i : i + shingle]) for i in range(max(1, len(words) - shingle + 1))}
    hashes = np.array([zlib.crc32(g.encode()) for g in grams], dtype=np.uint64)
    mixed = (hashes[:, None] * _A[None, :] + _B[None, :]) % np.uint64(_PRIME)
    return mixed.min(axis=0)


class NearDuplicates:
    """Remembers pages' signatures; finds an earlier page whose text is nearly the same."""

    def __init__(self, threshold: float = 0.9):
        self.threshold = threshold
        self.signatures: dict[str, np.ndarray] = {}
        self.buckets: dict[tuple[int, bytes], list[str]] = {}

    def find(self, sig: np.ndarray, exclude: str = "") -> str | None:
        rows = _PERMUTATIONS // _BANDS
        for band in range(_BANDS):
            key = (band, sig[band * rows : (band + 1) * rows].tobytes())
            for other in self.buckets.get(key, ()):
                if (
                    other != exclude
                    and float(np.mean(self.signatures[other] == sig)) >= self.threshold
                ):
                    return other
        return None

    def add(self, name: str, sig: np.ndarray) -> None:
        if name in self.signatures:
            self.discard(name)
        self.signatures[name] = sig
        rows = _PERMUTATIONS // _BANDS
        for band in range(_BANDS):
            key = (band, sig[band * rows : (band + 1) * rows].tobytes())
            self.buckets.setdefault(key, []).append(name)

    def discard(self, name: str) -> None:
        sig = self.signatures.pop(name, None)
        if sig is None:
            return
        rows = _PERMUTATIONS // _BANDS
        for band in range(_BANDS):
            key = (band, sig[band * rows : (band + 1) * rows].tobytes())
            self.buckets[key].remove(name)
