"""Every threshold and switch of answering, as data: one frozen `AnswerRules`, named profiles, and
the names of the rules a verdict can cite. Word lists and phrase rules live in rag/text/lexicon.

A rule enters the default profile (`general`) only when it pays on two or more corpora of the
development panel (docs/architecture.md lists each rule with its evidence); one that helps one
document style only is a profile of its own. Any rule can be switched off by name (`off`), which
is how an evaluation ablates it (`footnote eval answers --rules-off a,b`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from rag.errors import ConfigError

# The rules a verdict names (Verdict.rule), and those that can be switched off.
RULES = {
    # the generated sentence
    "support": "a sentence needs min_support from a passage it cites (or any, then re-cited)",
    "abstain": "a generated refusal, question echo or empty sentence is not shown",
    "pointer": "a sentence that only points elsewhere answers nothing",
    "responsive": "a shown sentence (or its section heading) holds min_responsive of the "
    "question's term weight, unless its passage already answered",
    "meaning": "the model's words are shown only when they keep the passage's meaning; else the "
    "aligned passage sentence stands in",
    "repeat": "a sentence saying again what is shown from the same span is not shown",
    "kept": "the model's sentence, supported and meaning kept, shown in its own words",
    # quotes
    "quote": "a passage span shown verbatim must stand alone, be new, responsive and supported",
    "needs_subject": "a quote opening with 'This', 'It', ... takes the sentence before along; "
    "a generated sentence opening the answer so is shown as such a quote",
    "item_intro": "a quote opening with a list item of at most item_min_words words takes "
    "along the line introducing its list ('... we have a few options:' before '- Delete the "
    "orders as well')",
    "headings_no_evidence": "a passage's heading line and its questions are no evidence",
    # the plan
    "titled_section": "a passage whose section title is the question answers alone, after its "
    "section's opening",
    "lead_section": "the titled section's opening leads the answer",
    "steps": "a question asking how gets the opening with the steps that follow",
    "list_items": "a question asking for a list gets the titled section's opening with the "
    "items that follow",
    "titled_meaning": "where relevance would decline, a FAQ entry whose question title means "
    "the question (close in meaning, clearly closer than any other retrieved entry) answers "
    "alone, as a titled section",
    "opening_runs_on": "an opening that is short or names nothing asked takes what follows",
    "lead_best": "the passage sentence holding lead_coverage of the question leads the answer",
    "fallback_section": "nothing held up: the titled section's opening is quoted",
    "fallback_best": "nothing held up: the best passage's best-matching sentence is quoted",
    "lead_meaning": "the statement closest in meaning to the question leads the answer, with "
    "what completes it",
    "fallback_meaning": "nothing held up: the statement closest in meaning is quoted",
    "qualifies": "an excerpt takes along the sentence that qualifies it ('But ...')",
    "term": "an excerpt takes along the term its first unit describes (an option, a parameter)",
    "term_title": "the term an excerpt describes may be its section's title (a reference's "
    "setting or option that ingest made a section): the excerpt opens with it",
    "seek_action": "for a question asking how, an excerpt goes on to something to act on (a "
    "command, a path, an option), and statements followed by one are preferred",
    "steps_run": "for a question asking how, an excerpt goes on through the prose sentences "
    "that give something to act on (the next step: 'The user can then use ssh-copy-id ...'), "
    "up to steps_chars",
    "seek_words": "an excerpt goes on to the units holding what it lacks of the question's "
    "words, where they add seek_gain of its term weight",
    "pool": "the passages answering reads are the most relevant of pool_depth retrieved, not the "
    "first retrieved (a reference's answer often ranks a little lower than its neighbours)",
    "read_on": "the passages a lead is drawn from read on into their section's next chunk, "
    "so an excerpt stops where its section does, not where its chunk does",
    "parts": "a question asking several things gets an excerpt for each part the lead lacks",
    "act": "a question asking how whose lead gives nothing to act on gets the excerpt opened by "
    "the statement closest in meaning that gives a command, a path or an option (or is followed "
    "by one), when it reaches act_meaning",
    "lead_suffices": "an answer whose lead was shown is not written on by the model",
    "responsive_meaning": "a sentence close in meaning to the question addresses it, whatever "
    "its words",
    "quantity": "a question asking only for a quantity (how many, which version, the maximum "
    "value) is addressed only by a sentence that states a number; it gets no fallback quote, "
    "and the model does not write after its leads",
}


@dataclass(frozen=True)
class AnswerRules:
    """The constants of answering. Defaults are the `general` profile."""

    cosine_weight: float = 0.4  # relevance = this * the passage's cosine to the question
    meaning_weight: float = 0.4  # + this * its closest statement's + the rest * word coverage
    unrelated_floor: float = 0.5  # share of min_relevance under which a passage leaves the prompt
    title_meaning: float = 0.5  # a question title this close in meaning to the question is it
    title_margin: float = 0.03  # ... when no other retrieved question title is within this
    lead_coverage: float = 0.5  # share of the question's term weight a best-sentence lead holds
    fallback_coverage: float = 0.25  # the same for the answer-level fallback quote
    steps_chars: int = 800  # of a section's opening shown for a question that asks how
    opening_touch: float = 0.15  # an opening under this share of the question's weight runs on
    opening_chars: int = 750  # ... up to this many characters
    opening_min_chars: int = 550  # an opening shorter than this takes the next sentence along
    short_opening_words: int = 8  # an opening under this many words takes the next sentence
    repeat_support: float = 0.9  # support from shown text above which a sentence repeats it
    quote_min_words: int = 3  # content words a quote needs to stand alone
    item_min_words: int = 8  # a list item of at most this many words opens no quote (item_intro)
    lead_meaning: float = 0.45  # a statement this close in meaning (+ its words) leads
    lead_depth: int = 3  # passages retrieved to find the lead in (the model reads top_k)
    fallback_meaning: float = 0.4  # ... or is the fallback quote
    unit_words: float = 0.0  # weight of the question's words in a statement's closeness
    excerpt_chars: int = 400  # of an excerpt led by the statement closest in meaning, at most
    excerpt_min_chars: int = 250  # ... at least (it takes the next sentence until it has them)
    excerpt_close: float = 2.0  # ... taking the next unit this close to the question (2: never)
    term_chars: int = 60  # a term an excerpt describes (an option line) is at most this long
    seek_chars: int = 600  # an excerpt seeking something to act on goes on up to this long
    action_bonus: float = 0.05  # closeness added to a statement followed by something to act on
    act_meaning: float = 0.4  # closeness of the statement opening an excerpt to act on (act)
    seek_gain: float = 0.1  # share of the question's term weight a unit must add to be sought
    seek_words_chars: int = 700  # an excerpt seeking the question's words goes on this long
    pool_depth: int = 0  # passages retrieved to keep the most relevant of (pool; 0: off)
    read_on_chars: int = 800  # a lead's passage reads on this far into its section (read_on)
    responsive_cosine: float = 0.4  # a sentence this close to the question addresses it
    meaning_min_words: int = 2  # content words a sentence needs to be checked in its own words
    meaning_unsure_scale: float = 0.5  # eval's meaning score of a sentence not kept, scaled
    judge_chars: int = 3000  # of a passage the model judge reads (cost bound)
    rewrite_tokens: int = 60  # a follow-up's standalone rewrite, at most
    rewrite_turns: int = 3  # of the conversation the rewrite reads
    rewrite_growth: int = 4  # a rewrite longer than this times the question (+ rewrite_slack)
    rewrite_slack: int = 200  # ... characters is unusable: the previous question is joined
    off: frozenset[str] = field(default_factory=frozenset)  # rules switched off (RULES names)

    def on(self, rule: str) -> bool:
        """Is the named rule in force?"""
        return rule not in self.off

    def recorded(self) -> dict[str, Any]:
        """As an evaluation run records them (JSON-ready)."""
        data = asdict(self)
        data["off"] = sorted(self.off)
        return data


GENERAL = AnswerRules()
MEANING = frozenset(
    {
        "lead_meaning",
        "fallback_meaning",
        "parts",
        "responsive_meaning",
        "lead_suffices",
        "titled_meaning",
    }
)
PROFILES: dict[str, AnswerRules] = {
    "general": GENERAL,
    # reference manuals and prose books (HTML): the passages read are the most relevant of six
    # retrieved (rule `pool`); it paid on the handbook and PostgreSQL, and cost on the Debian FAQ
    # and the Bash PDF (graded blind: docs/benchmarks.md, "Sixth session")
    "manuals": AnswerRules(pool_depth=6),
    # word overlap only, as before answers matched meaning: relevance from the passage's cosine
    # and the question's words, no lead, fallback or responsiveness by closeness in meaning
    "words": AnswerRules(
        cosine_weight=0.5,
        meaning_weight=0.0,
        excerpt_min_chars=0,
        off=MEANING | {"qualifies", "term", "term_title", "seek_action", "seek_words", "read_on"},
    ),
}


def answer_rules(profile: str, overrides: dict[str, Any] | None = None) -> AnswerRules:
    """The rules of a named profile with `overrides` (from a config's [answer_rules] table or
    --rules-off), each checked: an unknown name or a value of the wrong type is a ConfigError."""
    if profile not in PROFILES:
        raise ConfigError(f"answer_profile={profile!r} must be one of {', '.join(PROFILES)}")
    rules = PROFILES[profile]
    known = {f.name: f for f in fields(AnswerRules)}
    values: dict[str, Any] = {}
    for name, value in (overrides or {}).items():
        if name not in known:
            raise ConfigError(f"[answer_rules] has no {name!r}; known: {', '.join(sorted(known))}")
        values[name] = _checked(name, value, getattr(rules, name))
    return replace(rules, **values)


def _checked(name: str, value: Any, default: Any) -> Any:
    if name == "off":
        names = value.split(",") if isinstance(value, str) else list(value)
        unknown = sorted({n.strip() for n in names if n.strip()} - set(RULES))
        if unknown:
            raise ConfigError(f"no rule named {unknown}; rules: {', '.join(RULES)}")
        return frozenset(n.strip() for n in names if n.strip())
    kind = type(default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"[answer_rules] {name}={value!r} must be a number")
    if kind is int and not float(value).is_integer():
        raise ConfigError(f"[answer_rules] {name}={value!r} must be a whole number")
    if value < 0:
        raise ConfigError(f"[answer_rules] {name}={value!r} must be 0 or more")
    return kind(value)
