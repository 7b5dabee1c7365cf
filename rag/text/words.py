"""Words as Footnote compares them: lower-cased, stemmed, stopwords out, numbers and codes kept
whole. One definition for retrieval's term statistics, the answering checks and the evaluations."""

from __future__ import annotations

import re

from rag.text.lexicon import word_pattern, words

STOPWORDS = words("stopwords")
WORD = re.compile(r"[A-Za-z0-9]+(?:[.,][0-9]+)*")  # codes like E42 stay whole


def stem(word: str) -> str:
    """Strip one common suffix; a doubled final consonant left behind is undoubled.

    >>> [stem(w) for w in ("resetting", "stopped", "routers", "falls")]
    ['reset', 'stop', 'router', 'fall']
    """
    for suffix in ("ingly", "edly", "ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            root = word[: -len(suffix)]
            if suffix in ("ing", "ed", "ingly", "edly") and root[-1] == root[-2] not in "aeiouls":
                root = root[:-1]
            return root
    return word


def content_words(text: str) -> list[str]:
    """Lower-cased, stemmed words minus stopwords; numbers kept verbatim.

    >>> content_words("The routers were rebooted in 2024.")
    ['router', 'reboot', '2024']
    """
    found = (w.lower() for w in WORD.findall(text))
    return [w if any(c.isdigit() for c in w) else stem(w) for w in found if w not in STOPWORDS]


# "how long", "how much": with "how" these ask for a measure; they do not name a subject
_MEASURE = word_pattern("measure-words", prefix=r"\bhow\s+")


def question_words(question: str) -> list[str]:
    """The content words of a question that can name what it is about: `content_words`
    without the measure word of "how long", "how many" and the like.

    >>> question_words("How long is the warranty on Lumen routers?")
    ['warranty', 'lumen', 'router']
    """
    return content_words(_MEASURE.sub("how", question))
