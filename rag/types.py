"""Plain frozen dataclasses that carry data between Footnote's stages.

Ids are content hashes (see `content_hash`), so re-ingesting unchanged text is a no-op.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def content_hash(*parts: str) -> str:
    """Hex sha256 of the parts joined by NUL bytes.

    >>> content_hash("a") == content_hash("a")
    True
    >>> content_hash("a", "b") != content_hash("ab")
    True
    """
    digest = hashlib.sha256()
    for i, part in enumerate(parts):
        if i:
            digest.update(b"\0")
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def vector_id(chunk_id: str) -> int:
    """The non-negative int64 a vector index uses for a chunk (63 bits of its hash).

    Non-negative because FAISS marks "no result" with -1.
    """
    return int.from_bytes(bytes.fromhex(chunk_id[:16]), "big") & (2**63 - 1)


# The version of how ingest cuts documents into chunks and what it records on them; part of
# every document's hash, so that re-ingesting after a change re-chunks (3: heading lines as data;
# definition terms, bold questions and plain-text headings as sections)
CHUNKING = "3"


@dataclass(frozen=True)
class Document:
    """One source (file or URL) after extraction. `id` is a hash of the source."""

    id: str
    source: str  # absolute path or URL: what the user ingested
    text: str  # the extracted main text; chunk offsets point into it
    title: str = ""
    url: str = ""
    date: str = ""  # ISO date when the page states one
    collection: str = "default"
    headings: tuple[tuple[int, int, str], ...] = ()  # (offset in text, level 1-6, title)
    pages: tuple[int, ...] = ()  # offset where each page (PDF) or slide (PPTX) begins

    @property
    def text_hash(self) -> str:
        """Changes when the text, its headings or the way documents are cut into chunks
        (`CHUNKING`) change: the document is then chunked again (unchanged chunk texts keep
        their cached vectors)."""
        headings = (f"{o}:{lv}:{t}" for o, lv, t in self.headings)
        return content_hash(CHUNKING, self.text, *headings)


@dataclass(frozen=True)
class Chunk:
    """A passage of a document. `start`/`end` are character offsets into `Document.text`;
    `heading` is the path of the section headings it sits under ("Guide > Reset"); `titles`
    are the lines of its text that are headings (Markdown, PDF and Word keep them in the text;
    HTML pages mostly do not), as ingest found them: answering never guesses them from "#"."""

    id: str
    document_id: str
    text: str
    start: int
    end: int
    heading: str = ""
    pages: tuple[tuple[int, int], ...] = ()  # (offset in the chunk, page number) page starts
    titles: tuple[tuple[int, int], ...] = ()  # (start, end) in the text of its heading lines

    def page_at(self, offset: int) -> int:
        """The page (1-based) of an offset into the chunk's text; 0 when not paged.

        >>> Chunk("c", "d", "end of 4. page 5", 0, 16, pages=((0, 4), (9, 5))).page_at(10)
        5
        """
        page = 0
        for start, number in self.pages:
            if start > offset:
                break
            page = number
        return page

    @property
    def section(self) -> str:
        """The title of the section it sits in (the last heading of its path; "" for none)."""
        return self.heading.rsplit(" > ", 1)[-1]

    @property
    def indexed_text(self) -> str:
        """What is embedded and searched: the section heading, then the passage."""
        return f"{self.heading}\n\n{self.text}" if self.heading else self.text

    @property
    def text_hash(self) -> str:
        """Hash of `indexed_text`: the key of the embedding cache."""
        return content_hash(self.indexed_text)

    @property
    def vector_id(self) -> int:
        return vector_id(self.id)


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its score (cosine similarity for dense retrieval) and provenance."""

    chunk: Chunk
    score: float
    title: str = ""
    source: str = ""
    url: str = ""
    date: str = ""


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: the chunk and the quote span inside it (chunk offsets)."""

    number: int
    chunk_id: str
    document_id: str
    title: str
    source: str
    passage: str
    quote_start: int
    quote_end: int
    url: str = ""
    date: str = ""
    page: int = 0  # the page (PDF) or slide the quote is on; 0: not a paged document

    @property
    def quote(self) -> str:
        return self.passage[self.quote_start : self.quote_end]


@dataclass(frozen=True)
class Quote:
    """Where a sentence's support lies: character offsets into the cited chunk's text."""

    number: int  # the citation number
    chunk_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """One answer sentence (markers removed) and the citation numbers that support it."""

    text: str
    citations: tuple[int, ...] = ()
    support: float = 0.0  # in [0, 1]: how well the cited passages support the sentence
    supported: bool = True  # False: shown flagged as unsupported (policy `flag`)
    quotes: tuple[Quote, ...] = ()  # one per citation, in the same order
    quoted: bool = False  # True: the passage's own words, shown when the model's wording failed
    replaces: str = ""  # for a quote: the model's sentence it stands in for ("" for the fallback)
    rule: str = ""  # the answering rule that decided to show it (rag.answering.rules.RULES)


@dataclass(frozen=True)
class Decision:
    """One decision of the answer check, shown or not: what it decided about which text, and by
    which rule (rag.answering.verdict's actions, rag.answering.rules' names)."""

    action: str
    rule: str
    text: str


ANSWERED = "answered"
NOT_IN_SOURCES = "not_in_sources"


@dataclass(frozen=True)
class Answer:
    """A complete answer: verified sentences, their sources in citation order, and how it was
    reached (relevance of the best passage, the fallback used, counts, timings in seconds)."""

    question: str
    status: str  # ANSWERED or NOT_IN_SOURCES
    sentences: tuple[Sentence, ...]
    citations: tuple[Citation, ...]
    closest: tuple[Hit, ...] = ()  # retrieved passages, shown when nothing could be answered
    timings: dict[str, float] = field(default_factory=dict)  # seconds (and decode tokens/s)
    id: str = ""
    standalone: str = ""  # the follow-up question as rewritten for retrieval, when different
    relevance: float = 0.0  # the best retrieved passage's relevance to the question, in [0, 1]
    fallback: str = ""  # "quote" when the answer is the answer-level quote fallback
    tokens: int = 0  # tokens the generator wrote
    dropped: int = 0  # generated sentences no passage supports (not shown)
    requoted: int = 0  # generated sentences shown in the source's own words instead
    off_topic: int = 0  # supported sentences not shown: they do not address the question
    repeated: int = 0  # supported sentences not shown: what they say is shown already
    decisions: tuple[Decision, ...] = ()  # every verdict of the check, in order

    @property
    def text(self) -> str:
        if self.status == NOT_IN_SOURCES:
            return NOT_IN_SOURCES_TEXT
        return " ".join(
            (f"“{s.text}”" if s.quoted else s.text) + "".join(f" [{n}]" for n in s.citations)
            for s in self.sentences
            if s.supported
        ).strip()


NOT_IN_SOURCES_TEXT = "The sources don't contain the answer to this question."
