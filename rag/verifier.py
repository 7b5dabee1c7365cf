"""The live check: each generated sentence against the passages, before it is shown.

Invalid citation markers are dropped; a sentence whose cited passages do not support it is
checked against every retrieved passage and its citation repaired; a sentence no passage supports
is dropped (or shown flagged, by policy). Citations are numbered 1..n by first use and each kept
citation gets a quote span found by deterministic alignment.
"""

from __future__ import annotations

import re
import time

from rag.cite import Numbering, align_quote, parse_markers
from rag.judge import SupportScorer
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
    ):
        self.hits, self.scorer, self.min_support = hits, scorer, min_support
        self.flag_unsupported = flag_unsupported
        self.numbering = Numbering()
        self.sentences: list[Sentence] = []
        self.first_quote: dict[int, tuple[int, int]] = {}  # passage position -> quote span
        self.dropped, self.seconds = 0, 0.0

    @property
    def supported(self) -> list[Sentence]:
        return [s for s in self.sentences if s.supported]

    def check(self, raw: str, quoted: bool = False) -> Sentence | None:
        """The sentence to show (final numbers), or None when it is dropped or an abstention.
        `quoted`: the text is a passage's own words (kept only if it passes the same check)."""
        t0 = time.perf_counter()
        try:
            return self._check(raw, quoted)
        finally:
            self.seconds += time.perf_counter() - t0

    def _scores(self, text: str, positions: list[int]) -> dict[int, float]:
        pairs = [(text, self.hits[n - 1].chunk.text) for n in positions]
        return dict(zip(positions, self.scorer.scores(pairs), strict=True))

    def _check(self, raw: str, quoted: bool) -> Sentence | None:
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
            if not self.flag_unsupported or quoted:
                return None
            sentence = Sentence(text, (), round(best, 3), supported=False)
        else:
            numbers = tuple(self.numbering.cite(n) for n in keep)
            quotes = tuple(
                self._quote(text, n, number) for n, number in zip(keep, numbers, strict=True)
            )
            sentence = Sentence(text, numbers, round(best, 3), True, quotes, quoted)
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
