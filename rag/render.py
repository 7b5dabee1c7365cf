"""Answer -> the stable JSON object and terminal text that every surface renders from."""

from __future__ import annotations

import textwrap

from rag.types import NOT_IN_SOURCES, Answer, Sentence


def answer_dict(answer: Answer) -> dict:
    """The `footnote ask --json` object. Later versions only add keys."""
    return {
        "id": answer.id,
        "question": answer.question,
        "standalone_question": answer.standalone or answer.question,
        "status": answer.status,
        "answer": answer.text,
        "sentences": [sentence_dict(s, answer) for s in answer.sentences],
        "sources": [
            {
                "number": c.number,
                "document_id": c.document_id,
                "chunk_id": c.chunk_id,
                "title": c.title,
                "source": c.source,
                "url": c.url,
                "date": c.date,
                "quote": c.quote,
                "quote_start": c.quote_start,
                "quote_end": c.quote_end,
                "passage": c.passage,
            }
            for c in answer.citations
        ],
        "closest": [
            {
                "document_id": h.chunk.document_id,
                "chunk_id": h.chunk.id,
                "title": h.title,
                "source": h.source,
                "score": round(h.score, 4),
            }
            for h in (answer.closest if answer.status == NOT_IN_SOURCES else ())
        ],
        "timings": {  # numbers rounded; markers such as fallback = "quote" kept as they are
            k: round(v, 4) if isinstance(v, int | float) else v for k, v in answer.timings.items()
        },
    }


def sentence_dict(sentence: Sentence, answer: Answer | None = None) -> dict:
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


def sentence_line(sentence: Sentence) -> str:
    if not sentence.supported:
        return f"(not supported by the sources) {sentence.text}"
    marks = "".join(f"[{n}]" for n in sentence.citations)
    text = f"“{sentence.text}”" if sentence.quoted else sentence.text
    if sentence.quoted and not sentence.replaces:  # the answer-level fallback: a quote alone
        text = f"The sources say: {text}"
    return f"{text} {marks}".strip()


def sources_text(answer: Answer, width: int = 100) -> str:
    """The numbered sources with their quotes, or the closest passages for a declined answer."""
    if answer.status == NOT_IN_SOURCES:
        if not answer.closest:
            return "Nothing relevant is ingested yet."
        lines = ["Closest sources (not enough to answer):"]
        lines += [
            f"  - {h.title or h.source} ({h.source}, score {h.score:.2f})" for h in answer.closest
        ]
        return "\n".join(lines)
    lines = ["Sources:"]
    for c in answer.citations:
        lines.append(f"[{c.number}] {c.title or c.source}")
        lines.append(f"    {c.url or c.source}")
        quote = " ".join(c.quote.split())
        lines.extend(
            textwrap.wrap(f'"{quote}"', width, initial_indent="    ", subsequent_indent="     ")
        )
    return "\n".join(lines)
