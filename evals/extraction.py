"""Extraction quality of Footnote's HTML extractor (trafilatura as configured in ingest.extract).

Two gold formats:
- Mozilla Readability test pages: `<page>/source.html` + `<page>/expected.html`; scored by
  bag-of-words overlap between our text and the gold article's text (precision, recall, F1).
- trafilatura's evaluation set: `evaldata.json` (URL -> file, `with` / `without` snippets) +
  `html/<file>.gz`; each snippet that must appear and does is a true positive, one that must not
  appear and does is a false positive.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingest.extract import extract_html
from rag.errors import IngestError


def our_text(html: str, name: str) -> str:
    try:
        return extract_html(html, name)[0]
    except IngestError:
        return ""


def _words(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text.lower()))


def _gold_text(expected_html: str) -> str:
    from lxml import html

    try:
        return html.fromstring(expected_html).text_content()
    except Exception:  # lxml raises several types for empty or odd markup  # noqa: BLE001
        return ""


@dataclass
class Scores:
    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0
    pages: int = 0
    per_page: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "pages": self.pages,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "seconds_per_page": round(self.seconds / max(self.pages, 1), 4),
        }


def readability_scores(root: Path, limit: int | None = None) -> Scores:
    """Word-overlap scores over Readability test-page folders under root (micro-averaged)."""
    scores = Scores()
    folders = sorted(p.parent for p in root.rglob("expected.html"))[:limit]
    for folder in folders:
        source = (folder / "source.html").read_text(encoding="utf-8", errors="replace")
        gold = _words(_gold_text((folder / "expected.html").read_text(encoding="utf-8")))
        started = time.perf_counter()
        ours = _words(our_text(source, folder.name))
        scores.seconds += time.perf_counter() - started
        common = sum((ours & gold).values())
        scores.tp += common
        scores.fp += sum(ours.values()) - common
        scores.fn += sum(gold.values()) - common
        scores.pages += 1
        scores.per_page.append({"page": folder.name, "recall": common / max(sum(gold.values()), 1)})
    return scores


def snippet_scores(root: Path, limit: int | None = None) -> Scores:
    """Snippet scores over trafilatura's evaluation set under root (evaldata.json + html/)."""
    scores = Scores()
    items = list(json.loads((root / "evaldata.json").read_text(encoding="utf-8")).items())
    for url, item in items[:limit]:
        path = root / "html" / (item["file"] + ".gz")
        if not path.exists():
            continue
        with gzip.open(path, "rb") as f:
            html = f.read().decode("utf-8", errors="replace")
        started = time.perf_counter()
        text = " ".join(our_text(html, url).split())
        scores.seconds += time.perf_counter() - started
        found = [" ".join(s.split()) in text for s in item.get("with", [])]
        leaked = [" ".join(s.split()) in text for s in item.get("without", [])]
        scores.tp += sum(found)
        scores.fn += len(found) - sum(found)
        scores.fp += sum(leaked)
        scores.pages += 1
    return scores
