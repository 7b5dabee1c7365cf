"""The live check: each generated sentence against the passages, before it is shown.

Invalid citation markers are dropped; a sentence whose cited passages do not support it is
checked against every retrieved passage and its citation repaired; a sentence no passage supports
is dropped (or shown flagged, by policy). A sentence the check is unsure of (support under
`quote_below`, or too few words to check) is shown in the source's own words instead: the
passage sentence it aligns with, verbatim. Citations are numbered 1..n by first use and each kept
citation gets a quote span found by deterministic alignment.
"""

from __future__ import annotations

import re
import time

from rag.answering.citations import Numbering, align_quote, parse_markers
from rag.answering.scorers import SupportScorer
from rag.answering.sentences import FINISHED
from rag.answering.support import coverage, in_order, looks_like_instructions
from rag.answering.words import content_words
from rag.types import Citation, Hit, Quote, Sentence

_ABSTAIN = re.compile(
    r"not in (the )?sources|i don'?t know|(sources?|context|passages?) (do|does) not "
    r"(contain|mention|say)|no information|not (provided|mentioned) in",
    re.I,
)


class Verifier:
    """Verifies the sentences of one answer, in order, against its retrieved passages."""

    def __init__(
        self,
        hits: list[Hit],
        scorer: SupportScorer,
        min_support: float,
        flag_unsupported: bool = False,
        quote_below: float = 0.0,
    ):
        self.hits, self.scorer, self.min_support = hits, scorer, min_support
        self.flag_unsupported, self.quote_below = flag_unsupported, quote_below
        self.numbering = Numbering()
        self.sentences: list[Sentence] = []
        self.first_quote: dict[int, tuple[int, int]] = {}  # passage position -> quote span
        self.dropped, self.requoted, self.seconds = 0, 0, 0.0

    @property
    def supported(self) -> list[Sentence]:
        return [s for s in self.sentences if s.supported]

    def check(self, raw: str) -> Sentence | None:
        """The sentence to show (final numbers), or None when it is dropped, an abstention or a
        quote already shown."""
        t0 = time.perf_counter()
        try:
            return self._check(raw)
        finally:
            self.seconds += time.perf_counter() - t0

    def fallback_quote(self, question: str, position: int) -> Sentence | None:
        """The model answered but none of its sentences held up: the sentence of passage
        `position` (1-based; the most relevant one) that best matches the question, verbatim
        and cited, if it passes the same check as any quote (`_quote_sentence`) and contains at
        least a quarter of the question's content words (else it is not about the question)."""
        t0 = time.perf_counter()
        try:
            passage = self.hits[position - 1].chunk.text
            start, end = align_quote(question, passage, finished=True)
            if coverage(question, passage[start:end]) < 0.25:
                return None
            return self._quote_sentence(position, start, end)
        finally:
            self.seconds += time.perf_counter() - t0

    def _scores(self, text: str, positions: list[int]) -> dict[int, float]:
        pairs = [(text, self.hits[n - 1].chunk.text) for n in positions]
        return dict(zip(positions, self.scorer.scores(pairs), strict=True))

    def _check(self, raw: str) -> Sentence | None:
        text, cited = parse_markers(raw)
        if not any(ch.isalnum() for ch in text) or _ABSTAIN.search(text) or text.endswith("?"):
            return None  # nothing, a refusal, or the question echoed back
        cited = [n for n in cited if 1 <= n <= len(self.hits)]  # invalid markers are dropped
        scores = self._scores(text, cited)
        if not scores or max(scores.values()) < self.min_support:  # missing or wrong citation
            others = [n for n in range(1, len(self.hits) + 1) if n not in scores]
            scores.update(self._scores(text, others))
            cited = [max(scores, key=scores.get)]
        best = max(scores.values())
        keep = [n for n in cited if scores[n] >= self.min_support]
        if not keep:
            self.dropped += 1
            if not self.flag_unsupported:
                return None
            sentence = Sentence(text, (), round(best, 3), supported=False)
        else:
            position = max(keep, key=scores.get)
            start, end = align_quote(text, self.hits[position - 1].chunk.text, finished=True)
            if not self._sure(text, best, self.hits[position - 1].chunk.text[start:end]):
                return self._stand_in(text, position, start, end)
            numbers = tuple(self.numbering.cite(n) for n in keep)
            quotes = tuple(
                self._quote(text, n, number) for n, number in zip(keep, numbers, strict=True)
            )
            sentence = Sentence(text, numbers, round(best, 3), True, quotes)
        self.sentences.append(sentence)
        return sentence

    def _sure(self, text: str, support: float, aligned: str) -> bool:
        """Can the model's own words be shown? Only with support of at least `quote_below`, at
        least two content words, and (the same share of) its words in the order of the passage
        sentence it aligns with (`aligned`): reordered words are how a wrong relation between
        the passage's own words shows (measured on SQuAD: see docs/citations.md)."""
        if support < self.quote_below or len(content_words(text)) < 2:
            return False
        return in_order(text, aligned) >= self.quote_below

    def _stand_in(self, text: str, position: int, start: int, end: int) -> Sentence | None:
        """The check is unsure of `text`: show the aligned passage span instead (once: a span
        already shown stands for this sentence too)."""
        shown = self._shown(position, start, end)
        quote = self._quote_sentence(position, start, end, replaces=text)
        if quote is None and not shown:
            self.dropped += 1
        else:
            self.requoted += 1
        return quote

    def _shown(self, position: int, start: int, end: int) -> bool:
        """Does a quote already shown overlap this span of the passage?"""
        chunk_id = self.hits[position - 1].chunk.id
        return any(
            s.quoted and q.chunk_id == chunk_id and q.start < end and start < q.end
            for s in self.sentences
            for q in s.quotes
        )

    def _quote_sentence(
        self, position: int, start: int, end: int, replaces: str = ""
    ) -> Sentence | None:
        """The verbatim span as a cited sentence; None for a heading or cut-off text (no final
        full stop, ! or ?), a fragment (under 3 content words), a span already shown, a sentence
        that addresses the assistant (a prompt injection is not a fact) or a span the scorer
        does not find supported."""
        chunk = self.hits[position - 1].chunk
        text = " ".join(chunk.text[start:end].split())
        if (
            not FINISHED.search(text)
            or text.startswith("#")
            or len(content_words(text)) < 3
            or looks_like_instructions(text)
            or self._shown(position, start, end)
        ):
            return None
        score = self._scores(text, [position])[position]
        if score < self.min_support:
            return None
        number = self.numbering.cite(position)
        self.first_quote.setdefault(position, (start, end))
        quote = Quote(number, chunk.id, start, end)
        sentence = Sentence(text, (number,), round(score, 3), True, (quote,), True, replaces)
        self.sentences.append(sentence)
        return sentence

    def _quote(self, text: str, position: int, number: int) -> Quote:
        chunk = self.hits[position - 1].chunk
        start, end = align_quote(text, chunk.text)
        self.first_quote.setdefault(position, (start, end))
        return Quote(number, chunk.id, start, end)

    def citations(self) -> tuple[Citation, ...]:
        """The numbered sources in citation order, each with its first quote span."""
        out = []
        for position, number in sorted(self.numbering.numbers.items(), key=lambda kv: kv[1]):
            hit = self.hits[position - 1]
            start, end = self.first_quote[position]
            out.append(
                Citation(
                    number,
                    hit.chunk.id,
                    hit.chunk.document_id,
                    hit.title,
                    hit.source,
                    hit.chunk.text,
                    start,
                    end,
                    hit.url,
                    hit.date,
                )
            )
        return tuple(out)
