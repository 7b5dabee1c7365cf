"""Citation markers and quote spans: parse `[n]`, renumber 1..n by first use, align quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.verify import support

# [1], [1, 2], [1][2], [Source 1], 【1】 -- what small models actually write
MARKER = re.compile(
    r"[\[【]\s*(?:sources?\s*)?(\d+(?:\s*[,;]\s*(?:sources?\s*)?\d+)*)\s*[\]】]", re.I
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\[【]?\S)")
_LEADING_MARKERS = re.compile(rf"^(?:\s*{MARKER.pattern})+", re.I)


def parse_markers(sentence: str) -> tuple[str, list[int]]:
    """Split a sentence into its text without markers and the numbers it cites, in order.

    >>> parse_markers("Paris is in France [1][3]. ")
    ('Paris is in France.', [1, 3])
    >>> parse_markers("See [Source 2, 1].")
    ('See.', [2, 1])
    """
    numbers: list[int] = []
    for match in MARKER.finditer(sentence):
        numbers += [int(n) for n in re.findall(r"\d+", match.group(1))]
    text = MARKER.sub("", sentence)
    text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return text, list(dict.fromkeys(numbers))


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; markers right after a full stop stay with their sentence.

    >>> split_sentences("It is red. [1] It is big [2]. Done")
    ['It is red. [1]', 'It is big [2].', 'Done']
    """
    pieces = [p for p in _SENTENCE_END.split(text.strip()) if p.strip()]
    merged: list[str] = []
    for piece in pieces:
        lead = _LEADING_MARKERS.match(piece)
        if lead and merged:
            merged[-1] += " " + lead.group(0).strip()
            piece = piece[lead.end() :]
        if piece.strip():
            merged.append(piece.strip())
    return merged


def complete_sentences(buffer: str) -> tuple[list[str], str]:
    """Sentences of a growing buffer that can no longer change, and the unfinished rest."""
    sentences = split_sentences(buffer)
    if len(sentences) < 2:
        return [], buffer
    last = sentences[-1]
    if re.fullmatch(r"\s*(?:[\[【][^\]】]*)?", MARKER.sub("", last)):
        return [], buffer  # the tail may still be (part of) a marker of the previous sentence
    return sentences[:-1], buffer[buffer.rfind(last) :]  # keep the tail's trailing space


def sentence_spans(passage: str) -> list[tuple[int, int]]:
    """Character spans of the sentences (and paragraphs) of a passage; hard-wrapped lines join."""
    spans, start = [], 0
    for match in re.finditer(r"(?<=[.!?])\s+|\n\s*\n\s*", passage):
        if passage[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if passage[start:].strip():
        spans.append((start, len(passage.rstrip())))
    return spans


def align_quote(sentence: str, passage: str) -> tuple[int, int]:
    """Offsets of the passage sentence (or pair of neighbours) that best supports `sentence`.

    Deterministic: the highest content-word support wins; ties go to the shorter, earlier span.

    >>> p = "Footnote is a tool. It checks citations. It is fast."
    >>> s, e = align_quote("It checks every citation.", p); p[s:e]
    'It checks citations.'
    """
    spans = sentence_spans(passage)
    if not spans:
        return 0, len(passage)
    candidates = spans + [(a[0], b[1]) for a, b in zip(spans, spans[1:], strict=False)]
    return max(
        candidates,
        key=lambda sp: (
            round(support(sentence, passage[sp[0] : sp[1]]), 6),
            -(sp[1] - sp[0]),
            -sp[0],
        ),
    )


@dataclass
class Numbering:
    """Maps source positions (1-based in the prompt) to citation numbers 1..n by first use."""

    numbers: dict[int, int] = field(default_factory=dict)

    def cite(self, source: int) -> int:
        if source not in self.numbers:
            self.numbers[source] = len(self.numbers) + 1
        return self.numbers[source]
