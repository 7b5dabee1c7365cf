"""The passage stage: each retrieved hit, built once, as what answering reads of it: its units
(sentences, headings, lines; character spans), and what it states (its evidence)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from rag.answering.rules import AnswerRules
from rag.text.units import sentence_spans, unit_kind
from rag.types import Chunk, Hit

Span = tuple[int, int]
Meaning = Callable[[list[str]], list[float]]  # texts -> their cosines to the question


@dataclass(frozen=True)
class Passage:
    """One passage of an answer's prompt, `position` 1-based."""

    position: int
    hit: Hit
    units: tuple[Span, ...]  # of `text`
    evidence: str  # `text` with what states nothing blanked (same offsets)
    evidence_units: tuple[Span, ...]  # of `evidence`
    meaning: tuple[float, ...] = ()  # each unit's cosine to the question (empty: not measured)
    parts: tuple[tuple[float, ...], ...] = ()  # ... to each part of a question asking several
    title_meaning: float = 0.0  # its section title's cosine to the question (0: not measured)
    retrieved: int = 0  # of `text`, the characters retrieved (the rest read on); 0: all of it

    @property
    def chunk(self) -> Chunk:
        return self.hit.chunk

    @property
    def text(self) -> str:
        return self.hit.chunk.text

    @property
    def heading(self) -> str:
        return self.hit.chunk.heading

    @property
    def section(self) -> str:
        """The title of the section it sits in (the last heading of its path)."""
        return self.hit.chunk.section

    def unit(self, i: int) -> str:
        a, b = self.units[i]
        return self.text[a:b]

    def unit_end(self, offset: int) -> int:
        """The end of the unit holding `offset` (the offset itself when none does)."""
        return next((b for a, b in self.units if a <= offset < b), offset)

    def titled(self, start: int, end: int) -> bool:
        """Does the span hold a heading line or a question (`is_title`)?"""
        return is_title(self.chunk, start, end)

    def plain_title(self, start: int, end: int, rules: AnswerRules) -> bool:
        """Does the span hold a title (`titled`) other than a term's, which a quote may open
        with (rule `term_title`): a title line that names a term the text under it describes,
        a reference's setting or option that ingest made a section ("- work_mem (integer)": a
        definition term comes out as a list item), at most `rules.term_chars` long, not a
        question? Quoted with its description, it is the name the user needs."""
        if not self.titled(start, end):
            return False
        line = self.text[start:end].strip()
        one_title = any(a <= start and end <= b for a, b in self.chunk.titles)
        term = one_title and len(line) <= rules.term_chars and "\n" not in line
        return not (rules.on("term_title") and term and is_term_line(line))

    @property
    def statements(self) -> list[int]:
        """The units that state something (not a heading line nor a question)."""
        return [i for i, (a, b) in enumerate(self.units) if not self.titled(a, b)]

    def found(self, i: int) -> bool:
        """Does unit `i` begin in what was retrieved? An excerpt opens there and may go on
        into what was read on (rule `read_on`)."""
        return not self.retrieved or self.units[i][0] < self.retrieved

    @property
    def closest(self) -> float:
        """The cosine to the question of its closest statement (0 when not measured)."""
        return max((self.meaning[i] for i in self.statements if self.meaning), default=0.0)


def shown_length(text: str, start: int, end: int) -> int:
    r"""The length of `text[start:end]` as a quote shows it (its whitespace squeezed): what an
    excerpt's limits count.

    >>> shown_length("Use it.\n\t\tThen  stop.", 0, 22)
    18
    """
    return len(" ".join(text[start:end].split()))


def is_term_line(line: str) -> bool:
    """A definition term as extracted: one list item that is no question.

    >>> [is_term_line(t) for t in ("- work_mem (integer)", "- Is it free?", "## 2.1 Setup")]
    [True, False, False]
    """
    return unit_kind(line) == "item"


def is_title(chunk: Chunk, start: int, end: int) -> bool:
    r"""Is the span of the chunk's text a heading line (ingest's `Chunk.titles`) or a question:
    the topic a following "This ..." refers to, never part of a quote and no evidence of a
    claim?

    >>> text = "## 2.1 Free?\nIs it free? Yes.\n# apt install"
    >>> chunk = Chunk("c", "d", text, 0, 43, titles=((0, 12),))
    >>> [is_title(chunk, a, b) for a, b in [(0, 12), (13, 24), (13, 29), (30, 43)]]
    [True, True, False, False]
    """
    if any(a < end and start < b for a, b in chunk.titles):
        return True
    return chunk.text[start:end].rstrip().endswith("?")


def passage(
    hit: Hit,
    position: int,
    rules: AnswerRules,
    meaning: Meaning | None = None,
    parts: tuple[Meaning, ...] = (),
    retrieved: int = 0,
) -> Passage:
    """The hit as passage `position`: its units and evidence, and with `meaning` (the cosines
    of texts to the question) how close each unit and its section title are to the question,
    and each unit to each of its `parts` when it asks several. Of a passage read on, only the
    units that begin in its first `retrieved` characters are measured (0: all): an excerpt
    never opens in what was read on (rule `read_on`), so the others count as not close (0)."""
    text = hit.chunk.text
    stated = evidence(hit.chunk) if rules.on("headings_no_evidence") else text
    units = tuple(sentence_spans(text))
    found = [text[a:b] for a, b in units if not retrieved or a < retrieved]
    rest = (0.0,) * (len(units) - len(found))
    section = hit.chunk.section
    asked = [*found, section] if section else found  # one embedding call for both
    measured = tuple(meaning(asked)) if meaning and asked else ()
    closeness = (*measured[: len(found)], *rest) if measured else ()
    title = measured[-1] if section and measured else 0.0
    by_part = tuple((*m(found), *rest) for m in parts) if units else ()
    evidence_units = tuple(sentence_spans(stated))
    return Passage(
        position, hit, units, stated, evidence_units, closeness, by_part, title, retrieved
    )


