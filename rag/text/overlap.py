"""Overlap measures: how well does a passage support a sentence, does a passage cover a question,
are the words in the same order, does a sentence add numbers or names? Shared by retrieval, the
live check and the evaluations."""

from __future__ import annotations

import re

from rag.text.lexicon import word_pattern
from rag.text.words import WORD, content_words

IDENTIFIER = re.compile(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+")  # pg_dump, max_connections


def novel_facts(sentence: str, passage: str) -> list[str]:
    """Numbers, identifiers and capitalised names of the sentence absent from the passage. The
    first word counts as a name only when capitals follow its first letter (MySQL, but not The).

    >>> novel_facts("Lumen was founded in 1999 by Ada Byron.", "Lumen was founded by Ada in 2001.")
    ['1999', 'Byron']
    >>> novel_facts("MySQL data is converted by pg_convert.", "Use pg_dump on the data.")
    ['MySQL', 'pg_convert']
    """
    found = {w.lower() for w in WORD.findall(passage)}
    found |= {w.lower() for w in IDENTIFIER.findall(passage)}
    words = WORD.findall(sentence)
    facts = [
        w
        for i, w in enumerate(words)
        if any(c.isdigit() for c in w)
        or (w[0].isupper() and (i > 0 or any(c.isupper() for c in w[1:])))
    ]
    facts += IDENTIFIER.findall(sentence)
    return [w for w in dict.fromkeys(facts) if w.lower() not in found]


def coverage(question: str, passage: str) -> float:
    """Share of the question's distinct content words that the passage contains, in [0, 1].

    >>> coverage("Who founded Lumen in 1999?", "Lumen was founded by Ada Byron.")
    0.667
    """
    words = set(content_words(question))
    if not words:
        return 0.0
    found = set(content_words(passage))
    return round(sum(w in found for w in words) / len(words), 3)


def weighted_coverage(weights: dict[str, float], passage: str) -> float:
    """Share of the question's term weight that the passage contains, in [0, 1]; `weights`
    maps each content word of the question to how specific it is (its idf in the corpus), so a
    passage missing the question's subject scores low even when it has its common words.

    >>> weighted_coverage({"instal": 1.0, "docker": 6.0, "debian": 0.5}, "Install Debian.")
    0.2
    """
    total = sum(weights.values())
    if not total:
        return 0.0
    found = set(content_words(passage))
    return round(sum(v for w, v in weights.items() if w in found) / total, 3)


_NEGATION = word_pattern("negation", suffix=r"\b|n't\b")


def negations(text: str) -> int:
    """How many times the text says no (not, never, cannot, without, ...n't)? The content words
    the support scores compare leave negation out, so a sentence and its opposite score alike;
    a sentence that says no fewer or more times than its source may have flipped it ("You may
    not use it without asking" / "You may use it without asking").

    >>> negations("Debian does not just do GNU/Linux."), negations("Debian is only for Linux.")
    (1, 0)
    >>> negations("You may not use them without asking.")
    2
    """
    return len(_NEGATION.findall(text))


def in_order(sentence: str, passage: str) -> float:
    """Share of the sentence's content words that the passage has in the same order (the longest
    common subsequence of the two content-word sequences), in [0, 1]. A sentence that relates the
    passage's words differently ("The Broncos stayed at the San Jose Marriott" from "The
    Panthers ... stayed at the San Jose Marriott. The Broncos ...") mostly reorders them.

    >>> in_order("Canberra is the capital of Australia.", "Australia's capital is Canberra.")
    0.333
    >>> in_order("The fan stopped in 2024.", "In 2024 the old fan stopped.")
    0.667
    """
    words, found = content_words(sentence), content_words(passage)
    if not words:
        return 0.0
    row = [0] * (len(found) + 1)
    for word in words:
        diagonal = 0
        for j, other in enumerate(found, 1):
            diagonal, row[j] = row[j], diagonal + 1 if word == other else max(row[j], row[j - 1])
    return round(row[-1] / len(words), 3)


def support(sentence: str, passage: str) -> float:
    """Share of the sentence's distinct content words found in the passage, halved for each
    number or name the passage does not contain (at most twice); in [0, 1].

    A cheap lexical signal: it catches sentences about something the passage does not mention
    and invented numbers or names, not subtle contradictions.

    >>> support("Canberra is the capital of Australia.", "Australia's capital is Canberra.")
    1.0
    >>> support("The E42 error means low battery.", "Error E17 means the fan stopped.")
    0.2
    """
    words = set(content_words(sentence))
    if not words:
        return 0.0
    found = set(content_words(passage))
    overlap = sum(w in found for w in words) / len(words)
    return overlap * 0.5 ** min(2, len(novel_facts(sentence, passage)))
