"""The live check: each generated sentence against the passages and the question, before it is
shown.

Invalid citation markers are dropped; a sentence whose cited passages do not support it is
checked against every retrieved passage and its citation repaired; a sentence no passage supports
is dropped (or shown flagged, by policy). A sentence must also address the question: the
question's specific words (weighed by how rare they are in the corpus) must be in the sentence
or in the heading of the section it comes from, or the sentence must continue one that was; a
sentence that only points elsewhere ("See Section 7.2") or repeats what is already shown is not
shown. A sentence the check is unsure of (support under `quote_below`, or too few words to
check) is shown in the source's own words instead: the passage sentence it aligns with,
verbatim. Citations are numbered 1..n by first use and each kept citation gets a quote span
found by deterministic alignment.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from rag.answering.citations import Numbering, align_quote, parse_markers
from rag.answering.meaning import keeps_meaning
from rag.answering.openings import opening_end, steps_end
from rag.answering.quotes import is_pointer, is_title, quotable, whole_span, without_titles
from rag.answering.scorers import SupportScorer
from rag.answering.sentences import sentence_spans
from rag.answering.support import support, weighted_coverage
from rag.types import Citation, Hit, Quote, Sentence

_ABSTAIN = re.compile(
    r"not in (the )?sources|i don'?t know|(sources?|context|passages?) (do|does) not "
    r"(contain|mention|say)|no information|not (provided|mentioned) in",
    re.I,
)


@dataclass(frozen=True)
class Policy:
    """What the check demands of a sentence (from the settings, via rag.answering.Limits)."""

    min_support: float  # from its passage, to be shown at all
    flag_unsupported: bool = False  # show unsupported sentences flagged instead of dropping
    quote_below: float = 0.0  # under this support, the source's words stand in for the model's
    min_responsive: float = 0.0  # share of the question's term weight it (or its section) has


class Verifier:
    """Verifies the sentences of one answer, in order, against its retrieved passages and the
    question (`weights`: its specific words with their weights; empty = no question check)."""

    def __init__(
        self,
        hits: list[Hit],
        scorer: SupportScorer,
        policy: Policy,
        weights: dict[str, float] | None = None,
    ):
        self.hits, self.scorer, self.policy = hits, scorer, policy
        self.weights = weights or {}
        self.numbering = Numbering()
        self.sentences: list[Sentence] = []
        self.first_quote: dict[int, tuple[int, int]] = {}  # passage position -> quote span
        self.shown: list[tuple[int, int, int, str]] = []  # (position, start, end, text) shown
        self.answering: set[int] = set()  # positions whose shown sentences address the question
        self._stated: dict[int, str] = {}  # position -> what its passage states (`_evidence`)
        self.dropped, self.requoted, self.off_topic, self.repeated = 0, 0, 0, 0
        self.seconds = 0.0

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

    def best_quote(
        self, question: str, position: int, min_coverage: float = 0.25, alone: bool = False
    ) -> Sentence | None:
        """The sentence of passage `position` (1-based; the most relevant one) that best
        matches the question, verbatim and cited, if it passes the same checks as any quote
        (`_quote_sentence`) and itself holds `min_coverage` of the question's words (by weight;
        else it is not about the question, whatever its section). `alone`: only when no other
        sentence of the passage holds as much (a tie means the words do not say which sentence
        answers). The answer's lead, or its fallback when the model answered but none of its
        sentences held up."""
        t0 = time.perf_counter()
        try:
            passage = self.hits[position - 1].chunk.text
            start, end = align_quote(question, passage, finished=True)
            coverage = weighted_coverage(self.weights, passage[start:end])
            if coverage < min_coverage:
                return None
            if alone and any(
                weighted_coverage(self.weights, passage[a:b]) >= coverage
                for a, b in sentence_spans(passage)
                if b <= start or a >= end
            ):
                return None
            return self._quote_sentence(position, start, end)
        finally:
            self.seconds += time.perf_counter() - t0

    def lead_quote(self, position: int, steps: bool = False) -> Sentence | None:
        """The opening of passage `position`'s section, verbatim and cited: its first sentence
        that can stand as a quote (a short one, "Yes.", takes the next along). For a passage
        whose section title is the question: documentation states its answer first. `steps`
        (the question asks how): the opening with the instructions that follow it, sentences
        and command lines, up to `openings.STEPS_CHARS`."""
        t0 = time.perf_counter()
        try:
            passage = self.hits[position - 1].chunk.text
            spans = [(a, b) for a, b in sentence_spans(passage) if quotable(passage[a:b], steps)]
            if not spans:
                return None
            start, end = spans[0]
            if steps:
                end = steps_end(passage, start, end)
            else:
                end = opening_end(passage, start, end, spans[1:], self.weights)
            return self._quote_sentence(position, start, end, steps=steps)
        finally:
            self.seconds += time.perf_counter() - t0

    def _scores(self, text: str, positions: list[int]) -> dict[int, float]:
        pairs = [(text, self._evidence(n)) for n in positions]
        return dict(zip(positions, self.scorer.scores(pairs), strict=True))

    def _evidence(self, position: int) -> str:
        """What passage `position` states: its text with its heading lines and its questions
        blanked (same offsets). "Can I change to testing?" under which a passage answers is no
        evidence that "I can change to testing", nor are a question's words evidence of a
        claim built from them."""
        if position not in self._stated:
            chunk = self.hits[position - 1].chunk
            text, title = chunk.text, chunk.heading.rsplit(" > ", 1)[-1].split()
            first = text.split("\n", 1)[0]
            if title and first.split() == title:  # a page's heading line, as extracted
                text = " " * len(first) + text[len(first) :]
            for a, b in sentence_spans(text):
                if is_title(text[a:b]):
                    text = text[:a] + " " * (b - a) + text[b:]
            self._stated[position] = text
        return self._stated[position]

    def _check(self, raw: str) -> Sentence | None:
        text, cited = parse_markers(raw)
        if not any(ch.isalnum() for ch in text) or _ABSTAIN.search(text) or text.endswith("?"):
            return None  # nothing, a refusal, or the question echoed back
        cited = [n for n in cited if 1 <= n <= len(self.hits)]  # invalid markers are dropped
        scores = self._scores(text, cited)
        if not scores or max(scores.values()) < self.policy.min_support:  # missing or wrong cite
            others = [n for n in range(1, len(self.hits) + 1) if n not in scores]
            scores.update(self._scores(text, others))
            cited = [max(scores, key=scores.get)]
        best = max(scores.values())
        keep = [n for n in cited if scores[n] >= self.policy.min_support]
        if not keep:
            return self._unsupported(text, best)
        position = max(keep, key=scores.get)
        start, end = align_quote(text, self.hits[position - 1].chunk.text, finished=True)
        if is_pointer(text) or not self._answers(text, position):
            self.off_topic += 1
            return None
        if not keeps_meaning(text, self._evidence(position), best, self.policy.quote_below):
            return self._stand_in(text, position, start, end)
        if self._repeats(text, position, start, end):
            self.repeated += 1
            return None
        return self._show(text, keep, scores, position, start, end)

    def _unsupported(self, text: str, best: float) -> Sentence | None:
        self.dropped += 1
        if not self.policy.flag_unsupported:
            return None
        sentence = Sentence(text, (), round(best, 3), supported=False)
        self.sentences.append(sentence)
        return sentence

    def _show(self, text, keep, scores, position, start, end) -> Sentence:
        numbers = tuple(self.numbering.cite(n) for n in keep)
        pairs = zip(keep, numbers, strict=True)
        quotes = tuple(self._quote(text, n, number) for n, number in pairs)
        sentence = Sentence(text, numbers, round(max(scores.values()), 3), True, quotes)
        self._record(position, start, end, text)
        self.sentences.append(sentence)
        return sentence

    def _answers(self, text: str, position: int) -> bool:
        """Does the sentence address the question: the question's words (by weight) in it or in
        its section's heading, or a passage that already answered (a continuation)?"""
        if not self.weights or position in self.answering:
            return True
        heading = self.hits[position - 1].chunk.heading
        found = weighted_coverage(self.weights, f"{heading}\n{without_titles(text)}")
        return found >= self.policy.min_responsive

    def _repeats(self, text: str, position: int, start: int, end: int) -> bool:
        """Does the sentence say again what a shown sentence or quote of the same passage span
        already says?"""
        shown = [said for p, a, b, said in self.shown if p == position and a < end and start < b]
        return bool(shown) and support(text, " ".join(shown)) >= 0.9

    def _stand_in(self, text: str, position: int, start: int, end: int) -> Sentence | None:
        """The check is unsure of `text`: show the aligned passage span instead (once: a span
        already shown stands for this sentence too)."""
        shown = self._overlaps(position, start, end)
        quote = self._quote_sentence(position, start, end, replaces=text)
        if quote is None and not shown:
            self.dropped += 1
        else:
            self.requoted += 1
        return quote

    def _overlaps(self, position: int, start: int, end: int) -> bool:
        """Does something already shown come from this span of the passage?"""
        return any(p == position and a < end and start < b for p, a, b, _ in self.shown)

    def _record(self, position: int, start: int, end: int, text: str) -> None:
        self.shown.append((position, start, end, text))
        self.answering.add(position)

    def _quote_sentence(
        self, position: int, start: int, end: int, replaces: str = "", steps: bool = False
    ) -> Sentence | None:
        """The verbatim span (widened to whole sentences that name their subject) as a cited
        sentence; None when it cannot stand as a quote (`quotes.quotable`), is already shown,
        does not address the question, or is not supported by the scorer."""
        chunk = self.hits[position - 1].chunk
        start, end = whole_span(chunk.text, start, end)
        text = " ".join(chunk.text[start:end].split())
        if not quotable(text, steps) or self._overlaps(position, start, end):
            return None
        if not self._answers(text, position):
            self.off_topic += 1
            return None
        score = self._scores(text, [position])[position]
        if score < self.policy.min_support:
            return None
        number = self.numbering.cite(position)
        self.first_quote.setdefault(position, (start, end))
        self._record(position, start, end, text)
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
                    hit.chunk.page_at(start),
                )
            )
        return tuple(out)
