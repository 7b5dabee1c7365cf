"""Is an answer correct? A reference-based judge for answer runs, independent of the model that
answered (use a different, larger model: `footnote --judge-model FILE eval correctness RUN`).

For each answered question with a reference answer, the judge model reads the question, the
reference (the documentation's own answer) and the answer as shown, and says yes or no to
three questions; the score of each is P("yes") from its next-token distribution. The three
prompts share everything but their last line, so the model reads the long part once.

- correct: the answer gives the reference's essential point;
- responsive: the answer addresses the question asked (not a neighbouring topic);
- wrong: the answer states something the reference contradicts.
"""

from __future__ import annotations

from collections.abc import Callable

from evals.metrics import bootstrap_ci
from rag.answering.scorers import yes_probability

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


def grading_messages(question: str, reference: str, answer: str, ask: str) -> list[dict]:
    reference = " ".join(reference.split())[:MAX_REFERENCE_CHARS]
    user = (
        f"QUESTION:\n{' '.join(question.split())}\n\n"
        f"REFERENCE ANSWER (from the documentation):\n{reference}\n\n"
        f"ANSWER TO GRADE:\n{' '.join(answer.split())}\n\n{ask}"
    )
    return [{"role": "system", "content": GRADER_SYSTEM}, {"role": "user", "content": user}]


class CorrectnessJudge:
    """P(yes) of a llama.cpp model (rag.answering.generators.LlamaCppGenerator) per ask."""

    def __init__(self, model):
        self.model = model

    def grade(self, question: str, reference: str, answer: str) -> dict[str, float]:
        return {
            name: round(
                yes_probability(self.model, grading_messages(question, reference, answer, ask)), 4
            )
            for name, ask in ASKS.items()
        }


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


def correctness_metrics(
    rows: list[dict], grades: dict[str, dict[str, float]], threshold: float = 0.5
) -> dict[str, dict]:
    """Metric -> {value, low, high, n} with 95% bootstrap intervals:

    - correct: share of covered questions (with a reference) answered correctly (a declined
      covered question is not correct);
    - responsive / wrong_statement_shown: share of answered covered questions judged so;
    - covered_answered / uncovered_declined: abstention, each side on its own.

    >>> rows = [{"id": "a", "status": "answered", "answerable": True},
    ...         {"id": "b", "status": "not_in_sources", "answerable": True},
    ...         {"id": "c", "status": "not_in_sources", "answerable": False}]
    >>> grades = {"a": {"correct": 0.9, "responsive": 0.8, "wrong": 0.1}}
    >>> m = correctness_metrics(rows, grades)
    >>> m["correct"]["value"], m["covered_answered"]["value"], m["uncovered_declined"]["value"]
    (0.5, 0.5, 1.0)
    """
    covered = [r for r in rows if r.get("answerable", True)]
    uncovered = [r for r in rows if not r.get("answerable", True)]
    graded = [r for r in covered if r["id"] in grades]
    yes = {
        name: [grades[r["id"]][name] >= threshold for r in graded]
        for name in ("responsive", "wrong")
    }
    series = {
        "correct": [r["id"] in grades and grades[r["id"]]["correct"] >= threshold for r in covered],
        "responsive": yes["responsive"],
        "wrong_statement_shown": yes["wrong"],
        "covered_answered": [r.get("status") == "answered" for r in covered],
        "uncovered_declined": [r.get("status") != "answered" for r in uncovered],
    }
    out = {}
    for name, values in series.items():
        if values:
            value, low, high = bootstrap_ci([float(v) for v in values])
            out[name] = {"value": value, "low": low, "high": high, "n": len(values)}
    return out
