"""Words as the checks compare them: lower-cased, lightly stemmed, stopwords out, numbers and
codes kept whole."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        "a an the and or but if then else of to in on at by for with from as into onto over "
        "under about after before between through during is are was were be been being am do "
        "does did doing have has had having it its it's this that these those there here "
        "which who whom whose what when where why how i you he she we they them his her their "
        "our your my me us him not no nor so than too very can could should would may might "
        "must shall will just also such only own same other each any all both few more most "
        "some one s t",
    )
)

WORD = re.compile(r"[A-Za-z0-9]+(?:[.,][0-9]+)*")  # codes like E42 stay whole


def _stem(word: str) -> str:
    """Strip one common suffix; a doubled final consonant left behind is undoubled.

    >>> [_stem(w) for w in ("resetting", "stopped", "routers", "falls")]
    ['reset', 'stop', 'router', 'fall']
    """
    for suffix in ("ingly", "edly", "ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            stem = word[: -len(suffix)]
            if suffix in ("ing", "ed", "ingly", "edly") and stem[-1] == stem[-2] not in "aeiouls":
                stem = stem[:-1]
            return stem
    return word


def content_words(text: str) -> list[str]:
    """Lower-cased, lightly stemmed words minus stopwords; numbers kept verbatim.

    >>> content_words("The routers were rebooted in 2024.")
    ['router', 'reboot', '2024']
    """
    words = (w.lower() for w in WORD.findall(text))
    return [w if any(c.isdigit() for c in w) else _stem(w) for w in words if w not in STOPWORDS]


# "how long", "how much": with "how" these ask for a measure; they do not name a subject
_MEASURE = re.compile(
    r"\bhow\s+(long|much|many|often|far|old|big|large|small|soon|fast|quickly|well)\b", re.I
)


def question_words(question: str) -> list[str]:
    """The content words of a question that can name what it is about: `content_words`
    without the measure word of "how long", "how many" and the like.

    >>> question_words("How long is the warranty on Lumen routers?")
    ['warranty', 'lumen', 'router']
    """
    return content_words(_MEASURE.sub("how", question))
