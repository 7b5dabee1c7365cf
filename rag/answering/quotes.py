"""Which passage spans can stand on their own as a quote: whole sentences that state something
(not a question, a heading, a cross-reference or an instruction to an assistant), that begin
where a sentence begins, and that name their subject (a sentence opening with "This" or "It"
takes the sentence before it along)."""

from __future__ import annotations

from rag.answering.passage import Passage, Span
from rag.answering.rules import AnswerRules
from rag.text.cues import is_pointer, looks_like_instructions, needs_subject, without_titles
from rag.text.units import FINISHED, starts_inside, unit_kind
from rag.text.words import content_words


def quotable(text: str, rules: AnswerRules, steps: bool = False) -> bool:
    """Can this passage text be shown on its own as a quote? Not when it starts in the middle of
    a sentence (`rag.text.units.starts_inside`: a chunk cut there). It ends a sentence, unless
    it is `steps`: instructions whose last line may be a command ("... using\\napt-mark hold
    package_name").

    >>> r = AnswerRules()
    >>> quotable("The pool holds the packages.", r), quotable("devices when the system starts.", r)
    (True, False)
    >>> quotable("8, stretch for release 9, buster for release 10.", r)
    False
    """
    if starts_inside(text):
        return False
    return (
        (steps or bool(FINISHED.search(text)))
        and not text.rstrip("\"')]”’ ").endswith("?")
        and len(content_words(without_titles(text))) >= rules.quote_min_words
        and not looks_like_instructions(text)
        and not is_pointer(text)
    )


def whole_span(passage: Passage, start: int, end: int, rules: AnswerRules) -> Span:
    """The span widened to the start of its sentence when it begins inside one (in lower case,
    after text that does not end a sentence), and to the sentence before when it opens with a
    word that needs a subject ("This module ...", "It ..."; rule `needs_subject`), and to the
    line introducing its list when it opens with an item too short to say what it is about
    (rule `item_intro`), within the passage, never taking a heading line or a question along.

    >>> from rag.answering.passage import passage
    >>> from rag.types import Chunk, Hit
    >>> def text(t, a, b, titles=()):
    ...     p = passage(Hit(Chunk("c", "d", t, 0, len(t), titles=titles), 1.0), 1, AnswerRules())
    ...     s, e = whole_span(p, a, b, AnswerRules())
    ...     return t[s:e]
    >>> p = "The apt tool installs packages. It downloads them first."
    >>> text(p, p.index("It"), len(p))
    'The apt tool installs packages. It downloads them first.'
    >>> p = "## What is this FAQ?\\nThis document answers questions."
    >>> text(p, p.index("This"), len(p), titles=((0, 20),))
    'This document answers questions.'
    >>> p = "operators. Moreover, this function never raises syntax errors."
    >>> text(p, p.index("Moreover"), len(p))
    'Moreover, this function never raises syntax errors.'
    >>> p = "If a product is removed, we have a few options:\\n- Disallow it\\n- Delete the orders"
    >>> text(p, p.index("- Delete"), len(p))  # a bare item takes its list's introduction
    'If a product is removed, we have a few options:\\n- Disallow it\\n- Delete the orders'
    """
    units, text_of = passage.units, passage.text
    for i, (a, b) in enumerate(units):
        if a <= start < b or (i + 1 < len(units) and b <= start < units[i + 1][0]):
            break
    else:
        return start, end
    first = i
    text = text_of[start:end].lstrip()
    before = text_of[: units[first][0]].rstrip()
    takes = rules.on("needs_subject") and needs_subject(text)
    if first > 0 and (_continues(text, before) or takes):
        a, b = units[first - 1]
        # never a heading ("## 1.1 What is this FAQ?" | "This document ..."), nor the tail of a
        # sentence cut at the chunk's start, which no quote can open with
        if not passage.titled(a, b) and not starts_inside(text_of[a:b]):
            first -= 1
    if rules.on("item_intro") and _bare_item(passage, first, rules):
        first = _introduction(passage, first)
    return min(start, units[first][0]), end


def _bare_item(passage: Passage, i: int, rules: AnswerRules) -> bool:
    """Is unit `i` a list item too short to say what it is about ("- Delete the orders as
    well": an option of a list whose introduction says what for)?"""
    unit = passage.unit(i)
    return unit_kind(unit) == "item" and len(unit.split()) <= rules.item_min_words


def _introduction(passage: Passage, i: int) -> int:
    """The unit introducing the list that item `i` belongs to (the one before its items, with a
    line ending in a colon), or `i` when there is none in the passage or it is a heading."""
    j = i
    while j > 0 and unit_kind(passage.unit(j - 1)) == "item":
        j -= 1
    if j == 0:
        return i
    a, b = passage.units[j - 1]
    unit = passage.text[a:b]  # "... a few options:" (with its first item, when on one line)
    introduces = any(line.rstrip().endswith(":") for line in unit.splitlines())
    if passage.titled(a, b) or not introduces or starts_inside(unit):
        return i
    return j - 1


def _continues(text: str, before: str) -> bool:
    """Does `text` continue the sentence that `before` leaves unfinished?"""
    return text[:1].islower() and not before.endswith((".", "!", "?", ":", "\n"))
