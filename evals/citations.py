"""Judge a finished answer run's citations again with an independent support scorer.

The live check and the run's own citation metrics use the configured verifier, so they agree
with it by construction. Re-judging the stored sentences and cited passages with another model
(a larger GGUF than the one that answered) gives citation recall and precision, ALCE-style,
and the share of shown sentences that are unsupported, from a judge that took no part in
choosing them. Judgements are cached per (sentence, passage): a citation judged once is not
judged again.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from evals.metrics import bootstrap_ci, citation_scores
from rag.answering.scorers import SupportScorer

AGAINST = ("passage", "quote")


def cited_texts(row: dict, sentence: dict, against: str) -> list[str]:
    """The texts a sentence cites: whole passages, or only its quote spans in them."""
    passages = row.get("passages", {})
    if against == "passage":
        return [passages[str(n)] for n in sentence["citations"] if str(n) in passages]
    return [
        passages[str(q["number"])][q["start"] : q["end"]]
        for q in sentence.get("quotes", [])
        if str(q["number"]) in passages
    ]


class CachedJudge:
    """A yes/no judge over a support scorer with a cache; several passages are joined."""

    def __init__(self, scorer: SupportScorer, threshold: float):
        self.scorer, self.threshold = scorer, threshold
        self.cache: dict[tuple[str, str], float] = {}

    def score(self, claim: str, passages: list[str]) -> float:
        if not passages:
            return 0.0
        key = (claim, "\n".join(passages))
        if key not in self.cache:
            self.cache[key] = self.scorer.scores([key])[0]
        return self.cache[key]

    def __call__(self, claim: str, passages: list[str]) -> bool:
        return self.score(claim, passages) >= self.threshold


def judge_rows(
    rows: list[dict],
    judge: CachedJudge,
    against: str = "passage",
    progress: Callable[[int], None] | None = None,
) -> list[dict]:
    """Per answered row: citation recall and precision and the unsupported share, judged."""
    out = []
    for row in rows:
        sentences = row.get("sentences") or []
        if row.get("status") != "answered" or not sentences or "passages" not in row:
            continue
        pairs = [(s["text"], cited_texts(row, s, against)) for s in sentences]
        recall, precision = citation_scores(pairs, judge)
        unsupported = sum(not judge(text, cited) for text, cited in pairs) / len(pairs)
        scores = [round(judge.score(text, cited), 4) for text, cited in pairs]
        out.append(
            {
                "id": row["id"],
                "citation_recall": recall,
                "citation_precision": precision,
                "unsupported_shown": unsupported,
                "quoted": any(s.get("quoted") for s in sentences),
                "scores": scores,
            }
        )
        if progress:
            progress(1)
    return out


def summarise(judged: list[dict]) -> dict[str, dict]:
    """Metric -> {value, low, high, n} with 95% bootstrap intervals, per answered question."""
    out = {}
    for name in ("citation_recall", "citation_precision", "unsupported_shown"):
        values = [r[name] for r in judged]
        if values:
            value, low, high = bootstrap_ci(values)
            out[name] = {"value": value, "low": low, "high": high, "n": len(values)}
    return out


def sample_rows(rows: list[dict], sample: int | None, seed: int) -> list[dict]:
    answered = [r for r in rows if r.get("status") == "answered" and r.get("sentences")]
    if sample and sample < len(answered):
        answered = random.Random(seed).sample(answered, sample)
    return answered
