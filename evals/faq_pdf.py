"""The same FAQ over its PDF edition: each covered question's gold source becomes the PDF, and
its gold pages the pages where its section begins (the heading followed by the opening words of
the section's text), so an evaluation can tell whether an answer cites the right page."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from pathlib import Path

from evals.dataset import DatasetError, Example
from rag.errors import IngestError

_WORD = re.compile(r"\w+")
OPENING_WORDS = 6  # words of the section's text that must follow the heading
SPAN_WORDS = 60  # the answer's opening: the pages of this many words after the heading


def _words(text: str) -> tuple[list[str], list[int]]:
    matches = list(_WORD.finditer(text.lower()))
    return [m.group() for m in matches], [m.start() for m in matches]


def _find(words: list[str], heading: list[str], opening: list[str]) -> int:
    """Index of the heading's first word where the opening words follow it; -1 if none."""
    n = len(heading)
    for i in range(len(words) - n + 1):
        if words[i : i + n] == heading and words[i + n : i + n + len(opening)] == opening:
            return i
    return -1


def gold_pages(text: str, starts: tuple[int, ...], example: Example) -> tuple[int, ...]:
    """The pages (1-based) from the example's section heading to its opening words in `text`
    (a PDF's pages joined, page i beginning at starts[i - 1]); () when the heading is not found.

    >>> e = Example("Why?", reference="Because it is so, and not otherwise at all.")
    >>> text = "1 Why? See 2.  2 Why? Because it is so, and not otherwise at all."
    >>> gold_pages(text, (0, 15), e)
    (2,)
    """
    words, offsets = _words(text)
    heading = _words(example.question)[0]
    at = _find(words, heading, _words(example.reference)[0][:OPENING_WORDS])
    if at < 0 or not heading:
        return ()
    first = bisect.bisect_right(starts, offsets[at])
    last = bisect.bisect_right(starts, offsets[min(at + SPAN_WORDS, len(words) - 1)])
    return tuple(range(first, last + 1))


def on_pdf(examples: list[Example], pdf: Path) -> tuple[list[Example], int]:
    """The examples with the PDF as their gold source and their gold pages; the number of
    covered questions whose section could not be found in the PDF (left without pages)."""
    from ingest.pdf import pdf_document

    try:
        doc = pdf_document(pdf.read_bytes(), str(pdf.resolve()), pdf.name, "", 100_000)
    except (OSError, IngestError) as exc:
        raise DatasetError(f"{pdf} cannot be read as a PDF ({exc})") from None
    out, missing = [], 0
    for example in examples:
        if not example.answerable:
            out.append(example)
            continue
        pages = gold_pages(doc.text, doc.pages, example)
        missing += not pages
        out.append(replace(example, gold_sources=(doc.source,), gold_pages=pages))
    return out, missing
