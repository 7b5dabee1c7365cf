"""Is an answer correct? A reference-based judge for answer runs, independent of the models
that answered (`footnote models install --judge`, then `footnote --judge-model FILE eval
correctness RUN`).

For each answered question with a reference answer:
- the judge model (Qwen2.5 1.5B, not the 0.5B that answers) reads the question, the reference
  (the documentation's own answer) and the answer as shown, and says yes or no to three asks
  (correct, responsive, wrong); each score is P("yes") from its next-token distribution, the
  three prompts sharing everything but their last line;
- a larger embedder than the one Footnote retrieves with (all-mpnet-base-v2) gives the cosine
  between the answer and the reference's opening.

The small model leans towards "yes" and ranks better than it decides, so the verdicts combine
these scores as calibrated on answers graded by hand (`CALIBRATION`, fitted on
evals/datasets/debian-faq-hand-grades.jsonl; `--hand-grades` prints the agreement on a run).
Measured there, the model's "correct" score added nothing to the similarity to the reference
(held-out agreement 0.72 with it, 0.82 without), so "correct" is the similarity alone: an answer
close to what the documentation says first. Its "wrong" score did not separate the hand-graded
wrong statements from the rest (3 of 98): it is reported as a flag to read, not a measurement.
"""

from __future__ import annotations

from collections.abc import Callable

from evals.metrics import bootstrap_ci
from rag.generation.yesno import yes_probability

GRADER_SYSTEM = "You are a strict grader of a support assistant's answers."
ASKS = {
    "correct": (
        "Does the ANSWER give the essential point of the REFERENCE ANSWER to this QUESTION? "
        "It may be shorter, but what it says must agree with the reference and actually answer "
        "the question. Answer yes or no."
    ),
    "responsive": (
        "Does the ANSWER address the QUESTION that was asked, rather than a different or "
        "neighbouring topic? Answer yes or no."
    ),
    "wrong": (
        "Does the ANSWER state something that the REFERENCE ANSWER contradicts, or that gets "
        "the QUESTION's subject wrong? Answer yes or no."
    ),
}
MAX_REFERENCE_CHARS = 1500
REFERENCE_OPENING = 500  # characters of the reference the answer is compared with
# verdict -> (scores, their means and standard deviations, threshold on the mean z-score):
# fitted on 98 answers of the Debian FAQ graded by hand, from two versions of Footnote (10-fold
# held-out agreement: correct 0.82, responsive 0.89); a threshold on the mean z-score
CALIBRATION = {
    "correct": (("similarity",), (0.6827,), (0.2154,), 0.513),
    "responsive": (("responsive", "similarity"), (0.723, 0.6827), (0.0886, 0.2154), -0.902),
}
WRONG_FLAG = 0.75  # the model's P(yes) that the answer contradicts the reference


def grading_messages(question: str, reference: str, answer: str, ask: str) -> list[dict]:
    reference = " ".join(reference.split())[:MAX_REFERENCE_CHARS]
    user = (
        f"QUESTION:\n{' '.join(question.split())}\n\n"
        f"REFERENCE ANSWER (from the documentation):\n{reference}\n\n"
        f"ANSWER TO GRADE:\n{' '.join(answer.split())}\n\n{ask}"
    )
    return [{"role": "system", "content": GRADER_SYSTEM}, {"role": "user", "content": user}]


class CorrectnessJudge:
    """The judge model's P(yes) per ask (a rag.generation.llamacpp.LlamaCppGenerator) and the
    embedder's cosine of answer and reference (a rag.retrieval.Embedder)."""

    def __init__(self, model, embedder):
        self.model, self.embedder = model, embedder

    def grade(self, question: str, reference: str, answer: str) -> dict[str, float]:
        scores = {
            name: round(
                yes_probability(self.model, grading_messages(question, reference, answer, ask)), 4
            )
            for name, ask in ASKS.items()
        }
        vectors = self.embedder.embed([answer, reference[:REFERENCE_OPENING]])
        scores["similarity"] = round(float(vectors[0] @ vectors[1]), 4)
        return {**scores, **verdicts(scores)}


def verdicts(scores: dict[str, float]) -> dict[str, float]:
    """1.0 / 0.0 verdicts from the scores (see CALIBRATION).

    >>> verdicts({"correct": 0.9, "responsive": 0.85, "similarity": 0.8, "wrong": 0.5})
    {'is_correct': 1.0, 'is_responsive': 1.0, 'is_wrong': 0.0}
    """
    out = {}
    for name, (keys, means, deviations, threshold) in CALIBRATION.items():
        z = [(scores[k] - m) / d for k, m, d in zip(keys, means, deviations, strict=True)]
        out[f"is_{name}"] = float(sum(z) / len(z) >= threshold)
    out["is_wrong"] = float(scores["wrong"] >= WRONG_FLAG)
    return out


