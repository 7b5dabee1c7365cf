"""The ledger of one answer: every verdict in order, the sentences shown with their final
citation numbers (1..n by first use), the passage spans shown, and each cited passage's first
quote span; from it, the answer's counts and numbered citations."""

from __future__ import annotations

from rag.answering.citations import align_quote
from rag.answering.passage import Passage, Span
from rag.answering.verdict import COUNTED, FLAG, SHOW, Verdict
from rag.types import Citation, Quote, Sentence


class Ledger:
    """What one answer has decided and shown so far."""

    def __init__(self):
        self.verdicts: list[Verdict] = []
        self.sentences: list[Sentence] = []
        self.numbers: dict[int, int] = {}  # passage position -> citation number
        self.shown: list[tuple[int, int, int, str]] = []  # (position, start, end, text)
        self.first_quote: dict[int, Span] = {}  # passage position -> its first quote span

    # what the checks read

    def overlaps(self, position: int, start: int, end: int) -> bool:
        """Does something already shown come from this span of the passage?"""
        return any(p == position and a < end and start < b for p, a, b, _ in self.shown)

    def shown_over(self, position: int, start: int, end: int) -> list[str]:
        """The texts shown from spans of the passage that overlap this one."""
        return [said for p, a, b, said in self.shown if p == position and a < end and start < b]

    def answered(self, position: int) -> bool:
        """Has something from this passage been shown (it addresses the question)?"""
        return any(p == position for p, *_ in self.shown)

    @property
    def supported(self) -> list[Sentence]:
        return [s for s in self.sentences if s.supported]

    def count(self, name: str) -> int:
        """An answer count (dropped, requoted, off_topic, repeated: verdicts by action)."""
        return sum(v.action in COUNTED[name] for v in self.verdicts)

    # recording

    def record(self, verdict: Verdict, passages: tuple[Passage, ...]) -> Sentence | None:
        """Keep the verdict; for a shown one, the sentence with its final numbers."""
        self.verdicts.append(verdict)
        if verdict.action == FLAG:
            sentence = Sentence(verdict.text, (), verdict.support, supported=False)
            self.sentences.append(sentence)
            return sentence
        if verdict.action != SHOW:
            return None
        sentence = (
            self._quoted(verdict, passages) if verdict.quoted else self._own(verdict, passages)
        )
        self.shown.append((verdict.position, verdict.start, verdict.end, verdict.text))
        self.sentences.append(sentence)
        return sentence

    def _cite(self, position: int) -> int:
        if position not in self.numbers:
            self.numbers[position] = len(self.numbers) + 1
        return self.numbers[position]

    def _quoted(self, v: Verdict, passages: tuple[Passage, ...]) -> Sentence:
        number = self._cite(v.position)
        self.first_quote.setdefault(v.position, (v.start, v.end))
        quote = Quote(number, passages[v.position - 1].chunk.id, v.start, v.end)
        return Sentence(v.text, (number,), v.support, True, (quote,), True, v.replaces, v.rule)

    def _own(self, v: Verdict, passages: tuple[Passage, ...]) -> Sentence:
        numbers = tuple(self._cite(n) for n in v.cited)
        quotes = []
        for n, number in zip(v.cited, numbers, strict=True):
            chunk = passages[n - 1].chunk
            start, end = align_quote(v.text, chunk.text, spans=passages[n - 1].units)
            self.first_quote.setdefault(n, (start, end))
            quotes.append(Quote(number, chunk.id, start, end))
        return Sentence(v.text, numbers, v.support, True, tuple(quotes), rule=v.rule)

    def citations(self, passages: tuple[Passage, ...]) -> tuple[Citation, ...]:
        """The numbered sources in citation order, each with its first quote span."""
        out = []
        for position, number in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            hit = passages[position - 1].hit
            start, end = self.first_quote[position]
            chunk = hit.chunk
            out.append(
                Citation(
                    number,
                    chunk.id,
                    chunk.document_id,
                    hit.title,
                    hit.source,
                    chunk.text,
                    start,
                    end,
                    hit.url,
                    hit.date,
                    chunk.page_at(start),
                )
            )
        return tuple(out)
