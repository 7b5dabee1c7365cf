"""The plan stage: which passage spans an answer opens with, verbatim, before the model has read
its prompt (the lead), and which it quotes when none of the model's sentences holds up (the
fallback). Pure: spans are proposed here and checked like any quote when shown."""

from __future__ import annotations

from dataclasses import dataclass

from rag.answering.citations import align_quote
from rag.answering.gate import Gate
from rag.answering.openings import opening_end, steps_end
from rag.answering.passage import Passage, shown_length
from rag.answering.question import LIST, Question
from rag.answering.quotes import quotable
from rag.answering.rules import AnswerRules
from rag.text.cues import is_pointer, qualifies
from rag.text.overlap import weighted_coverage
from rag.text.units import FINISHED, actionable, unit_kind


@dataclass(frozen=True)
class Excerpt:
    """A proposed quote: a span of passage `position` (1-based), and the rule proposing it."""

    position: int
    start: int
    end: int
    rule: str
    steps: bool = False  # instructions: its last line may be a command without a full stop


@dataclass(frozen=True)
class Plan:
    leads: tuple[Excerpt, ...]  # the answer's opening: one excerpt, or one per part asked
    fallback: Excerpt | None
    write: bool = True  # the model writes when no lead held up (`quantity`: not after leads)


def plan(
    question: Question,
    gate: Gate,
    passages: tuple[Passage, ...],
    lead: str,
    fallback: bool,
    rules: AnswerRules,
) -> Plan:
    """The lead (`lead`: none | section | best) and the fallback (when `fallback` is on).

    When the best passage's section title is the question (`gate.section`), both are the
    section's opening: documentation states its answer first. Else the lead (lead = best) is
    the best passage's sentence that best matches the question when it holds
    `rules.lead_coverage` of the question's words and no other sentence holds as many, and the
    fallback that sentence when it holds `rules.fallback_coverage`. A question asking for a
    quantity (rule `quantity`) gets no fallback, and when it has leads the model does not write
    either: once the closest evidence stated no number, a number in the sentence that best
    matches its words is a coincidence, and the model makes one up ("Bash will accept a maximum
    length of 61 characters", from a page number)."""
    best = passages[gate.best - 1]
    quantity = question.quantity and rules.on("quantity")
    fallback = fallback and not quantity
    if gate.section:
        opening = section_opening(question, best, rules)
        last = _as(opening, "fallback_section") if fallback else None
        first = opening if lead != "none" else None
        leads = _leads(first, question, passages, rules)
        return Plan(leads, last, write=not (quantity and leads))
    first = last = None
    if lead == "best" and rules.on("lead_best"):
        least = rules.lead_coverage
        first = best_sentence(question, best, least, "lead_best", rules, alone=True)
    if lead == "best" and first is None and rules.on("lead_meaning"):
        first = closest_excerpt(question, passages, rules.lead_meaning, "lead_meaning", rules)
    if fallback:
        last = best_sentence(question, best, rules.fallback_coverage, "fallback_best", rules)
    if fallback and last is None and rules.on("fallback_meaning"):
        least = rules.fallback_meaning
        last = closest_excerpt(question, passages, least, "fallback_meaning", rules)
    leads = _leads(first, question, passages, rules)
    return Plan(leads, last, write=not (quantity and leads))


def _leads(
    first: Excerpt | None, question: Question, passages: tuple[Passage, ...], rules: AnswerRules
) -> tuple[Excerpt, ...]:
    """The lead, and for a question asking several things (rule `parts`), the excerpt closest
    to each other part; for a question asking how whose excerpts give nothing to act on (rule
    `act`), the closest that does; each unless an excerpt holds it already."""
    leads = [first] if first is not None else []

    def add(more: Excerpt | None) -> None:
        if more and not any(_overlap(more, e) for e in leads):
            leads.append(more)

    if first and question.parts and rules.on("parts"):
        for k in range(len(question.parts)):
            add(closest_excerpt(question, passages, rules.lead_meaning, "parts", rules, k))
    if first and question.steps and rules.on("act") and not _acting(leads, passages):
        least = rules.act_meaning
        add(closest_excerpt(question, passages, least, "act", rules, acting=True))
    return tuple(leads)


