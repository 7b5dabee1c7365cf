"""The one JSON shape of an answer: what `footnote ask --json`, the HTTP API, the web app, the
store and the evaluation runs all write and read. `schema_version` names the shape: 2 made a
missing url, date or page null (it was "" or 0) and added the generator's model name; later
versions only add keys.

The shapes are TypedDicts, so the API derives its response schema from them.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from rag.types import Answer, Chunk, Citation, Decision, Hit, Quote, Sentence


class QuoteJSON(TypedDict):
    number: int  # the citation number
    chunk_id: str
    start: int  # character offsets into the cited passage
    end: int
    text: str  # the quoted words ("" while an answer streams: its passages are not known yet)


class SentenceJSON(TypedDict):
    text: str
    citations: list[int]
    support: float
    supported: bool
    quoted: bool
    replaces: str
    quotes: list[QuoteJSON]
    rule: str  # the answering rule that decided to show it (docs/architecture.md)


class SourceJSON(TypedDict):
    number: int
    document_id: str
    chunk_id: str
    title: str
    source: str
    url: str | None  # None: a file
    date: str | None  # ISO date the document states; None when it states none
    quote: str
    quote_start: int
    quote_end: int
    passage: str
    page: int | None  # of the quote, in a PDF or slide deck; None otherwise


class ClosestJSON(TypedDict):
    document_id: str
    chunk_id: str
    title: str
    source: str
    score: float


class CountsJSON(TypedDict):
    tokens: int
    dropped_sentences: int
    requoted_sentences: int
    off_topic_sentences: int
    repeated_sentences: int


class DecisionJSON(TypedDict):
    action: str  # show | stand_in | flag | drop | off_topic | repeat | abstain | unused
    rule: str
    text: str


SCHEMA_VERSION = 2


class AnswerJSON(TypedDict):
    schema_version: int
    model: str | None  # the generator that wrote it, when known
    id: str
    question: str
    standalone_question: str
    status: str  # answered | not_in_sources
    answer: str
    sentences: list[SentenceJSON]
    sources: list[SourceJSON]
    closest: list[ClosestJSON]  # only for not_in_sources: the passages that were not enough
    relevance: float
    fallback: str  # "" | quote
    counts: CountsJSON
    decisions: list[DecisionJSON]  # every decision of the check, shown or not, with its rule
    timings: dict[str, float]


def answer_dict(answer: Answer, model: str | None = None) -> AnswerJSON:
    """The answer as JSON-ready data; `model`: the generator's name, when known."""
    declined = answer.status != "answered"
    return {
        "schema_version": SCHEMA_VERSION,
        "model": model or None,
        "id": answer.id,
        "question": answer.question,
        "standalone_question": answer.standalone or answer.question,
        "status": answer.status,
        "answer": answer.text,
        "sentences": [sentence_dict(s, answer) for s in answer.sentences],
        "sources": [_source(c) for c in answer.citations],
        "closest": [_closest(h) for h in (answer.closest if declined else ())],
        "relevance": round(answer.relevance, 4),
        "fallback": answer.fallback,
        "counts": {
            "tokens": answer.tokens,
            "dropped_sentences": answer.dropped,
            "requoted_sentences": answer.requoted,
            "off_topic_sentences": answer.off_topic,
            "repeated_sentences": answer.repeated,
        },
        "decisions": [
            {"action": d.action, "rule": d.rule, "text": d.text} for d in answer.decisions
        ],
        "timings": {k: round(v, 4) for k, v in answer.timings.items()},
    }


def sentence_dict(sentence: Sentence, answer: Answer | None = None) -> SentenceJSON:
    """A sentence with its citations, support and quote spans (offsets into the passages).
    While an answer streams its passages are not known yet: quote texts are then empty."""
    passages = {c.number: c.passage for c in answer.citations} if answer else {}
    return {
        "text": sentence.text,
        "citations": list(sentence.citations),
        "support": sentence.support,
        "supported": sentence.supported,
        "quoted": sentence.quoted,
        "replaces": sentence.replaces,
        "rule": sentence.rule,
        "quotes": [
            {
                "number": q.number,
                "chunk_id": q.chunk_id,
                "start": q.start,
                "end": q.end,
                "text": passages.get(q.number, "")[q.start : q.end],
            }
            for q in sentence.quotes
        ],
    }


def _source(c: Citation) -> SourceJSON:
    return {
        "number": c.number,
        "document_id": c.document_id,
        "chunk_id": c.chunk_id,
        "title": c.title,
        "source": c.source,
        "url": c.url or None,
        "date": c.date or None,
        "quote": c.quote,
        "quote_start": c.quote_start,
        "quote_end": c.quote_end,
        "passage": c.passage,
        "page": c.page or None,
    }


def _closest(h: Hit) -> ClosestJSON:
    return {
        "document_id": h.chunk.document_id,
        "chunk_id": h.chunk.id,
        "title": h.title,
        "source": h.source,
        "score": round(h.score, 4),
    }


def answer_from_dict(data: AnswerJSON) -> Answer:
    """The Answer that `answer_dict` wrote (closest passages come back without their text)."""
    counts = data.get("counts") or {}
    return Answer(
        question=data["question"],
        status=data["status"],
        sentences=tuple(sentence_from_dict(s) for s in data["sentences"]),
        citations=tuple(_citation(c) for c in data["sources"]),
        closest=tuple(_hit(h) for h in data.get("closest", [])),
        timings=dict(data.get("timings", {})),
        id=data.get("id", ""),
        standalone=_standalone(data),
        relevance=data.get("relevance", 0.0),
        fallback=data.get("fallback", ""),
        tokens=counts.get("tokens", 0),
        dropped=counts.get("dropped_sentences", 0),
        requoted=counts.get("requoted_sentences", 0),
        off_topic=counts.get("off_topic_sentences", 0),
        repeated=counts.get("repeated_sentences", 0),
        decisions=tuple(
            Decision(d["action"], d["rule"], d["text"]) for d in data.get("decisions", [])
        ),
    )


def _standalone(data: AnswerJSON) -> str:
    standalone = data.get("standalone_question", "")
    return "" if standalone == data["question"] else standalone


def _hit(h: ClosestJSON) -> Hit:
    chunk = Chunk(h["chunk_id"], h["document_id"], "", 0, 0)
    return Hit(chunk, h["score"], h["title"], h["source"])


def sentence_from_dict(s: SentenceJSON) -> Sentence:
    """The Sentence that `sentence_dict` wrote."""
    quotes = tuple(Quote(q["number"], q["chunk_id"], q["start"], q["end"]) for q in s["quotes"])
    return Sentence(
        s["text"],
        tuple(s["citations"]),
        s["support"],
        s["supported"],
        quotes,
        s["quoted"],
        s["replaces"],
        s.get("rule", ""),
    )


def _citation(c: SourceJSON) -> Citation:
    return Citation(
        c["number"],
        c["chunk_id"],
        c["document_id"],
        c["title"],
        c["source"],
        c["passage"],
        c["quote_start"],
        c["quote_end"],
        c["url"] or "",
        c["date"] or "",
        c.get("page") or 0,
    )
