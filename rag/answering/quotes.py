"""Which passage spans can stand on their own as a quote: whole sentences that state something
(not a question, a heading, a cross-reference or an instruction to an assistant), that begin
where a sentence begins, and that name their subject (a sentence opening with "This" or "It"
takes the sentence before it along)."""

from __future__ import annotations

import re

from rag.answering.sentences import FINISHED, sentence_spans
from rag.answering.support import looks_like_instructions
from rag.answering.words import content_words

# a sentence that only sends the reader elsewhere ("See Section 7.2.", "For more information,
# please see the manual.") answers nothing by itself
_POINTER = re.compile(
    r"^\W*(see|refer to|for (more|further) (information|details)|more information (about|on)"
    r"|this is (discussed|described|explained) (further )?in)\b",
    re.I,
)
# a quoted question title inside a sentence ("see Section 6.10, “What's in the pool?”")
QUOTED_TITLE = re.compile(r"[“\"][^”\"]{3,200}\?[”\"]")
_IF_SO_HOW = re.compile(r"\bif so,? how\b", re.I)  # "Can I remove it, and if so, how?"
_ASKS = re.compile(r"(?<=[.!?;])\s+")  # the sentences of a question: context, then the ask
_LIST_TAIL = re.compile(r"^[\d.]+[,;]$")  # "8," of "... jessie for release 8, stretch ..."
# a question whose answer is a procedure: "How do I ...", "How can one ...", "How to ...",
# "What is the command to ..." (not "How many", "How long", "How does X work")
_HOW = re.compile(
    r"^\W*(how (do|can|could|should|would|may|might|to)\b(?! \w+ (work|differ|compare)\b)"
    r"|what (is|are) the (steps?|commands?|procedure|way) (to|for)\b)",
    re.I,
)
_NEEDS_SUBJECT = re.compile(
    r"^(this|these|that|those|it|its|they|their|them|such|he|she|his|her)\b", re.I
)


def asks_how(question: str) -> bool:
    """Does the question ask for a procedure (its answer is steps, not one sentence)?

    >>> asks_how("How do I put a package on hold?"), asks_how("How many distributions are there?")
    (True, False)
    >>> asks_how("What is the command to list installed packages?")
    True
    >>> asks_how("I have Debian installed. How do I know which release I run?")
    True
    >>> asks_how("Can I remove an old kernel, and if so, how?")
    True
    """
    return bool(_IF_SO_HOW.search(question)) or any(_HOW.match(p) for p in _ASKS.split(question))


def is_pointer(text: str) -> bool:
    """Does the sentence only send the reader elsewhere?

    >>> is_pointer("See Section 7.2, “What is a package?”.")
    True
    >>> is_pointer("Packages are kept in a pool; see Section 6.10.")
    False
    """
    return bool(_POINTER.match(text))


def without_titles(text: str) -> str:
    """The sentence without the quoted question titles it refers to (they echo a question,
    they do not answer it).

    >>> without_titles("This is discussed in Section 11.9, “How do I override a file?”.")
    'This is discussed in Section 11.9, .'
    """
    return QUOTED_TITLE.sub("", text)


def quotable(text: str, steps: bool = False) -> bool:
    """Can this passage text be shown on its own as a quote? Not when it starts in the middle of
    a sentence (in lower case, with closing punctuation, or with a number that continues a
    list: a chunk cut there). It ends a sentence, unless it is `steps`: instructions whose last
    line may be a command ("... using\napt-mark hold package_name").

    >>> quotable("The pool holds the packages."), quotable("devices when the system starts.")
    (True, False)
    >>> quotable("8, stretch for release 9, buster for release 10.")
    False
    """
    first = text.split(" ", 1)[0]
    if first[:1].islower() or first[:1] in ")]},.;:" or first.count(")") > first.count("("):
        return False
    if _LIST_TAIL.match(first):
        return False
    return (
        (steps or bool(FINISHED.search(text)))
        and not text.rstrip("\"')]”’ ").endswith("?")
        and not text.startswith("#")
        and len(content_words(without_titles(text))) >= 3
        and not looks_like_instructions(text)
        and not is_pointer(text)
    )


def whole_span(passage: str, start: int, end: int) -> tuple[int, int]:
    """The span widened to the start of its sentence when it begins inside one (in lower case,
    after text that does not end a sentence), and to the sentence before when it opens with a
    word that needs a subject ("This module ...", "It ..."), within the passage.

    >>> p = "The apt tool installs packages. It downloads them first."
    >>> s, e = whole_span(p, p.index("It"), len(p)); p[s:e]
    'The apt tool installs packages. It downloads them first.'
    >>> p = "## What is this FAQ?\\nThis document answers questions."
    >>> s, e = whole_span(p, p.index("This"), len(p)); p[s:e]
    'This document answers questions.'
    """
    spans = sentence_spans(passage)
    for i, (a, b) in enumerate(spans):
        if a <= start < b or (i + 1 < len(spans) and b <= start < spans[i + 1][0]):
            break
    else:
        return start, end
    first = i
    text = passage[start:end].lstrip()
    before = passage[: spans[first][0]].rstrip()
    if first > 0 and (_continues(text, before) or _NEEDS_SUBJECT.match(text)):
        a, b = spans[first - 1]
        if not is_title(passage[a:b]):  # "## 1.1 What is this FAQ?" | "This document ..."
            first -= 1
    return min(start, spans[first][0]), end


def is_title(unit: str) -> bool:
    """A heading line or a question: the topic a following "This ..." refers to, never part of a
    quote (a quote that held it would not be quotable at all)."""
    return unit.lstrip().startswith("#") or unit.rstrip().endswith("?")


def _continues(text: str, before: str) -> bool:
    """Does `text` continue the sentence that `before` leaves unfinished?"""
    return text[:1].islower() and not before.endswith((".", "!", "?", ":", "\n"))
