"""Second-stage rerankers: re-order the top retrieved passages for one question.

No cross-encoder ships in any package here, so the one implementation asks the instruction model
whether each passage is relevant (P("yes") from its next-token distribution). It is off by
default: on the measurements in the README it did not improve retrieval enough for its cost.
"""

from __future__ import annotations

from typing import Protocol

from rag.generation.yesno import yes_probability
from rag.types import Hit

RELEVANCE_SYSTEM = "You judge whether a passage is relevant to a question."


class Reranker(Protocol):
    def rerank(self, question: str, hits: list[Hit]) -> list[Hit]: ...


class LLMReranker:
    """Orders the first `depth` hits by the model's P(yes) that the passage is relevant; hits
    beyond `depth` keep their order after them. Scores stay cosines."""

    def __init__(self, model, depth: int = 10, max_chars: int = 1500):
        self.model, self.depth, self.max_chars = model, depth, max_chars

    def relevance(self, question: str, passage: str) -> float:
        text = " ".join(passage.split())[: self.max_chars]
        messages = [
            {"role": "system", "content": RELEVANCE_SYSTEM},
            {
                "role": "user",
                "content": f"QUESTION:\n{question}\n\nPASSAGE:\n{text}\n\n"
                "Does the passage contain information that answers or "
                "directly addresses the question? Answer yes or no.",
            },
        ]
        return yes_probability(self.model, messages)

    def rerank(self, question: str, hits: list[Hit]) -> list[Hit]:
        head, tail = hits[: self.depth], hits[self.depth :]
        scored = [(self.relevance(question, h.chunk.text), -i, h) for i, h in enumerate(head)]
        return [h for _, _, h in sorted(scored, key=lambda t: t[:2], reverse=True)] + tail
