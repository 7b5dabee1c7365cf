"""Evaluation metrics as pure functions, each with a worked example, plus bootstrap intervals."""

from __future__ import annotations

import math
import random
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

from rag.text.overlap import coverage

# A judge answers: do these passages (joined) support this claim?
Judge = Callable[[str, Sequence[str]], bool]


def recall_at_k(ranked: Sequence[str], gold: set[str], k: int) -> float:
    """Share of gold items in the top k.

    >>> recall_at_k(["a", "b", "c"], {"a", "c", "z"}, 2)
    0.3333333333333333
    """
    return len(set(ranked[:k]) & gold) / len(gold) if gold else 0.0


def mrr(ranked: Sequence[str], gold: set[str]) -> float:
    """Reciprocal rank of the first gold item (0 when none is ranked).

    >>> mrr(["x", "a", "b"], {"a", "b"})
    0.5
    """
    return next((1 / i for i, item in enumerate(ranked, 1) if item in gold), 0.0)


def ndcg_at_k(ranked: Sequence[str], gold: set[str], k: int = 10) -> float:
    """Binary-relevance nDCG@k (as in BEIR): DCG of the ranking over DCG of an ideal one.

    >>> round(ndcg_at_k(["x", "a"], {"a"}, 10), 4)
    0.6309
    """
    dcg = sum(1 / math.log2(i + 1) for i, item in enumerate(ranked[:k], 1) if item in gold)
    ideal = sum(1 / math.log2(i + 1) for i in range(1, min(len(gold), k) + 1))
    return dcg / ideal if ideal else 0.0


def _punctuation(ch: str) -> bool:
    return ch in string.punctuation or unicodedata.category(ch).startswith("P")


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation (Unicode's too: a quoted answer's “ ”),
    no articles, single spaces.

    >>> normalize_answer("The  Denver Broncos!")
    'denver broncos'
    >>> normalize_answer("“The mayor is called President.” [1]")
    'mayor is called president 1'
    """
    text = "".join(ch for ch in text.lower() if not _punctuation(ch))
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised gold answer.

    >>> exact_match("the Broncos", ["Broncos", "Denver Broncos"])
    1.0
    """
    return float(any(normalize_answer(prediction) == normalize_answer(a) for a in answers))


def token_f1(prediction: str, answers: Sequence[str]) -> float:
    """Best token-overlap F1 against the gold answers (SQuAD definition).

    >>> round(token_f1("Denver won the game", ["Denver Broncos"]), 4)
    0.4
    """
    pred = normalize_answer(prediction).split()
    best = 0.0
    for answer in answers:
        gold = normalize_answer(answer).split()
        common = sum((Counter(pred) & Counter(gold)).values())
        if common:
            precision, recall = common / len(pred), common / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def contains_answer(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when a normalised gold answer occurs inside the normalised prediction.

    >>> contains_answer("It was won by the Denver Broncos.", ["Denver Broncos"])
    1.0
    """
    text = f" {normalize_answer(prediction)} "
    return float(any(f" {normalize_answer(a)} " in text for a in answers if normalize_answer(a)))


def citation_scores(
    sentences: Sequence[tuple[str, Sequence[str]]], judge: Judge
) -> tuple[float, float]:
    """ALCE citation (recall, precision) of one answer.

    `sentences` are (sentence, passages it cites). A sentence counts for recall when its cited
    passages together support it. A citation counts for precision when its sentence is supported
    and the citation is not irrelevant: irrelevant means it alone does not support the sentence
    while the other citations still do.

    >>> judge = lambda claim, passages: all(w in " ".join(passages) for w in claim.split())
    >>> citation_scores([("red fox", ["red fox here", "blue sky"]), ("cat", [])], judge)
    (0.5, 0.5)
    """
    supported = relevant = total = 0
    for sentence, passages in sentences:
        joint = bool(passages) and judge(sentence, passages)
        supported += joint
        total += len(passages)
        if not joint:
            continue
        if len(passages) == 1:
            relevant += 1
            continue
        for i, passage in enumerate(passages):
            rest = [p for j, p in enumerate(passages) if j != i]
            relevant += judge(sentence, [passage]) or not judge(sentence, rest)
    recall = supported / len(sentences) if sentences else 0.0
    return recall, (relevant / total if total else 0.0)


def faithfulness(sentences: Sequence[str], context: Sequence[str], judge: Judge) -> float:
    """Share of answer sentences supported by the retrieved context as a whole.

    >>> faithfulness(["a b", "c"], ["a b d"], lambda s, ps: s in " ".join(ps))
    0.5
    """
    return sum(judge(s, context) for s in sentences) / len(sentences) if sentences else 0.0


def abstention_correct(answerable: bool, declined: bool) -> float:
    """1.0 when the system declined exactly the unanswerable questions.

    >>> abstention_correct(False, True), abstention_correct(True, True)
    (1.0, 0.0)
    """
    return float(declined != answerable)


def bootstrap_ci(
    values: Sequence[float], resamples: int = 1000, seed: int = 0, level: float = 0.95
) -> tuple[float, float, float]:
    """(mean, low, high): percentile bootstrap interval of the mean, reproducible by seed.

    >>> bootstrap_ci([1.0, 1.0, 1.0])
    (1.0, 1.0, 1.0)
    """
    if not values:
        return math.nan, math.nan, math.nan
    rng, n = random.Random(seed), len(values)
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(resamples))
    tail = (1 - level) / 2
    low, high = means[int(tail * resamples)], means[min(resamples - 1, int((1 - tail) * resamples))]
    return sum(values) / n, low, high


def point_recall(answer: str, point: str) -> float:
    """Share of the distinct content words of what a correct answer must say (a panel's
    `answer_point`) that the answer holds: a cheap proxy of correctness for iterating, never a
    grade (an answer can hold the words and miss the point).

    >>> point_recall("Run apt-get update, then apt-get upgrade.", "apt-get update refreshes lists")
    0.6
    """
    return coverage(point, answer)


def within(quote: str, reference: str, words: int = 8) -> bool:
    r"""Does the quote come from the reference text (its first `words` words, letters and digits
    only, occur in it)? Tells a quote from the gold section from one of its neighbours. A quote
    may open with its section's title line, which the reference does not hold (a setting's
    name over its description): then what follows that line counts.

    >>> within("The pool holds\n packages.", "Intro. The pool holds packages, all of them.")
    True
    >>> within("- work_mem (integer) - Sets the base maximum amount of memory to be used",
    ...        "Sets the base maximum amount of memory to be used by a query operation")
    False
    >>> within("- work_mem (integer)\n- Sets the base maximum amount of memory to be used",
    ...        "Sets the base maximum amount of memory to be used by a query operation")
    True
    """
    text = " ".join(_alnum_words(reference))
    after_first_line = quote.partition("\n")[2]
    openings = [quote, after_first_line]
    openings = [" ".join(_alnum_words(o)[:words]) for o in openings]
    return any(o and o in text for o in openings)


def _alnum_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())
