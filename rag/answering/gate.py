"""The gate stage: the retrieved passages judged against the question. No relevant passage:
"not in the sources" without asking the generator. Else the passages the generator sees, and
which of them answers best."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from rag.answering.passage import Passage
from rag.answering.question import Question
from rag.answering.rules import AnswerRules
from rag.text.overlap import weighted_coverage


@dataclass(frozen=True)
class Gate:
    """The retrieved passages judged against the question."""

    relevance: float  # of the best passage
    passages: tuple[Passage, ...]  # what the generator sees (clearly unrelated ones left out)
    best: int  # 1-based position of the most relevant passage among `passages`
    section: bool = False  # the best passage's section title is the question: it answers alone

    @property
    def open(self) -> bool:
        return bool(self.passages)


def relevance(question: Question, passage: Passage, rules: AnswerRules) -> float:
    """How well a passage matches a question, in [0, 1]: its cosine to the question, its closest
    statement's cosine (`Passage.closest`: a user's words match one sentence better than a
    whole passage), and the share of the question's words it contains (heading included), each
    word weighed by how specific it is in the corpus; mixed by `rules.cosine_weight` and
    `rules.meaning_weight`, the rest for the words. Words alone confuse a passage on a
    neighbouring topic with an answer and miss a question asked in other words; unweighted, a
    question about a tool the corpus never names passes on its common words (measured:
    docs/citations.md, docs/benchmarks.md)."""
    cover = weighted_coverage(question.weights, passage.chunk.indexed_text)
    w, m = rules.cosine_weight, rules.meaning_weight
    score = w * max(passage.hit.score, 0.0) + (1 - w - m) * cover
    if m:
        score += m * max(passage.closest, 0.0)
    return round(score, 4)


def titles(passage: Passage, question: Question, match: float) -> bool:
    """Is the passage's section title the question (its heading holds `match` of the question's
    words, by weight; 1: never)?"""
    section = passage.section
    return bool(section) and match < 1 and weighted_coverage(question.weights, section) >= match


def meant_title(passages: tuple[Passage, ...], rules: AnswerRules) -> int | None:
    """The index of the passage whose section title is a question (a FAQ's entry) that means
    the question asked: its cosine to the question reaches `rules.title_meaning` and no other
    retrieved question title comes within `rules.title_margin` of it (near-identical entries do
    not say which one is asked). A topic title ("Configuration Options") is no question: close
    in meaning to many questions, it does not say that its opening answers them (measured on
    the manuals: docs/benchmarks.md)."""
    best: dict[str, tuple[float, int]] = {}  # title -> (closeness, first passage under it)
    for i, p in enumerate(passages):
        asks = p.section.rstrip().endswith("?")
        if asks and p.title_meaning and p.section not in best:
            best[p.section] = (p.title_meaning, i)
    ranked = sorted(best.values(), reverse=True)
    if not ranked or ranked[0][0] < rules.title_meaning:
        return None
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < rules.title_margin:
        return None
    return ranked[0][1]


def gate(
    question: Question,
    passages: tuple[Passage, ...],
    min_relevance: float,
    section_match: float,
    rules: AnswerRules,
    opening_of: Callable[[Passage], Passage],
) -> Gate:
    """Relevance of each passage; none at `min_relevance` closes the gate, unless a FAQ
    entry's question title means the question (`meant_title`, rule `titled_meaning`). The
    passages the generator sees: the first relevant one whose section's heading holds
    `section_match` of the question's words (rule `titled_section`), else the entry meant, alone
    (after its section's first chunk, `opening_of`, when it is not that chunk): documentation
    answers by section, the question is that section's title, even when a neighbouring section
    scores higher ("What is this FAQ?" and "Authors" of the same chapter); else all but the
    clearly unrelated ones."""
    scores = [relevance(question, p, rules) for p in passages]
    best = max(scores, default=0.0)
    # a FAQ entry asked in other words opens a gate that relevance would close; over an open
    # one, the passages' own words and closeness choose better (measured: docs/benchmarks.md)
    closed = best < min_relevance
    meant = meant_title(passages, rules) if closed and rules.on("titled_meaning") else None
    if not passages or (closed and meant is None):
        return Gate(best, (), 0)
    match = section_match if rules.on("titled_section") else 1.0
    # in retrieval order: the retriever ranks the question's sections first
    titled = [
        i
        for i, p in enumerate(passages)
        if scores[i] >= min_relevance and titles(p, question, match)
    ]
    chosen_at = titled[0] if titled else meant  # never both: meant only where the gate closes
    if chosen_at is not None:
        chosen = passages[chosen_at]
        opening = opening_of(chosen)  # the section states its answer first
        pair = (chosen,) if opening.hit == chosen.hit else (opening, chosen)
        return Gate(best, _numbered(pair), 1, section=True)
    floor = min_relevance * rules.unrelated_floor  # clearly unrelated passages stay out
    kept = [i for i, score in enumerate(scores) if score >= floor]
    return Gate(best, _numbered(passages[i] for i in kept), kept.index(scores.index(best)) + 1)


def most_relevant(
    question: Question, passages: tuple[Passage, ...], depth: int, rules: AnswerRules
) -> tuple[Passage, ...]:
    """The `depth` passages most relevant to the question (`relevance`), in retrieval order
    (rule `pool`, when more were retrieved): on a reference manual the passage that answers is
    often ranked below neighbours that share its words (measured: docs/benchmarks.md)."""
    if not rules.on("pool"):
        return passages[:depth]  # the first ones, as if no more had been retrieved
    if len(passages) <= depth:
        return passages
    scores = [relevance(question, p, rules) for p in passages]
    kept = sorted(sorted(range(len(passages)), key=lambda i: -scores[i])[:depth])
    return _numbered(passages[i] for i in kept)


def _numbered(passages) -> tuple[Passage, ...]:
    return tuple(replace(p, position=n) for n, p in enumerate(passages, 1))
