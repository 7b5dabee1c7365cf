"""How specific each word is in this corpus: the number of chunks that hold it (document
frequency), as inverse document frequency. A question's rare terms name what it is about; a term
no chunk holds is strong evidence that the sources do not cover the question."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from rag.text.words import WORDS, content_words, question_words

TERMS_FILE = "terms.json"


class TermStats:
    """Document frequencies of content words (`rag.text.words.content_words`; saved with the
    version of that definition, `WORDS`, so statistics of other words are rebuilt)."""

    def __init__(self, documents: int = 0, frequencies: dict[str, int] | None = None):
        self.documents, self.frequencies = documents, frequencies or {}

    @classmethod
    def build(cls, texts: Iterable[str]) -> TermStats:
        counts: Counter[str] = Counter()
        n = 0
        for text in texts:
            counts.update(set(content_words(text)))
            n += 1
        return cls(n, dict(counts))

    def idf(self, word: str) -> float:
        """log((N + 1) / (df + 0.5)): about 0 for a word in every chunk, highest for none.

        >>> stats = TermStats(3, {"debian": 3, "apt": 1})
        >>> [round(stats.idf(w), 2) for w in ("debian", "apt", "docker")]
        [0.13, 0.98, 2.08]
        """
        return math.log((self.documents + 1) / (self.frequencies.get(word, 0) + 0.5))

    def weights(self, question: str) -> dict[str, float]:
        """Each distinct word of the question that can name its subject, with its idf."""
        return {w: self.idf(w) for w in dict.fromkeys(question_words(question))}

    def save(self, directory: Path, meta: dict) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        data = {
            "meta": _stamped(meta),
            "documents": self.documents,
            "frequencies": self.frequencies,
        }
        (directory / TERMS_FILE).write_text(json.dumps(data))

    @classmethod
    def load(cls, directory: Path, meta: dict) -> TermStats | None:
        """The saved statistics, or None when missing, corrupt or built with other settings."""
        try:
            data = json.loads((directory / TERMS_FILE).read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("meta") != _stamped(meta):
            return None
        return cls(int(data["documents"]), dict(data["frequencies"]))


def _stamped(meta: dict) -> dict:
    """The index settings the statistics were built with, and the word definition (`WORDS`)."""
    return {**meta, "words": WORDS}
