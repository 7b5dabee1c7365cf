"""Where a section's opening ends, for the quote that leads an answer: documentation states its
answer first, but a first sentence can be too short ("Yes."), say nothing yet ("The answer is a
bit complicated."), or be only the first of the steps a "how" question asks for."""

from __future__ import annotations

from rag.answering.passage import Span, shown_length
from rag.answering.rules import AnswerRules
from rag.text.cues import is_pointer, qualifies
from rag.text.overlap import weighted_coverage
from rag.text.units import item_breaks


def steps_end(
    passage: str, units: tuple[Span, ...], start: int, end: int, rules: AnswerRules
) -> int:
    r"""The end of the run of sentences and command lines from `start` (whose first unit ends at
    `end`) that fits in `rules.steps_chars`, cut where a unit ends; a pointer elsewhere ("See
    Section 3.") ends the steps.

    >>> from rag.text.units import sentence_spans
    >>> p = "Use apt.\nInstall it with:\napt install foo\nThen run foo."
    >>> p[: steps_end(p, sentence_spans(p), 0, 8, AnswerRules())]
    'Use apt.\nInstall it with:\napt install foo\nThen run foo.'
    """
    for a, b in units:
        if a < end:
            continue
        if is_pointer(passage[a:b]):
            break
        if shown_length(passage, start, b) > rules.steps_chars:
            return items_within(passage, a, b, start, rules.steps_chars) or end
        end = b
    return end


def items_within(passage: str, a: int, b: int, start: int, limit: int) -> int | None:
    r"""Where the unit `passage[a:b]` that runs an excerpt (from `start`) past `limit` characters
    can end instead: after its last whole list item within the limit (a list whose items end
    with commas is one unit: "- buzz was the spaceman,\n- rex was the dinosaur,"), None when
    not even its first item fits.

    >>> p = "Names:\n- buzz was the spaceman,\n- rex was the dinosaur,\n- bo was Bo Peep."
    >>> p[: items_within(p, 7, len(p), 0, 60)]
    'Names:\n- buzz was the spaceman,\n- rex was the dinosaur,'
    >>> items_within(p, 7, len(p), 0, 20) is None
    True
    """
    cut = None
    for at in item_breaks(passage, a, b):
        if at > a and shown_length(passage, start, at) <= limit:
            cut = at
    return cut


def opening_end(
    passage: str,
    start: int,
    end: int,
    rest: list[Span],
    weights: dict[str, float],
    rules: AnswerRules,
) -> int:
    """Where a section's opening ends: a short first sentence ("Yes.") takes the next of `rest`
    (the quotable sentences after it) along; one that does not touch the question (`weights`)
    takes the sentences after it until they do, up to `rules.opening_chars` (rule
    `opening_runs_on`), and an opening under `rules.opening_min_chars` takes the next sentence
    too (an answer's first sentence seldom holds all of it); a sentence that qualifies it
    ("But ...") is always taken along (rule `qualifies`).

    >>> p = "It is complicated. It depends. Install stable on servers. Testing is newer."
    >>> rest, rules = [(19, 30), (31, 57), (58, 76)], AnswerRules(opening_min_chars=0)
    >>> p[: opening_end(p, 0, 18, rest, {"stabl": 1.0}, rules)]
    'It is complicated. It depends. Install stable on servers.'
    >>> p[: opening_end(p, 0, 18, rest, {"stabl": 1.0}, AnswerRules(opening_min_chars=40))]
    'It is complicated. It depends. Install stable on servers.'
    >>> p[: opening_end(p, 0, 18, rest, {"stabl": 1.0}, AnswerRules(opening_min_chars=60))]
    'It is complicated. It depends. Install stable on servers. Testing is newer.'
    >>> p = "Edit the stable list to change it. But this does not work as expected. Use apt."
    >>> p[: opening_end(p, 0, 34, [(35, 70), (71, 79)], {"stabl": 1.0}, rules)]
    'Edit the stable list to change it. But this does not work as expected.'
    """
    if not rules.on("opening_runs_on"):
        return end
    for n, (a, b) in enumerate(rest):
        text = passage[start:end]
        short = n == 0 and len(text.split()) < rules.short_opening_words
        caveat = rules.on("qualifies") and qualifies(passage[a:b])  # "But this does not ..."
        brief = shown_length(passage, start, end) < rules.opening_min_chars
        touched = weighted_coverage(weights, text) >= rules.opening_touch
        if not (short or caveat or brief) and touched:
            break
        if not short and shown_length(passage, start, b) > rules.opening_chars:
            return items_within(passage, a, b, start, rules.opening_chars) or end
        end = b
    return end