def _acting(excerpts: list[Excerpt], passages: tuple[Passage, ...]) -> bool:
    """Does one of the excerpts give something to act on (a command, a path, an option)?"""
    for e in excerpts:
        p = passages[e.position - 1]
        if any(actionable(p.text[a:b]) for a, b in p.units if e.start <= a and b <= e.end):
            return True
    return False


def _overlap(a: Excerpt, b: Excerpt) -> bool:
    return a.position == b.position and a.start < b.end and b.start < a.end


def _as(excerpt: Excerpt | None, rule: str) -> Excerpt | None:
    if excerpt is None:
        return None
    return Excerpt(excerpt.position, excerpt.start, excerpt.end, rule, excerpt.steps)


def section_opening(question: Question, passage: Passage, rules: AnswerRules) -> Excerpt | None:
    """The opening of the passage's section: its first sentence that can stand as a quote
    (a short one, "Yes.", takes the next along); for a question that asks how (rule `steps`),
    with the instructions that follow it, sentences and command lines; for one that asks for
    a list (rule `list_items`), with the items that follow it."""
    steps = question.steps and rules.on("steps")
    items = question.intent == LIST and rules.on("list_items")
    text, units = passage.text, passage.units
    spans = [
        (a, b)
        for i, (a, b) in enumerate(units)
        if quotable(text[a:b], rules, steps or items or _listed(passage, i))
    ]
    if not spans:
        return None
    start, end = spans[0]
    if steps or items:
        end = steps_end(text, units, start, end, rules)
        return Excerpt(passage.position, start, end, "steps" if steps else "list_items", True)
    end = opening_end(text, start, end, spans[1:], question.weights, rules)
    last = max(i for i, (a, _) in enumerate(units) if a < end)
    return Excerpt(passage.position, start, end, "lead_section", _listed(passage, last))


def _listed(passage: Passage, i: int) -> bool:
    """Is unit `i` an item of a list, or the line that introduces one ("... the following
    kernels:")? Neither need end with a full stop ("- buzz was the spaceman,")."""
    if unit_kind(passage.unit(i)) == "item":
        return True
    following = i + 1 < len(passage.units) and unit_kind(passage.unit(i + 1)) == "item"
    return following and passage.unit(i).rstrip().endswith(":")


def best_sentence(
    question: Question,
    passage: Passage,
    least: float,
    rule: str,
    rules: AnswerRules,
    alone: bool = False,
) -> Excerpt | None:
    """The passage's sentence (or pair) that best matches the question, when it holds `least`
    of the question's words by weight (else it is not about the question, whatever its section)
    and, `alone`, when no other sentence holds as much (a tie means the words do not say which
    sentence answers); with what completes it (`complete`). A sentence that only points
    elsewhere ("See Chapter 3") is no answer, however many of the question's words it holds."""
    text, weights = passage.text, question.weights
    found = [span for i, span in enumerate(passage.units) if passage.found(i)]
    start, end = align_quote(question.text, text, finished=True, spans=found)
    coverage = weighted_coverage(weights, text[start:end])
    if coverage < least or is_pointer(text[start:end]):
        return None
    if alone and any(
        weighted_coverage(weights, text[a:b]) >= coverage
        for a, b in found
        if b <= start or a >= end
    ):
        return None
    last = max(i for i, (a, _) in enumerate(passage.units) if a < end)
    first = min(i for i, (_, b) in enumerate(passage.units) if b > start)
    if unit_kind(passage.unit(first)) == "command" and not question.steps:
        return None  # code that holds the question's names answers nothing in words
    return complete(question, passage, first, last, rule, rules)


ANSWERING_KINDS = ("statement", "item", "row")  # units that can open an answer


