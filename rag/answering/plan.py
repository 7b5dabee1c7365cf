"""The plan stage: which passage spans an answer opens with, verbatim, before the model has read
its prompt (the lead), and which it quotes when none of the model's sentences holds up (the
fallback). Pure: spans are proposed here and checked like any quote when shown."""

from __future__ import annotations

from dataclasses import dataclass

from rag.answering.citations import align_quote
from rag.answering.gate import Gate
from rag.answering.openings import opening_end, steps_end
from rag.answering.passage import Passage
from rag.answering.question import Question
from rag.answering.quotes import quotable
from rag.answering.rules import AnswerRules
from rag.text.overlap import weighted_coverage


@dataclass(frozen=True)
class Excerpt:
    """A proposed quote: a span of passage `position` (1-based), and the rule proposing it."""

    position: int
    start: int
    end: int
    rule: str
    steps: bool = False  # instructions: its last line may be a command without a full stop


@dataclass(frozen=True)
class Plan:
    lead: Excerpt | None
    fallback: Excerpt | None


def plan(
    question: Question,
    gate: Gate,
    passages: tuple[Passage, ...],
    lead: str,
    fallback: bool,
    rules: AnswerRules,
) -> Plan:
    """The lead (`lead`: none | section | best) and the fallback (when `fallback` is on).

    When the best passage's section title is the question (`gate.section`), both are the
    section's opening: documentation states its answer first. Else the lead (lead = best) is
    the best passage's sentence that best matches the question when it holds
    `rules.lead_coverage` of the question's words and no other sentence holds as many, and the
    fallback that sentence when it holds `rules.fallback_coverage`."""
    best = passages[gate.best - 1]
    if gate.section:
        opening = section_opening(question, best, rules)
        last = _as(opening, "fallback_section") if fallback else None
        return Plan(opening if lead != "none" else None, last)
    first = None
    if lead == "best" and rules.on("lead_best"):
        first = best_sentence(question, best, rules.lead_coverage, "lead_best", alone=True)
    last = None
    if fallback:
        last = best_sentence(question, best, rules.fallback_coverage, "fallback_best")
    return Plan(first, last)


def _as(excerpt: Excerpt | None, rule: str) -> Excerpt | None:
    if excerpt is None:
        return None
    return Excerpt(excerpt.position, excerpt.start, excerpt.end, rule, excerpt.steps)


def section_opening(question: Question, passage: Passage, rules: AnswerRules) -> Excerpt | None:
    """The opening of the passage's section: its first sentence that can stand as a quote
    (a short one, "Yes.", takes the next along); for a question that asks how (rule `steps`),
    with the instructions that follow it, sentences and command lines."""
    steps = question.steps and rules.on("steps")
    text = passage.text
    spans = [(a, b) for a, b in passage.units if quotable(text[a:b], rules, steps)]
    if not spans:
        return None
    start, end = spans[0]
    if steps:
        end = steps_end(text, passage.units, start, end, rules)
        return Excerpt(passage.position, start, end, "steps", steps=True)
    end = opening_end(text, start, end, spans[1:], question.weights, rules)
    return Excerpt(passage.position, start, end, "lead_section")


def best_sentence(
    question: Question, passage: Passage, least: float, rule: str, alone: bool = False
) -> Excerpt | None:
    """The passage's sentence (or pair) that best matches the question, when it holds `least`
    of the question's words by weight (else it is not about the question, whatever its section)
    and, `alone`, when no other sentence holds as much (a tie means the words do not say which
    sentence answers)."""
    text, weights = passage.text, question.weights
    start, end = align_quote(question.text, text, finished=True, spans=passage.units)
    coverage = weighted_coverage(weights, text[start:end])
    if coverage < least:
        return None
    if alone and any(
        weighted_coverage(weights, text[a:b]) >= coverage
        for a, b in passage.units
        if b <= start or a >= end
    ):
        return None
    return Excerpt(passage.position, start, end, rule)
