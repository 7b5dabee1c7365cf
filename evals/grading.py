"""Grades by a reader: an answer run exported for a grader who did not tune the rules (the items
of ../shared/GRADING.md: question, answer sentences, status, sources, reference), and the
grader's labels read back, counted per kind of question and per style, and compared with any
automatic judge.

Labels (one JSON object per line): {"id": ..., "question": ..., "label": ..., "why": ...};
covered questions get CORRECT, PARTIAL, NONRESPONSIVE, WRONG or DECLINED; uncovered ones
DECLINED_OK or ANSWERED_UNCOVERED. Correct means CORRECT only.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from evals.dataset import DatasetError, Example

COVERED = ("CORRECT", "PARTIAL", "NONRESPONSIVE", "WRONG", "DECLINED")
UNCOVERED = ("DECLINED_OK", "ANSWERED_UNCOVERED")
REFERENCE_CHARS = 1200  # of the gold section shown to the grader beside the answer point


def item(row: dict, example: Example) -> dict:
    """One answer as the grader reads it.

    >>> row = {"id": "a", "question": "Q?", "status": "answered", "sources": ["/d/faq.html"],
    ...        "sentences": [{"text": "It is red.", "quoted": True, "supported": True}]}
    >>> item(row, Example("Q?", id="a", point="red", reference="It is red."))["answer"]
    ['QUOTE: It is red.']
    """
    sentences = [
        ("QUOTE: " if s.get("quoted") else "") + s["text"]
        for s in row.get("sentences", [])
        if s.get("supported", True)
    ]
    out = {
        "id": row["id"],
        "question": row["question"],
        "covered": example.answerable,
        "status": row.get("status", ""),
        "answer": sentences,
        "sources": [Path(s).name for s in row.get("sources", [])],
    }
    if example.answerable:
        out["answer_point"] = example.point or example.reference[:REFERENCE_CHARS]
        if example.point and example.reference != example.point:
            out["reference"] = example.reference[:REFERENCE_CHARS]
    else:
        out["reference"] = "The documents do not answer this question."
    return out


def packet(results: list[dict], examples: list[Example]) -> list[dict]:
    """The run's answers as grading items, in the dataset's order."""
    by_id = {e.id: e for e in examples}
    return [item(r, by_id[r["id"]]) for r in results if r["id"] in by_id]


def read_labels(path: Path) -> dict[str, dict]:
    """id -> label row; a line without a known label is an error naming the line."""
    labels = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise DatasetError(f"{path} line {number} is not JSON") from None
        if row.get("label") not in COVERED + UNCOVERED or "id" not in row:
            raise DatasetError(f"{path} line {number} needs an id and a label of the rubric")
        labels[row["id"]] = row
    return labels


def summary(labels: dict[str, dict], results: list[dict]) -> list[dict]:
    """Per kind (covered, uncovered) and style: the number graded and the share of each
    label; `correct` is the share CORRECT of covered questions.

    >>> rows = [{"id": "a", "answerable": True, "style": "terse"},
    ...         {"id": "b", "answerable": True, "style": "terse"}]
    >>> summary({"a": {"label": "CORRECT"}, "b": {"label": "PARTIAL"}}, rows)[0]["CORRECT"]
    0.5
    """
    groups: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in results:
        if row["id"] not in labels:
            continue
        kind = "covered" if row.get("answerable", True) else "uncovered"
        label = labels[row["id"]]["label"]
        for style in (row.get("style") or "-", "all"):
            groups[kind, style][label] += 1
    out = []
    for (kind, style), counts in sorted(
        groups.items(), key=lambda kv: (kv[0][0], kv[0][1] == "all")
    ):
        n = sum(counts.values())
        names = COVERED if kind == "covered" else UNCOVERED
        out.append(
            {"kind": kind, "style": style, "n": n, **{k: round(counts[k] / n, 3) for k in names}}
        )
    return out
