"""Words as Footnote compares them: lower-cased, stemmed, stopwords out, numbers and codes kept
whole. One definition for retrieval's term statistics, the answering checks and the evaluations."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer  # PyStemmer: Snowball, as BM25 uses

from rag.text.lexicon import word_pattern, words

WORDS = "snowball"  # what a word is; saved statistics of another definition are rebuilt
STOPWORDS = words("stopwords")
WORD = re.compile(r"[A-Za-z0-9]+(?:[.,][0-9]+)*")  # codes like E42 stay whole


_local = threading.local()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The English Snowball stem of a lower-cased word: the stemmer BM25 indexes with
    (PyStemmer), so retrieval and answering agree on what a word is.

    >>> [stem(w) for w in ("resetting", "stopped", "routers", "falls", "configured")]
    ['reset', 'stop', 'router', 'fall', 'configur']
    """
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:  # a PyStemmer object is not safe to share between threads
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWord(word)


def stem_words(words: list[str]) -> list[str]:
    """`stem` of each word (the form BM25's tokenizer calls).

    >>> stem_words(["packages", "upgrading"])
    ['packag', 'upgrad']
    """
    return [stem(w) for w in words]


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
    ['warranti', 'lumen', 'router']
    """
    return content_words(_MEASURE.sub("how", question))
