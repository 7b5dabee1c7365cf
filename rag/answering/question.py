"""The question stage: str -> Question, what the question asks about (its specific words, by
weight) and what kind of answer it wants."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.errors import QuestionError
from rag.retrieval.terms import TermStats
from rag.text.cues import asks_how

STEPS, FACT = "steps", "fact"  # intents: a procedure, or anything else


@dataclass(frozen=True)
class Question:
    """A question as answering reads it."""

    text: str
    weights: dict[str, float] = field(default_factory=dict)  # specific words -> idf
    intent: str = FACT  # STEPS: its answer is a procedure

    @property
    def steps(self) -> bool:
        return self.intent == STEPS


def analyse(text: str, terms: TermStats | None) -> Question:
    """The question with its words weighed by how specific they are in the corpus (`terms`;
    none without statistics) and its intent.

    >>> analyse("How do I hold a package?", TermStats(4, {"hold": 1})).intent
    'steps'
    """
    weights = terms.weights(text) if terms is not None else {}
    return Question(text, weights, STEPS if asks_how(text) else FACT)


def checked(question: str, max_chars: int) -> str:
    """The question stripped; QuestionError when it is empty or longer than `max_chars`."""
    question = (question or "").strip()
    if not question:
        raise QuestionError('the question is empty; ask something, e.g. footnote ask "..."')
    if len(question) > max_chars:
        raise QuestionError(
            f"the question is {len(question):,} characters, over the limit of "
            f"{max_chars:,}; shorten it or raise max_question_chars"
        )
    return question
