"""The live check: each claim (a generated sentence, or a passage span to quote) against the
passages and the question, before it is shown; every decision a Verdict naming its rule.

A generated sentence: invalid citation markers are dropped; one whose cited passages do not
support it is checked against every passage and its citation repaired; one no passage supports
is dropped (or flagged, by policy). It must address the question: the question's specific words
(by weight) in it or in the heading of its section, or a passage that already answered. A
sentence that only points elsewhere or repeats what is shown is not shown. One the check is
unsure of (`keeps_meaning`) is shown in the source's own words: the passage span it aligns with;
so is one that opens the answer with a word needing a subject ("This is an internal error.": the
model copied a sentence without what it is about).
A quote must stand alone (`quotes.quotable`), be new, address the question and be supported.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answering.citations import align_quote
from rag.answering.ledger import Ledger
from rag.answering.meaning import keeps_meaning
from rag.answering.passage import Meaning, Passage
from rag.answering.question import Question
from rag.answering.quotes import quotable, whole_span
from rag.answering.rules import AnswerRules
from rag.answering.scorers import SupportScorer
from rag.answering.verdict import (
    ABSTAIN,
    DROP,
    FLAG,
    OFF_TOPIC,
    REPEAT,
    SHOW,
    STAND_IN,
    UNUSED,
    Verdict,
)
from rag.text.cues import declines, holds_number, is_pointer, needs_subject, without_titles
from rag.text.markers import parse_markers
from rag.text.overlap import support, weighted_coverage


@dataclass(frozen=True)
class Policy:
    """What the check demands of a sentence (from the settings, via rag.answering.Limits)."""

    min_support: float  # from its passage, to be shown at all
    flag_unsupported: bool = False  # show unsupported sentences flagged instead of dropping
    quote_below: float = 0.0  # under this support, the source's words stand in for the model's
    min_responsive: float = 0.0  # share of the question's term weight it (or its section) has


@dataclass(frozen=True)
class Check:
    """The check of one answer: its passages, the question as analysed (its specific words,
    `weights`: none = no responsiveness check; whether it asks for a quantity), the policy, the
    rules and the support scorer. Pure: what has been shown is read from the Ledger it is
    given."""

    passages: tuple[Passage, ...]
    asked: Question
    policy: Policy
    rules: AnswerRules
    scorer: SupportScorer
    meaning: Meaning | None = None  # texts -> their cosines to the question

    @property
    def weights(self) -> dict[str, float]:
        return self.asked.weights

    def claim(self, raw: str, ledger: Ledger) -> Verdict:
        """The verdict on a generated sentence (markers included)."""
        text, cited = parse_markers(raw)
        if not any(ch.isalnum() for ch in text) or declines(text) or text.endswith("?"):
            return Verdict(ABSTAIN, "abstain", text)
        cited = [n for n in cited if 1 <= n <= len(self.passages)]  # invalid markers dropped
        scores = self._scores(text, cited)
        if not scores or max(scores.values()) < self.policy.min_support:  # missing or wrong
            others = [n for n in range(1, len(self.passages) + 1) if n not in scores]
            scores.update(self._scores(text, others))
            cited = [max(scores, key=scores.get)]
        best = max(scores.values())
        keep = [n for n in cited if scores[n] >= self.policy.min_support]
        if not keep:
            action = FLAG if self.policy.flag_unsupported else DROP
            return Verdict(action, "support", text, support=round(best, 3))
        position = max(keep, key=scores.get)
        passage = self.passages[position - 1]
        start, end = align_quote(text, passage.text, finished=True, spans=passage.units)
        span = {"position": position, "start": start, "end": end}
        if self.rules.on("pointer") and is_pointer(text):
            return Verdict(OFF_TOPIC, "pointer", text, **span)
        if not self._answers(text, position, ledger):
            return Verdict(OFF_TOPIC, "responsive", text, **span)
        if self.rules.on("needs_subject") and needs_subject(text) and not ledger.shown:
            return Verdict(STAND_IN, "needs_subject", text, **span)  # "This" names nothing yet
        threshold = self.policy.quote_below if self.rules.on("meaning") else 0.0
        stated, units = passage.evidence, passage.evidence_units
        if not keeps_meaning(text, stated, best, threshold, self.rules, units):
            return Verdict(STAND_IN, "meaning", text, **span)
        if self._repeats(text, position, start, end, ledger):
            return Verdict(REPEAT, "repeat", text, **span)
        return Verdict(SHOW, "kept", text, **span, cited=tuple(keep), support=round(best, 3))

    def stand_in(self, verdict: Verdict, ledger: Ledger) -> list[Verdict]:
        """For a sentence the check is unsure of: the quote of its aligned span that stands in
        (when it can), then the stand-in's outcome (dropped when no quote stands and nothing
        shown covers the span already)."""
        p, a, b = verdict.position, verdict.start, verdict.end
        covered = ledger.overlaps(p, a, b)
        quote = self.quote(p, a, b, ledger, verdict.rule, replaces=verdict.text)
        out = [quote] if quote.action in (SHOW, OFF_TOPIC) else []
        outcome = DROP if quote.action != SHOW and not covered else STAND_IN
        return [*out, Verdict(outcome, verdict.rule, verdict.text, p, a, b)]

    def quote(
        self,
        position: int,
        start: int,
        end: int,
        ledger: Ledger,
        rule: str,
        replaces: str = "",
        steps: bool = False,
    ) -> Verdict:
        """The verdict on showing a passage span verbatim (widened to whole sentences that name
        their subject): SHOW (quoted), OFF_TOPIC, or UNUSED when it cannot stand as a quote, is
        shown already or is not supported."""
        passage = self.passages[position - 1]
        start, end = whole_span(passage, start, end, self.rules)
        text = " ".join(passage.text[start:end].split())
        span = {"position": position, "start": start, "end": end}
        heading = passage.plain_title(start, min(end, passage.unit_end(start)), self.rules)
        if (
            heading
            or not quotable(text, self.rules, steps)
            or ledger.overlaps(position, start, end)
        ):
            return Verdict(UNUSED, "quote", text, **span)
        if not self._answers(text, position, ledger):
            return Verdict(OFF_TOPIC, "responsive", text, **span)
        # what the span states (its own titles and questions blanked, as in the evidence): a
        # cross-reference's question inside a quote is not a claim the passage fails to support
        stated = " ".join(passage.evidence[start:end].split())
        score = self._scores(stated, [position])[position]
        if score < self.policy.min_support:
            return Verdict(UNUSED, "support", text, **span)
        shown = {"support": round(score, 3), "quoted": True, "replaces": replaces}
        return Verdict(SHOW, rule, text, **span, cited=(position,), **shown)

    def _scores(self, text: str, positions: list[int]) -> dict[int, float]:
        pairs = [(text, self.passages[n - 1].evidence) for n in positions]
        return dict(zip(positions, self.scorer.scores(pairs), strict=True))

    def _answers(self, text: str, position: int, ledger: Ledger) -> bool:
        """Does the sentence address the question: the question's words (by weight) in it or in
        its section's heading, or a passage that already answered (a continuation)?"""
        asked = self.asked
        if asked.quantity and self.rules.on("quantity") and not holds_number(text, asked.text):
            return False  # a question asking how many is not answered without a (new) number
        if not self.weights or ledger.answered(position):
            return True
        heading = self.passages[position - 1].heading
        found = weighted_coverage(self.weights, f"{heading}\n{without_titles(text)}")
        if found >= self.policy.min_responsive:
            return True
        close = self.rules.on("responsive_meaning") and self.meaning is not None
        return close and self.meaning([text])[0] >= self.rules.responsive_cosine

    def _repeats(self, text: str, position: int, start: int, end: int, ledger: Ledger) -> bool:
        """Does the sentence say again what a shown sentence or quote of the same span says?"""
        if not self.rules.on("repeat"):
            return False
        shown = ledger.shown_over(position, start, end)
        return bool(shown) and support(text, " ".join(shown)) >= self.rules.repeat_support
