"""Answer -> the text the command line shows (JSON is `rag.serialise`)."""

from __future__ import annotations

import textwrap

from rag.types import NOT_IN_SOURCES, Answer, Citation, Sentence


def sentence_line(sentence: Sentence) -> str:
    if not sentence.supported:
        return f"(not supported by the sources) {sentence.text}"
    marks = "".join(f"[{n}]" for n in sentence.citations)
    text = f"“{sentence.text}”" if sentence.quoted else sentence.text
    if sentence.quoted and not sentence.replaces:  # the answer-level fallback: a quote alone
        text = f"The sources say: {text}"
    return f"{text} {marks}".strip()


def source_line(citation: Citation) -> str:
    """Where a citation's quote is: its path or URL, and for a PDF or slide deck the page
    ("manual.pdf, p. 12 (/docs/manual.pdf)")."""
    where = citation.url or citation.source
    if not citation.page:
        return where
    return f"{where.rstrip('/').rsplit('/', 1)[-1]}, p. {citation.page} ({where})"


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
        lines.append(f"    {source_line(c)}")
        quote = " ".join(c.quote.split())
        lines.extend(
            textwrap.wrap(f'"{quote}"', width, initial_indent="    ", subsequent_indent="     ")
        )
    return "\n".join(lines)
