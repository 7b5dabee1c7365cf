"""Does a generated sentence keep its passage's meaning? Content words present are not enough:
the same words can make another claim (swapped roles, a flipped "not", a name taken from
another sentence). When unsure, the live check shows the passage's own sentence instead."""

from __future__ import annotations

from rag.answering.citations import Span, align_quote, best_span
from rag.answering.rules import GENERAL, AnswerRules
from rag.text.overlap import in_order, negations, novel_facts, support
from rag.text.units import sentence_spans
from rag.text.words import content_words


def keeps_meaning(
    sentence: str,
    passage: str,
    passage_support: float,
    threshold: float,
    rules: AnswerRules = GENERAL,
    spans: tuple[Span, ...] | None = None,
) -> bool:
    """May a generated sentence be shown in its own words? Only with `rules.meaning_min_words`
    content words; support of at least `threshold` from its passage (`passage_support`, the
    scorer's) and from the passage sentence (or pair of neighbours) it aligns with; (the same
    share of) its words in that span's order; no negation it adds or drops (it says no as many
    times as that span); and its numbers and names all in one sentence of the passage. Words
    taken from elsewhere in the passage, reordered words, a flipped "not" and a name from
    another sentence are how the passage's own words make another claim (measured on synthetic
    edits: `footnote eval edits`). `threshold` 0: always. `spans`: the passage's units when
    known.

    >>> passage = "The pool directory contains the packages. Ian wrote the dists index."
    >>> keeps_meaning("The pool directory contains the packages.", passage, 1.0, 0.9)
    True
    >>> keeps_meaning("The pool directory does not contain the packages.", passage, 1.0, 0.9)
    False
    >>> keeps_meaning("Ian's pool directory contains the packages.", passage, 1.0, 0.9)
    False
    """
    if not threshold:
        return True
    if passage_support < threshold or len(content_words(sentence)) < rules.meaning_min_words:
        return False
    units = tuple(sentence_spans(passage)) if spans is None else spans
    start, end = align_quote(sentence, passage, finished=True, spans=units)
    aligned = passage[start:end]
    if support(sentence, aligned) < threshold or negations(sentence) != negations(aligned):
        return False
    if in_order(sentence, aligned) < threshold:
        return False
    start, end = best_span(sentence, passage, list(units))
    return not novel_facts(sentence, passage[start:end])


class MeaningScorer:
    """The live check's decision as a support score, to measure it on labelled pairs (`footnote
    eval judge --scorer meaning`): lexical support capped by the share of the sentence's words
    in the order of the passage span it aligns with, halved when `keeps_meaning` would not show
    the sentence in its own words (so every sentence it keeps ranks above every one it does not).
    The general profile's rules.
    """

    name = "meaning"

    def __init__(self, threshold: float):
        self.threshold = threshold

    def scores(self, pairs: list[tuple[str, str]]) -> list[float]:
        out = []
        for claim, passage in pairs:
            lexical = support(claim, passage)
            start, end = align_quote(claim, passage, finished=True)
            score = min(lexical, in_order(claim, passage[start:end]))
            kept = keeps_meaning(claim, passage, lexical, self.threshold)
            out.append(score if kept else score * GENERAL.meaning_unsure_scale)
        return out
