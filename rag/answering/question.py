"""The question stage: str -> Question, what the question asks about (its specific words, by
weight) and what kind of answer it wants."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.errors import QuestionError
from rag.retrieval.terms import TermStats
from rag.text.cues import asks_quantity, intent, parts
from rag.text.words import content_words

STEPS, LIST, FACT = "steps", "list", "fact"  # intents (rag.text.cues.intent)


@dataclass(frozen=True)
class Question:
    """A question as answering reads it."""

    text: str
    weights: dict[str, float] = field(default_factory=dict)  # specific words -> idf
    intent: str = "fact"  # steps | list | yesno | reason | fact (rag.text.cues.intent)
    parts: tuple[str, ...] = ()  # the questions it asks, when more than one
    quantity: bool = False  # it asks for a number, and only that (no steps): rule `quantity`
    intents: tuple[str, ...] = ()  # the intent of each part

    @property
    def steps(self) -> bool:
        return self.intent == STEPS

    def part(self, k: int) -> Question:
        """Part `k` as a question of its own: its words (weighed as in the whole question) and
        its intent ("How do I get a certificate, and will it renew?": steps, then yes/no); a
        part with no intent of its own shares the question's ("How do I send logs to a host, and
        what changes on that host?": steps, both).

        >>> asked = analyse("How do I get a cert, and will it renew?", TermStats(4, {"renew": 1}))
        >>> asked.part(1).text, asked.part(1).intent, list(asked.part(1).weights)
        ('will it renew?', 'yesno', ['renew'])
        """
        words = set(content_words(self.parts[k]))
        kept = {w: v for w, v in self.weights.items() if w in words}
        wants = self.intents[k] if self.intents else FACT
        return Question(self.parts[k], kept, self.intent if wants == FACT else wants)


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
    several = tuple(asks) if len(asks) > 1 else ()
    return Question(text, weights, wants, several, quantity, tuple(intent(a) for a in several))


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
