"""A model's yes or no, as a probability: how the judge and the reranker read an instruction
model (no NLI model or cross-encoder ships in any package here)."""

from __future__ import annotations

YES = ("yes", "Yes", " yes", " Yes", "YES", " YES")
NO = ("no", "No", " no", " No", "NO", " NO")


def yes_probability(model, messages: list[dict[str, str]]) -> float:
    """P("yes") / (P("yes") + P("no")) for the first token of the model's reply, summed over
    casings and leading spaces; 0.5 when the model puts no mass on either. A model in process
    gives its whole next-token distribution; a server (`yes_no`) its top log-probabilities."""
    if hasattr(model, "yes_no"):
        yes, no = model.yes_no(messages)
    else:
        probs = model.next_token_probs(messages)
        yes, no = probs[model.word_ids(YES)].sum(), probs[model.word_ids(NO)].sum()
    return float(yes / (yes + no)) if yes + no > 0 else 0.5
