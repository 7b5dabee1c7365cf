"""Labelled support pairs (JSONL: source, claim, label 1 supported / 0 not): importers for the
development sets and the classifier metrics used to choose and calibrate a support scorer."""

from __future__ import annotations

import ast
import csv
import json
import random
from pathlib import Path

from evals.dataset import DatasetError


def roc_auc(scores: list[float], labels: list[int]) -> float:
    """Probability that a random positive outscores a random negative (ties count half),
    from ranks (fast enough to bootstrap).

    >>> roc_auc([0.9, 0.8, 0.3, 0.1], [1, 0, 1, 0])
    0.75
    """
    pairs = sorted(zip(scores, labels, strict=True), key=lambda p: p[0])
    positives = sum(1 for _, y in pairs if y)
    negatives = len(pairs) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(pairs):  # rank by score, tied scores sharing their average rank
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        rank_sum += sum(1 for _, y in pairs[i:j] if y) * (i + j + 1) / 2
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def balanced_accuracy(scores: list[float], labels: list[int], threshold: float) -> float:
    """Mean of the true-positive and true-negative rates at `threshold` (score >= t is "yes").

    >>> balanced_accuracy([0.9, 0.8, 0.3, 0.1], [1, 0, 1, 0], 0.5)
    0.5
    """
    tp = sum(s >= threshold and y for s, y in zip(scores, labels, strict=True))
    tn = sum(s < threshold and not y for s, y in zip(scores, labels, strict=True))
    positives = sum(labels)
    negatives = len(labels) - positives
    return (tp / positives + tn / negatives) / 2 if positives and negatives else float("nan")


def best_threshold(scores: list[float], labels: list[int]) -> float:
    """The threshold with the highest balanced accuracy (for calibration on labelled data)."""
    candidates = sorted(set(scores))
    return max(candidates, key=lambda t: balanced_accuracy(scores, labels, t))


def _jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError:
                raise DatasetError(f"{path} line {number} is not JSON") from None
    return rows


def _summedits(path: Path) -> list[dict]:
    return [
        {"source": r["doc"], "claim": r["summary"], "label": int(r["label"])} for r in _jsonl(path)
    ]


def _halueval(path: Path) -> list[dict]:
    """Each item gives a supported pair (right answer) and an unsupported one (hallucinated)."""
    out = []
    for r in _jsonl(path):
        for answer, label in ((r["right_answer"], 1), (r["hallucinated_answer"], 0)):
            out.append(
                {"source": r["knowledge"], "claim": f"{r['question']} {answer}", "label": label}
            )
    return out


def _wice(path: Path) -> list[dict]:
    """Supported = 1; partially and not supported = 0 (the sentence is not fully backed)."""
    out = []
    for r in _jsonl(path):
        evidence = r["evidence"]
        if isinstance(evidence, str):
            evidence = ast.literal_eval(evidence)
        out.append(
            {
                "source": " ".join(evidence),
                "claim": r["claim"],
                "label": int(r["label"] == "supported"),
            }
        )
    return out


def _begin(path: Path) -> list[dict]:
    """Fully attributable = 1, not fully attributable = 0; generic responses are left out."""
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            label = (r.get("begin_label") or "").strip()
            if label in ("Fully attributable", "Not fully attributable"):
                out.append(
                    {
                        "source": r["knowledge"],
                        "claim": r["response"],
                        "label": int(label == "Fully attributable"),
                    }
                )
    return out


READERS = {"summedits": _summedits, "halueval": _halueval, "wice": _wice, "begin": _begin}


def import_pairs(kind: str, files: list[Path], out: Path) -> dict:
    """Convert files of a development set into labelled pairs at `out` (JSONL)."""
    try:
        rows = [row for path in files for row in READERS[kind](Path(path))]
    except (KeyError, TypeError, ValueError, SyntaxError) as exc:
        raise DatasetError(f"the files are not {kind} data ({type(exc).__name__}: {exc})") from None
    if not rows:
        raise DatasetError(f"no labelled pairs found in {[str(f) for f in files]}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return {"pairs": len(rows), "supported": sum(r["label"] for r in rows)}


def load_pairs(path: Path, sample: int | None = None, seed: int = 0) -> list[dict]:
    """Labelled pairs; a balanced random sample of `sample` pairs when asked."""
    rows = _jsonl(path)
    bad = [i for i, r in enumerate(rows, 1) if not {"source", "claim", "label"} <= set(r)]
    if bad:
        raise DatasetError(f"{path} lines {bad[:5]} lack source, claim or label")
    if sample:
        rng = random.Random(seed)
        pos = [r for r in rows if r["label"]]
        neg = [r for r in rows if not r["label"]]
        rows = rng.sample(pos, min(len(pos), sample // 2)) + rng.sample(
            neg, min(len(neg), sample // 2)
        )
    return rows