def closest_excerpt(
    question: Question,
    passages: tuple[Passage, ...],
    least: float,
    rule: str,
    rules: AnswerRules,
    part: int | None = None,
    acting: bool = False,
) -> Excerpt | None:
    """The unit (a statement, a list item or a table row) closest in meaning to the question (or
    to its `part`) over all passages (its cosine, plus `rules.unit_words` times the share of
    the question's words it holds), when it reaches `least`, with what completes it
    (`complete`): a user's words need not be the document's. `acting`: only a unit that
    gives something to act on, or is followed by one (rule `act`)."""

    if part is not None:  # the part is asked alone: its words and its intent
        question = question.part(part)

    def closeness(p: Passage) -> tuple[float, ...]:
        return p.meaning if part is None else p.parts[part]

    def score(p: Passage, i: int) -> float:
        words = rules.unit_words * weighted_coverage(question.weights, p.unit(i))
        acts = question.steps and rules.on("seek_action") and _acts(p, i)
        return closeness(p)[i] + words + (rules.action_bonus if acts else 0.0)

    scored = [
        (score(p, i), p, i)
        for p in passages
        if p.meaning and (part is None or p.parts)
        for i in p.statements
        if p.found(i)
        and unit_kind(p.unit(i)) in ANSWERING_KINDS
        and not is_pointer(p.unit(i))
        and (not acting or _acts(p, i))
    ]
    if not scored:
        return None
    score, passage, i = max(scored, key=lambda t: t[0])
    if score < least:
        return None
    return complete(question, passage, i, i, rule, rules)


def complete(
    question: Question, passage: Passage, first: int, last: int, rule: str, rules: AnswerRules
) -> Excerpt:
    """The excerpt of units `first`..`last` with what completes it: the term it describes
    when the unit before is one (a man page's "-p port" line over "Port to connect to"; rule
    `term`; its length is counted without it), and what follows (`excerpt_end`). It may end in
    a command or a line without a full stop (`steps`)."""
    entry = rules.on("term") and first > 0 and _is_term(passage, first - 1, rules)
    described = passage.units[first][0]  # its length is counted from here: a term is a label
    if entry:  # the excerpt opens with the term its first unit describes
        first -= 1
    end = excerpt_end(question, passage, last, rules, described, entry)
    return Excerpt(passage.position, passage.units[first][0], end, rule, steps=True)


def _acts(passage: Passage, i: int) -> bool:
    """Does unit `i`, or the one after it, give something to act on (a command, a path, an
    option)? Only what was retrieved chooses where an excerpt opens (rule `read_on`)."""
    following = [j for j in (i, i + 1) if j < len(passage.units) and passage.found(j)]
    return any(actionable(passage.unit(j)) for j in following)


def _is_term(passage: Passage, i: int, rules: AnswerRules) -> bool:
    """Is unit `i` a term that the next unit describes: one short line without a full stop
    (an option, a parameter, a definition's word), not a title unless it is a term's title
    (`Passage.plain_title`, rule `term_title`)?"""
    a, b = passage.units[i]
    line = passage.text[a:b].strip()
    short = "\n" not in line and 0 < len(line) <= rules.term_chars and not FINISHED.search(line)
    return short and not line.endswith(":") and not passage.plain_title(a, b, rules)


