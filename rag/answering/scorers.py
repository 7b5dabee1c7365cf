"""Support scorers: does this passage support this sentence? Scores in [0, 1].

One small interface shared by the live check (rag.answering.pipeline) and the evaluation harness:
- `LexicalScorer`: content-word overlap with penalties for novel numbers and names (free);
- `LLMJudge`: the instruction model's P("yes") / (P("yes") + P("no")) for a fact-checking prompt,
  read from the next-token distribution (no NLI model ships in any package here);
- `CascadeScorer`: lexical rejects unrelated passages for free; the judge decides the rest.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from rag.answering.rules import GENERAL
from rag.generation.yesno import yes_probability
from rag.text.overlap import support

JUDGE_SYSTEM = "You are a careful fact-checking assistant."
JUDGE_INSTRUCTION = (
    "Check each fact in the CLAIM (names, numbers, dates, events, relations) against the SOURCE. "
    "If every fact is stated in or clearly implied by the SOURCE, answer yes. If any fact is "
    "missing from or contradicted by the SOURCE, answer no. Answer yes or no."
)


class SupportScorer(Protocol):
    name: str

    def scores(self, pairs: list[tuple[str, str]]) -> list[float]:  # (claim, passage) pairs
        ...


class LexicalScorer:
    """`rag.text.overlap.support`: cheap; catches unrelated passages and invented numbers
    or names."""

    name = "lexical"

    def scores(self, pairs: list[tuple[str, str]]) -> list[float]:
        return [support(claim, passage) for claim, passage in pairs]


def judge_messages(claim: str, passage: str, max_chars: int) -> list[dict[str, str]]:
    """The fact-checking prompt; the source is cut to `max_chars` to bound the cost."""
    source = " ".join(passage.split())[:max_chars]
    user = f"SOURCE:\n{source}\n\nCLAIM:\n{' '.join(claim.split())}\n\n{JUDGE_INSTRUCTION}"
    return [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": user}]


class LLMJudge:
    """P(yes) from a llama.cpp model's next-token distribution after the judge prompt.

    `model` is a LlamaCppGenerator (the judge can share the answering model's weights).
    """

    name = "llm"

    def __init__(self, model, max_chars: int = GENERAL.judge_chars):
        self.model, self.max_chars = model, max_chars

    def scores(self, pairs: list[tuple[str, str]]) -> list[float]:
        return [
            yes_probability(self.model, judge_messages(claim, passage, self.max_chars))
            for claim, passage in pairs
        ]


class CascadeScorer:
    """Lexical below `reject_below` is final (no model call); otherwise a weighted mean of the
    lexical score and the judge's P(yes), weights chosen on the development sets."""

    name = "cascade"

    def __init__(self, judge: SupportScorer, reject_below: float, judge_weight: float):
        self.judge, self.reject_below, self.judge_weight = judge, reject_below, judge_weight
        self.lexical = LexicalScorer()

    def scores(self, pairs: list[tuple[str, str]]) -> list[float]:
        lexical = np.array(self.lexical.scores(pairs))
        out = lexical * (1 - self.judge_weight)
        ask = [i for i, s in enumerate(lexical) if s >= self.reject_below]
        if ask:
            judged = self.judge.scores([pairs[i] for i in ask])
            out[ask] += self.judge_weight * np.array(judged)
        return [float(s) for s in out]