def agreement(rows: list[dict], hand: list[dict]) -> dict[str, dict]:
    """Verdict -> {agreement, judge_rate, hand_rate, n}: the judge's verdicts (recomputed from
    the stored scores) against hand grades of the same answers (same id and answer text).

    >>> rows = [{"id": "a", "answer": "x", "grades": {"correct": 0.9, "responsive": 0.9,
    ...          "similarity": 0.95, "wrong": 0.1}}]
    >>> agreement(rows, [{"id": "a", "answer": "x", "correct": 1, "responsive": 1, "wrong": 0}])
    {'correct': {'agreement': 1.0, 'judge_rate': 1.0, 'hand_rate': 1.0, 'n': 1}, \
'responsive': {'agreement': 1.0, 'judge_rate': 1.0, 'hand_rate': 1.0, 'n': 1}, \
'wrong': {'agreement': 1.0, 'judge_rate': 0.0, 'hand_rate': 0.0, 'n': 1}}
    """
    graded = {
        (r["id"], r.get("answer", "")): verdicts(r["grades"]) for r in rows if r.get("grades")
    }
    pairs = [(graded[(h["id"], h["answer"])], h) for h in hand if (h["id"], h["answer"]) in graded]
    out = {}
    for name in ("correct", "responsive", "wrong"):
        judged = [int(v[f"is_{name}"]) for v, _ in pairs]
        truth = [int(h[name]) for _, h in pairs]
        if pairs:
            out[name] = {
                "agreement": sum(a == b for a, b in zip(judged, truth, strict=True)) / len(pairs),
                "judge_rate": sum(judged) / len(pairs),
                "hand_rate": sum(truth) / len(pairs),
                "n": len(pairs),
            }
    return out


def grade_rows(
    rows: list[dict],
    references: dict[str, str],
    judge: CorrectnessJudge,
    progress: Callable[[int], None] | None = None,
) -> dict[str, dict[str, float]]:
    """example id -> the judge's scores, for answered rows whose question has a reference."""
    grades = {}
    for row in rows:
        reference = references.get(row["id"], "")
        if row.get("status") == "answered" and reference:
            grades[row["id"]] = judge.grade(row["question"], reference, row["answer"])
        if progress:
            progress(1)
    return grades


def correctness_metrics(rows: list[dict], grades: dict[str, dict[str, float]]) -> dict[str, dict]:
    """Metric -> {value, low, high, n} with 95% bootstrap intervals:

    - correct: share of covered questions (with a reference) answered correctly (a declined
      covered question is not correct);
    - responsive / wrong_statement_flagged: share of answered covered questions judged so (the
      flag is for reading: the judge does not measure wrong statements reliably);
    - covered_answered / uncovered_declined: abstention, each side on its own.

    >>> rows = [{"id": "a", "status": "answered", "answerable": True},
    ...         {"id": "b", "status": "not_in_sources", "answerable": True},
    ...         {"id": "c", "status": "not_in_sources", "answerable": False}]
    >>> grades = {"a": {"is_correct": 1.0, "is_responsive": 1.0, "is_wrong": 0.0}}
    >>> m = correctness_metrics(rows, grades)
    >>> m["correct"]["value"], m["covered_answered"]["value"], m["uncovered_declined"]["value"]
    (0.5, 0.5, 1.0)
    """
    covered = [r for r in rows if r.get("answerable", True)]
    uncovered = [r for r in rows if not r.get("answerable", True)]
    graded = [r for r in covered if r["id"] in grades]
    series = {
        "correct": [r["id"] in grades and grades[r["id"]]["is_correct"] for r in covered],
        "responsive": [grades[r["id"]]["is_responsive"] for r in graded],
        "wrong_statement_flagged": [grades[r["id"]]["is_wrong"] for r in graded],
        "covered_answered": [r.get("status") == "answered" for r in covered],
        "uncovered_declined": [r.get("status") != "answered" for r in uncovered],
    }
    out = {}
    for name, values in series.items():
        if values:
            value, low, high = bootstrap_ci([float(v) for v in values])
            out[name] = {"value": value, "low": low, "high": high, "n": len(values)}
    return out
