"""Where a section's opening ends, for the quote that leads an answer: documentation states its
answer first, but a first sentence can be too short ("Yes."), say nothing yet ("The answer is a
bit complicated."), or be only the first of the steps a "how" question asks for."""

from __future__ import annotations

from rag.answering.quotes import is_pointer
from rag.answering.sentences import sentence_spans
from rag.answering.support import weighted_coverage

STEPS_CHARS = 400  # of a section's opening shown for a question that asks how
# an opening with under this share of the question's term weight ("The answer is a bit
# complicated.") takes the sentences after it along, up to OPENING_CHARS
OPENING_TOUCH = 0.15
OPENING_CHARS = 300


def steps_end(passage: str, start: int, end: int) -> int:
    r"""The end of the run of sentences and command lines from `start` (whose first unit ends at
    `end`) that fits in STEPS_CHARS, cut where a unit ends; a pointer elsewhere ("See Section
    3.") ends the steps.

    >>> p = "Use apt.\nInstall it with:\napt install foo\nThen run foo."
    >>> p[: steps_end(p, 0, 8)]
    'Use apt.\nInstall it with:\napt install foo\nThen run foo.'
    """
    for a, b in sentence_spans(passage):
        if a < end:
            continue
        if is_pointer(passage[a:b]) or len(" ".join(passage[start:b].split())) > STEPS_CHARS:
            break
        end = b
    return end


def opening_end(
    passage: str, start: int, end: int, rest: list[tuple[int, int]], weights: dict[str, float]
) -> int:
    """Where a section's opening ends: a short first sentence ("Yes.") takes the next of `rest`
    (the quotable sentences after it) along; one that does not touch the question (`weights`)
    takes the sentences after it until they do, up to OPENING_CHARS.

    >>> p = "It is complicated. It depends. Install stable on servers. Testing is newer."
    >>> p[: opening_end(p, 0, 18, [(19, 30), (31, 57), (58, 76)], {"stable": 1.0})]
    'It is complicated. It depends. Install stable on servers.'
    """
    for n, (_, b) in enumerate(rest):
        text = passage[start:end]
        short = n == 0 and len(text.split()) < 8
        if not short and weighted_coverage(weights, text) >= OPENING_TOUCH:
            break
        if not short and len(" ".join(passage[start:b].split())) > OPENING_CHARS:
            break
        end = b
    return end
