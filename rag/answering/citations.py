"""Citation markers and quote spans: parse `[n]`, renumber 1..n by first use, align quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.answering.sentences import FINISHED, MARKER, sentence_spans
from rag.answering.support import support

# a marker the generator wrote stands apart: after a space or a sentence's end, before a space,
# punctuation or the end; brackets inside words or code ("sys.argv[1]", "tuple([1, 2])") are text
CITATION = re.compile(
    rf"(?<![^\s.!?])(?:{MARKER.pattern})(?:\s*{MARKER.pattern})*(?=$|[\s.,;:!?)\]】])", re.I
)


def parse_markers(sentence: str) -> tuple[str, list[int]]:
    """Split a sentence into its text without citation markers and the numbers it cites, in
    order; brackets that belong to the text stay.

    >>> parse_markers("Paris is in France [1][3]. ")
    ('Paris is in France.', [1, 3])
    >>> parse_markers("See [Source 2, 1].")
    ('See.', [2, 1])
    >>> parse_markers("Use tuple([1, 2, 3]) or sys.argv[1] here [2].")
    ('Use tuple([1, 2, 3]) or sys.argv[1] here.', [2])
    """
    numbers: list[int] = []
    for run in CITATION.finditer(sentence):
        for match in MARKER.finditer(run.group(0)):
            numbers += [int(n) for n in re.findall(r"\d+", match.group(1))]
    text = CITATION.sub("", sentence)
    text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return text, list(dict.fromkeys(numbers))


def align_quote(sentence: str, passage: str, finished: bool = False) -> tuple[int, int]:
    """Offsets of the passage sentence (or pair of neighbours) that best supports `sentence`;
    `finished`: only sentences that end with a full stop, ! or ? (no headings, no cut-off
    text), unless the passage has none.

    Deterministic: the highest content-word support wins; ties go to the shorter, earlier span.

    >>> p = "Footnote is a tool. It checks citations. It is fast."
    >>> s, e = align_quote("It checks every citation.", p); p[s:e]
    'It checks citations.'
    >>> p = "Error E42\\nThe fan stopped."
    >>> [p[slice(*align_quote("E42", p, finished))] for finished in (False, True)]
    ['Error E42', 'The fan stopped.']
    """
    spans = sentence_spans(passage)
    if finished and any(FINISHED.search(passage[a:b]) for a, b in spans):
        spans = [(a, b) for a, b in spans if FINISHED.search(passage[a:b])]
        neighbours = zip(spans, spans[1:], strict=False)  # not across a heading left out
        pairs = [(a[0], b[1]) for a, b in neighbours if not passage[a[1] : b[0]].strip()]
        return best_span(sentence, passage, spans + pairs)
    if not spans:
        return 0, len(passage)
    pairs = [(a[0], b[1]) for a, b in zip(spans, spans[1:], strict=False)]
    return best_span(sentence, passage, spans + pairs)


def best_span(sentence: str, passage: str, candidates: list[tuple[int, int]]) -> tuple[int, int]:
    """The candidate span of the passage that supports the sentence best (ties: shorter, then
    earlier)."""
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
