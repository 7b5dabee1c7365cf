"""Same words, another claim: synthetic edits of passage sentences (negation, a changed number,
two names swapped, a name from elsewhere in the passage), the MiniCheck recipe, to measure how
often the live check would show an edited sentence in the model's words.

The live check shows a generated sentence as written only when it is sure of it
(`rag.answering.verifier.Verifier._sure`); otherwise the passage's own sentence stands in. An
edit that passes as sure is a wrong statement shown; a verbatim sentence that does not pass is
only shown in the source's words instead (no harm, some loss of fluency).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from rag.text.units import sentence_spans

_NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*\b")
_NUMBER = re.compile(r"\b\d+\b")
_VERB = re.compile(r"\b(is|was|are|were|has|had|can|will)\b")


def edits(sentence: str, passage: str, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, edited sentence) for each edit that applies to the sentence.

    >>> edits("In 1815 Ada was born in London.", "Ada met Babbage.", random.Random(0))
    [('negation', 'In 1815 Ada was not born in London.'), ('number', 'In 1822 Ada was born in London.'), ('swap', 'In 1815 London was born in Ada.'), ('foreign name', 'In 1815 Babbage was born in London.')]
    """  # noqa: E501
    out = []
    verb = _VERB.search(sentence)
    if verb and " not " not in sentence:
        out.append(("negation", f"{sentence[: verb.end()]} not{sentence[verb.end() :]}"))
    number = _NUMBER.search(sentence)
    if number:
        changed = str(int(number.group()) + 7)
        out.append(("number", sentence[: number.start()] + changed + sentence[number.end() :]))
    names = list(dict.fromkeys(_NAME.findall(sentence[1:])))  # not the capital of "The ..."
    if len(names) >= 2:
        a, b = names[0], names[1]
        swapped = sentence.replace(a, "\0").replace(b, a).replace("\0", b)
        out.append(("swap", swapped))
    others = [n for n in dict.fromkeys(_NAME.findall(passage)) if n not in sentence]
    if names and others:
        out.append(("foreign name", sentence.replace(names[0], rng.choice(others), 1)))
    return out


def pass_rates(
    passages: list[str], sure: Callable[[str, str], bool], seed: int = 0
) -> dict[str, tuple[int, float]]:
    """kind -> (pairs, share that `sure(sentence, passage)` accepts); "verbatim" is the passage
    sentences themselves (they should pass)."""
    rng = random.Random(seed)
    counts: dict[str, list[int]] = {}
    for passage in passages:
        for a, b in sentence_spans(passage):
            sentence = passage[a:b]
            if len(sentence.split()) < 6:
                continue
            for kind, text in [("verbatim", sentence), *edits(sentence, passage, rng)]:
                count = counts.setdefault(kind, [0, 0])
                count[0] += 1
                count[1] += sure(text, passage)
    return {kind: (n, passed / n) for kind, (n, passed) in counts.items()}


def live_rule(threshold: float) -> Callable[[str, str], bool]:
    """The live check's rule (`rag.answering.support.keeps_meaning`) as sure(sentence, passage)."""
    from rag.answering.meaning import keeps_meaning
    from rag.text.overlap import support

    def sure(sentence: str, passage: str) -> bool:
        return keeps_meaning(sentence, passage, support(sentence, passage), threshold)

    return sure


def order_rule(threshold: float) -> Callable[[str, str], bool]:
    """The rule before negation and sentence-level support: passage support and word order."""
    from rag.answering.citations import align_quote
    from rag.text.overlap import in_order, support

    def sure(sentence: str, passage: str) -> bool:
        start, end = align_quote(sentence, passage, finished=True)
        ordered = in_order(sentence, passage[start:end])
        return support(sentence, passage) >= threshold and ordered >= threshold

    return sure
