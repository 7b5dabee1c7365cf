"""The question stage: str -> Question, what the question asks about (its specific words, by
weight) and what kind of answer it wants."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.errors import QuestionError
from rag.retrieval.terms import TermStats
from rag.text.cues import asks_quantity, intent, parts

STEPS, LIST = "steps", "list"  # intents (rag.text.cues.intent): a procedure, a list's items


@dataclass(frozen=True)
class Question:
    """A question as answering reads it."""

    text: str
    weights: dict[str, float] = field(default_factory=dict)  # specific words -> idf
    intent: str = "fact"  # steps | list | yesno | reason | fact (rag.text.cues.intent)
    parts: tuple[str, ...] = ()  # the questions it asks, when more than one
    quantity: bool = False  # it asks for a number, and only that (no steps): rule `quantity`

    @property
    def steps(self) -> bool:
        return self.intent == STEPS


def analyse(text: str, terms: TermStats | None) -> Question:
    """The question with its words weighed by how specific they are in the corpus (`terms`;
    none without statistics), its intent and its parts.

    >>> asked = analyse("How do I hold a package, and can I undo it?", TermStats(4, {"hold": 1}))
    >>> asked.intent, asked.parts
    ('steps', ('How do I hold a package', 'can I undo it?'))
    """
    weights = terms.weights(text) if terms is not None else {}
    asks, wants = parts(text), intent(text)
    quantity = wants != STEPS and len(asks) == 1 and asks_quantity(text)
    return Question(text, weights, wants, tuple(asks) if len(asks) > 1 else (), quantity)


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
