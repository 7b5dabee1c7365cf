"""What the pipeline may do: the settings that shape answers, as the composition root passes
them, with the answering rules of the chosen profile."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.answering.check import Policy
from rag.answering.rules import AnswerRules


@dataclass(frozen=True, kw_only=True)
class Limits:
    """What the pipeline may do (built from the settings by the composition root)."""

    top_k: int  # passages given to the generator
    min_relevance: float  # below it for every passage: "not in the sources"
    min_support: float  # a generated sentence needs it to be shown at all
    max_tokens: int
    max_question_chars: int
    flag_unsupported: bool  # show unsupported sentences flagged instead of dropping them
    quote_fallback: bool  # every generated sentence failed: quote the best passage instead
    quote_below: float  # a sentence supported less is shown in the source's own words
    min_responsive: float  # share of the question's term weight a shown sentence must cover
    section_match: float  # a passage whose heading covers this share answers alone (1: off)
    prompt_chars: int  # characters of each passage the generator reads (0: all)
    lead: str  # what opens the answer before the model writes: none | section | best
    prompt_style: str = "sentence"  # sentence | cited (rag.answering.prompt.INSTRUCTIONS)
    rules: AnswerRules = field(default_factory=AnswerRules)  # the profile's constants

    @property
    def policy(self) -> Policy:
        return Policy(
            self.min_support, self.flag_unsupported, self.quote_below, self.min_responsive
        )