def excerpt_end(
    question: Question,
    passage: Passage,
    i: int,
    rules: AnswerRules,
    start: int,
    entry: bool = False,
) -> int:
    """Where an excerpt (from `start`) whose last unit so far is `i` ends: it takes along what
    that unit introduces (after a colon), the steps a procedure question asks for, the items a
    list question asks for (with what they say), a short first sentence's next one, a sentence
    that qualifies it ("But this does not work as expected"; rule `qualifies`), a unit close in
    meaning to the question, and prose until it has `rules.excerpt_min_chars` (not into the
    next item, row or term of a list, which answers alone, unless the question asks for a
    list), within `rules.excerpt_chars` and never across a heading. For a question asking how
    (rule `seek_action`), an excerpt that has given nothing to act on yet (a command, a path,
    an option) goes on until it does, up to `rules.seek_chars`: documentation restates the
    problem before it solves it. An `entry` (the description of a term: an option, a
    parameter) ends before the next item or term, which is another entry. Then it goes on to
    what it lacks of the question's words (`_seek_words`)."""
    units, text = passage.units, passage.text
    j = i
    seeking = question.steps and rules.on("seek_action")
    while j + 1 < len(units):
        a, b = units[j + 1]
        seek = seeking and not any(actionable(passage.unit(k)) for k in range(i, j + 1))
        current, following = passage.unit(j).rstrip(), passage.unit(j + 1)
        kind = unit_kind(following)
        prose = kind == "statement" and not _is_term(passage, j + 1, rules)
        # the next step of a procedure, in prose ("The user can then use ssh-copy-id ...")
        step = question.steps and rules.on("steps_run") and prose and actionable(following)
        # an excerpt never ends on a colon: what it introduces goes along, as steps do
        limit = rules.seek_chars if seek else rules.excerpt_chars
        limit = rules.steps_chars if current.endswith(":") or step else limit
        if passage.titled(a, b) or shown_length(text, start, b) > limit:
            break
        if entry and _another_entry(passage, j + 1, rules):
            break
        close = passage.meaning and passage.meaning[j + 1] >= rules.excerpt_close
        short = shown_length(text, start, units[j][1]) < rules.excerpt_min_chars
        # a sentence on the same line goes on with the unit before: an item's (a definition's)
        # paragraph is one line ("- Terminate any session ... . If this value ...")
        same_line = "\n" not in text[units[j][1] : a]
        # items follow on from a colon or from items: after a statement, the next item is
        # another entry of a list (the next parameter, not a step of this one), unless the
        # question asks for the items of a list
        run = current.endswith(":") or unit_kind(current) in ("command", "item")
        if kind == "item" and not run and question.intent != LIST:
            break
        wanted = (
            current.endswith(":")
            or (question.steps and kind in ("command", "item"))
            or (question.intent == LIST and kind in ("item", "statement"))  # the rest of it
            or (j == i and len(current.split()) < rules.short_opening_words)
            or (rules.on("qualifies") and qualifies(following))
            or (short and prose and (unit_kind(current) == "statement" or same_line))
            or close
            or seek
            or step
        )
        if not wanted:
            break
        j += 1
    if rules.on("seek_words"):
        j = _seek_words(question, passage, start, j, rules, entry)
    return units[j][1]


def _another_entry(passage: Passage, i: int, rules: AnswerRules) -> bool:
    """Is unit `i` another entry of a list: an item, a table row or a term?"""
    return unit_kind(passage.unit(i)) in ("item", "row") or _is_term(passage, i, rules)


def _seek_words(
    question: Question, passage: Passage, start: int, j: int, rules: AnswerRules, entry: bool
) -> int:
    """The last unit of an excerpt (from `start`, its last unit so far `j`) that goes on to the
    units holding what it lacks of the question's words (rule `seek_words`): each step gains
    at least `rules.seek_gain` of the question's term weight, up to `rules.seek_words_chars`,
    never across a heading nor, for an `entry`, into the next item or term. A passage names its
    topic first and the specifics the user asked about later ("To activate quota ..., indicate
    the usrquota options in /etc/fstab")."""
    units, text, weights = passage.units, passage.text, question.weights
    have = weighted_coverage(weights, text[start : units[j][1]])
    for k in range(j + 1, len(units)):
        a, b = units[k]
        if passage.titled(a, b) or shown_length(text, start, b) > rules.seek_words_chars:
            break
        if entry and _another_entry(passage, k, rules):
            break
        now = weighted_coverage(weights, text[start:b])
        if now - have >= rules.seek_gain:
            j, have = k, now
    return j
