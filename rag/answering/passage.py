"""The passage stage: each retrieved hit, built once, as what answering reads of it: its units
(sentences, headings, lines; character spans), and what it states (its evidence)."""

from __future__ import annotations

from dataclasses import dataclass

from rag.answering.rules import AnswerRules
from rag.text.units import sentence_spans
from rag.types import Chunk, Hit

Span = tuple[int, int]


@dataclass(frozen=True)
class Passage:
    """One passage of an answer's prompt, `position` 1-based."""

    position: int
    hit: Hit
    units: tuple[Span, ...]  # of `text`
    evidence: str  # `text` with what states nothing blanked (same offsets)
    evidence_units: tuple[Span, ...]  # of `evidence`

    @property
    def chunk(self) -> Chunk:
        return self.hit.chunk

    @property
    def text(self) -> str:
        return self.hit.chunk.text

    @property
    def heading(self) -> str:
        return self.hit.chunk.heading

    @property
    def section(self) -> str:
        """The title of the section it sits in (the last heading of its path)."""
        return self.hit.chunk.heading.rsplit(" > ", 1)[-1]


def is_title(unit: str) -> bool:
    """A heading line or a question: the topic a following "This ..." refers to, never part of a
    quote and no evidence of a claim.

    >>> is_title("## 2.1 What is it?"), is_title("Is it free? Yes.")
    (True, False)
    """
    return unit.lstrip().startswith("#") or unit.rstrip().endswith("?")


def passages(hits: list[Hit], rules: AnswerRules) -> tuple[Passage, ...]:
    """The hits as passages, numbered 1..n in order."""
    out = []
    for position, hit in enumerate(hits, 1):
        text = hit.chunk.text
        stated = evidence(hit.chunk) if rules.on("headings_no_evidence") else text
        units = tuple(sentence_spans(text))
        out.append(Passage(position, hit, units, stated, tuple(sentence_spans(stated))))
    return tuple(out)


def evidence(chunk: Chunk) -> str:
    """What a passage states: its text with its heading line and its questions blanked (same
    offsets). "Can I change to testing?" under which a passage answers is no evidence that "I
    can change to testing", nor are a question's words evidence of a claim built from them.

    >>> evidence(Chunk("c", "d", "Is it free?\\nYes, it is.", 0, 23))
    '           \\nYes, it is.'
    """
    text, title = chunk.text, chunk.heading.rsplit(" > ", 1)[-1].split()
    first = text.split("\n", 1)[0]
    if title and first.split() == title:  # a page's heading line, as extracted
        text = " " * len(first) + text[len(first) :]
    for a, b in sentence_spans(text):
        if is_title(text[a:b]):
            text = text[:a] + " " * (b - a) + text[b:]
    return text
