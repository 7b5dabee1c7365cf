"""The gate stage: the retrieved passages judged against the question. No relevant passage:
"not in the sources" without asking the generator. Else the passages the generator sees, and
which of them answers best."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rag.answering.question import Question
from rag.answering.rules import AnswerRules
from rag.text.overlap import weighted_coverage
from rag.types import Hit


@dataclass(frozen=True)
class Gate:
    """The retrieved passages judged against the question."""

    relevance: float  # of the best passage
    hits: list[Hit]  # what the generator sees (clearly unrelated passages left out)
    best: int  # 1-based position of the most relevant passage among `hits`
    section: bool = False  # the best passage's section title is the question: it answers alone

    @property
    def open(self) -> bool:
        return bool(self.hits)


def relevance(question: Question, hit: Hit, rules: AnswerRules) -> float:
    """How well a passage matches a question, in [0, 1]: its cosine to the question and the
    share of the question's words it contains (heading included), each word weighed by how
    specific it is in the corpus, mixed by `rules.cosine_weight`. Either alone confuses a
    passage on a neighbouring topic with an answer; unweighted, a question about a tool the
    corpus never names passes on its common words (measured: docs/citations.md)."""
    cover = weighted_coverage(question.weights, hit.chunk.indexed_text)
    w = rules.cosine_weight
    return round(w * max(hit.score, 0.0) + (1 - w) * cover, 4)


def titles(hit: Hit, question: Question, match: float) -> bool:
    """Is the passage's section title the question (its heading holds `match` of the question's
    words, by weight; 1: never)?"""
    section = hit.chunk.heading.rsplit(" > ", 1)[-1]
    return bool(section) and match < 1 and weighted_coverage(question.weights, section) >= match


def gate(
    question: Question,
    hits: list[Hit],
    min_relevance: float,
    section_match: float,
    rules: AnswerRules,
    opening_of: Callable[[Hit], Hit],
) -> Gate:
    """Relevance of each passage; none at `min_relevance` closes the gate. The passages the
    generator sees: the first relevant one whose section's heading holds `section_match` of the
    question's words, alone (after its section's first chunk, `opening_of`, when it is not that
    chunk; rule `titled_section`): documentation answers by section, the question is that
    section's title, even when a neighbouring section scores higher ("What is this FAQ?" and
    "Authors" of the same chapter); else all but the clearly unrelated ones."""
    scores = [relevance(question, h, rules) for h in hits]
    best = max(scores, default=0.0)
    if not hits or best < min_relevance:
        return Gate(best, [], 0)
    match = section_match if rules.on("titled_section") else 1.0
    # in retrieval order: the retriever ranks the question's sections first
    titled = [
        i for i, h in enumerate(hits) if scores[i] >= min_relevance and titles(h, question, match)
    ]
    if titled:
        hit = hits[titled[0]]
        opening = opening_of(hit)  # the section states its answer first
        return Gate(best, [hit] if opening == hit else [opening, hit], 1, section=True)
    floor = min_relevance * rules.unrelated_floor  # clearly unrelated passages stay out
    kept = [i for i, score in enumerate(scores) if score >= floor]
    return Gate(best, [hits[i] for i in kept], kept.index(scores.index(best)) + 1)
