"""What the check decides about one claim (a generated sentence or a passage span): the action,
and the rule that decided it. Pure data; `rag.answering.check` makes verdicts and
`rag.answering.ledger` records them."""

from __future__ import annotations

from dataclasses import dataclass

from rag.types import Decision

SHOW = "show"  # shown: the model's words, or a passage span verbatim (`quoted`)
STAND_IN = "stand_in"  # the model's words failed the meaning check: a passage span stands in
FLAG = "flag"  # unsupported, shown marked as such (policy flag_unsupported)
DROP = "drop"  # unsupported, not shown
OFF_TOPIC = "off_topic"  # supported but does not answer the question
REPEAT = "repeat"  # supported but says what is shown already
ABSTAIN = "abstain"  # a refusal, an echo of the question, or nothing
UNUSED = "unused"  # a planned quote that cannot stand (not quotable, shown, unsupported)

# the counts an answer reports, by action (a stand-in whose quote fails is dropped)
COUNTED = {
    "dropped": (DROP, FLAG),
    "requoted": (STAND_IN,),
    "off_topic": (OFF_TOPIC,),
    "repeated": (REPEAT,),
}


@dataclass(frozen=True)
class Verdict:
    """One decision of the check. `position` and `start`/`end`: the passage (1-based) and the
    span of it the claim aligns with; `cited`: the passages a shown sentence cites."""

    action: str
    rule: str  # a name of rag.answering.rules.RULES
    text: str
    position: int = 0
    start: int = 0
    end: int = 0
    cited: tuple[int, ...] = ()
    support: float = 0.0
    quoted: bool = False  # the text is the passage's own words
    replaces: str = ""  # for a stand-in quote: the model's sentence

    @property
    def decision(self) -> Decision:
        """As an answer keeps it: what was decided, by which rule, about what."""
        return Decision(self.action, self.rule, self.text)
