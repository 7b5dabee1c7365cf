"""Follow-ups ("and how do I undo that?") rewritten into standalone questions before retrieval."""

from __future__ import annotations

from rag.answering.rules import GENERAL, AnswerRules
from rag.generation import Generator
from rag.text.words import content_words

REWRITE_SYSTEM = (
    "You rewrite the user's last question so that it can be understood without the conversation. "
    "Replace pronouns and references with what they refer to. Reply with the question only."
)


def rewrite(
    question: str,
    history: list[tuple[str, str]],
    generator: Generator,
    rules: AnswerRules = GENERAL,
) -> str:
    """A standalone version of `question` given earlier (question, answer) turns (the last
    `rules.rewrite_turns`).

    Falls back to joining the previous question when the model's rewrite is unusable (empty,
    far too long, or unrelated to the question), so retrieval still sees the topic.
    """
    if not history:
        return question
    turns = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in history[-rules.rewrite_turns :])
    messages = [
        {"role": "system", "content": REWRITE_SYSTEM},
        {
            "role": "user",
            "content": f"Conversation:\n{turns}\n\nLast question: {question}\nStandalone question:",
        },
    ]
    text = " ".join("".join(generator.stream(messages, rules.rewrite_tokens)).split())
    text = text.removeprefix("Standalone question:").strip().strip('"')
    words = set(content_words(question))
    if (
        not text
        or len(text) > rules.rewrite_growth * len(question) + rules.rewrite_slack
        or (words and not words & set(content_words(text)))
    ):
        return f"{history[-1][0]} {question}"
    return text