class Reader:
    """Reads one answer's hits as passages (`rules`; `meaning` and `parts`: see `passage`),
    finds the opening of a passage's section (`section_opening`: the store's first chunk of a
    hit's section) and reads a passage on into its section's next chunk (`section_next`: the
    store's chunk after a hit's in its section, None at its end)."""

    def __init__(
        self,
        rules: AnswerRules,
        meaning: Meaning | None,
        parts: tuple[Meaning, ...],
        section_opening: Callable[[Hit], Hit],
        section_next: Callable[[Hit], Hit | None] | None = None,
    ):
        self.rules = rules
        # a text read again (a passage read on, a section's opening) is not measured again
        self.meaning = _memoised(meaning) if meaning else None
        self.parts = tuple(_memoised(m) for m in parts)
        self.section_opening, self.section_next = section_opening, section_next

    def __call__(self, hits: list[Hit]) -> tuple[Passage, ...]:
        return tuple(self.read(hit, n) for n, hit in enumerate(hits, 1))

    def read(self, hit: Hit, position: int) -> Passage:
        return passage(hit, position, self.rules, self.meaning, self.parts)

    def opening(self, p: Passage) -> Passage:
        """The passage that opens `p`'s section (`p` itself when it does)."""
        hit = self.section_opening(p.hit)
        return p if hit == p.hit else self.read(hit, 0)

    def read_on(self, passages: tuple[Passage, ...], depth: int) -> tuple[Passage, ...]:
        """The first `depth` passages, each read on into its section's next chunks (rule
        `read_on`): a chunk ends where its size does, not where its section's point does ("...
        You can control the degree of parallelism with the -j parameter." | "Parallel dumps are
        only supported for the "directory" archive format."), and an excerpt stops at its
        section's end, never at its chunk's."""
        if not self.rules.on("read_on") or self.section_next is None:
            return passages
        return tuple(self._on(p) if n < depth else p for n, p in enumerate(passages))

    def _on(self, p: Passage) -> Passage:
        """`p` with the chunks after it in its section, until `rules.read_on_chars` more."""
        chunk, at = p.chunk, p.hit
        while len(chunk.text) - len(p.text) < self.rules.read_on_chars:
            following = self.section_next(at)
            if following is None:
                break
            chunk, at = joined(chunk, following.chunk), following
        if chunk is p.chunk:
            return p
        hit, rules, retrieved = replace(p.hit, chunk=chunk), self.rules, len(p.text)
        return passage(hit, p.position, rules, self.meaning, self.parts, retrieved)


def _memoised(meaning: Meaning) -> Meaning:
    """`meaning` measuring each distinct text once (one call for the texts not seen yet)."""
    seen: dict[str, float] = {}

    def measured(texts: list[str]) -> list[float]:
        new = [t for t in dict.fromkeys(texts) if t not in seen]
        if new:
            seen.update(zip(new, meaning(new), strict=True))
        return [seen[t] for t in texts]

    return measured


def joined(chunk: Chunk, following: Chunk) -> Chunk:
    r"""The chunk with the one that follows it in its document (overlapping it or not) read on:
    the same id and heading, its text up to `following`'s end (a gap between them, the spaces
    chunking dropped, is kept as line breaks so offsets stay the document's), its titles and
    pages with `following`'s after them.

    >>> a = Chunk("a", "d", "One. Two.", 0, 9, pages=((0, 1), (5, 2)))
    >>> b = Chunk("b", "d", "Two. Three.", 5, 16, pages=((0, 2), (5, 3)))
    >>> joined(a, b).text, joined(a, b).end, joined(a, b).pages
    ('One. Two. Three.', 16, ((0, 1), (5, 2), (10, 3)))
    >>> gap = joined(a, Chunk("b", "d", "Four.", 11, 16, titles=((0, 5),)))
    >>> gap.text, gap.titles
    ('One. Two.\n\nFour.', ((11, 16),))
    """
    shift = following.start - chunk.start
    if following.start <= chunk.end:
        text = chunk.text + following.text[chunk.end - following.start :]
    else:
        text = chunk.text + "\n" * (following.start - chunk.end) + following.text
    titles = (*chunk.titles, *((a + shift, b + shift) for a, b in following.titles))
    titles = tuple(sorted(set(titles)))  # a title in the overlap is both chunks'
    pages = (
        *chunk.pages,
        *((at + shift, n) for at, n in following.pages if at + shift >= len(chunk.text)),
    )
    return replace(chunk, text=text, end=following.end, titles=titles, pages=pages)


def passages(hits: list[Hit], rules: AnswerRules) -> tuple[Passage, ...]:
    """The hits as passages, numbered 1..n in order (no meaning measured)."""
    return tuple(passage(hit, n, rules) for n, hit in enumerate(hits, 1))


def evidence(chunk: Chunk) -> str:
    """What a passage states: its text with its heading lines and its questions blanked (same
    offsets). "Can I change to testing?" under which a passage answers is no evidence that "I
    can change to testing", nor are a question's words evidence of a claim built from them.

    >>> evidence(Chunk("c", "d", "Is it free?\\nYes, it is.", 0, 23))
    '           \\nYes, it is.'
    """
    text = chunk.text
    for a, b in [*chunk.titles, *sentence_spans(text)]:
        if is_title(chunk, a, b):
            text = text[:a] + " " * (b - a) + text[b:]
    return text
