"""Word lists and phrase rules as data: `lexicon/<language>/<name>.txt`, one entry per line,
`#` starting a comment line. A word list holds words separated by white space; a phrase rule
holds one regular expression per line, the lines being alternatives. Trying or ablating a rule
means editing a file, not code."""

from __future__ import annotations

import functools
import re
from pathlib import Path

ROOT = Path(__file__).with_name("lexicon")
LANGUAGE = "en"


def _lines(name: str) -> list[str]:
    path = ROOT / LANGUAGE / f"{name}.txt"
    text = path.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.cache
def words(name: str) -> frozenset[str]:
    """The words of a word list.

    >>> "the" in words("stopwords"), "router" in words("stopwords")
    (True, False)
    """
    return frozenset(w for line in _lines(name) for w in line.split())


@functools.cache
def phrases(name: str, anchored: bool = False) -> re.Pattern[str]:
    """A phrase rule's lines as one case-insensitive pattern; `anchored`: matched where the text
    starts (after any non-word characters) and ending at a word boundary.

    >>> bool(phrases("pointer", anchored=True).match("See Section 7.2."))
    True
    """
    alternatives = "|".join(_lines(name))
    if anchored:
        return re.compile(rf"^\W*({alternatives})\b", re.I)
    return re.compile(alternatives, re.I)


def word_pattern(name: str, prefix: str = r"\b", suffix: str = r"\b") -> re.Pattern[str]:
    """A word list as one case-insensitive pattern of whole words (`prefix`/`suffix` around)."""
    return re.compile(rf"{prefix}({'|'.join(sorted(words(name)))}){suffix}", re.I)
