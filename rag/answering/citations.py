"""Quote spans: which span of a passage a sentence aligns with, deterministically."""

from __future__ import annotations

from rag.text.overlap import support
from rag.text.units import FINISHED, sentence_spans

Span = tuple[int, int]


def align_quote(
    sentence: str, passage: str, finished: bool = False, spans: tuple[Span, ...] | None = None
) -> Span:
    """Offsets of the passage sentence (or pair of neighbours) that best supports `sentence`;
    `finished`: only sentences that end with a full stop, ! or ? (no headings, no cut-off
    text), unless the passage has none. `spans`: the passage's units when known.

    Deterministic: the highest content-word support wins; ties go to the shorter, earlier span.

    >>> p = "Footnote is a tool. It checks citations. It is fast."
    >>> s, e = align_quote("It checks every citation.", p); p[s:e]
    'It checks citations.'
    >>> p = "Error E42\\nThe fan stopped."
    >>> [p[slice(*align_quote("E42", p, finished))] for finished in (False, True)]
    ['Error E42', 'The fan stopped.']
    """
    units = list(sentence_spans(passage) if spans is None else spans)
    if finished and any(FINISHED.search(passage[a:b]) for a, b in units):
        units = [(a, b) for a, b in units if FINISHED.search(passage[a:b])]
        neighbours = zip(units, units[1:], strict=False)  # not across a heading left out
        pairs = [(a[0], b[1]) for a, b in neighbours if not passage[a[1] : b[0]].strip()]
        return best_span(sentence, passage, units + pairs)
    if not units:
        return 0, len(passage)
    pairs = [(a[0], b[1]) for a, b in zip(units, units[1:], strict=False)]
    return best_span(sentence, passage, units + pairs)


def best_span(sentence: str, passage: str, candidates: list[Span]) -> Span:
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
