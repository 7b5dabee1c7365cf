"""Document -> chunks with character offsets into the document text, never across a heading:
each section is chunked on its own and every chunk carries its heading path."""

from __future__ import annotations

import re
from collections import Counter

from ingest.outline import heading_path
from rag.types import Chunk, Document, content_hash


def sections(doc: Document) -> list[tuple[int, int]]:
    """(start, end) offsets of the document's sections: the text between consecutive headings
    (one span for a document without headings). A section that holds nothing but its heading
    line ("# Chapter 8" right before "## 8.1 ...") is left out: a title alone answers nothing,
    and it stays in the heading path of the sections under it.

    >>> from rag.types import Document
    >>> sections(Document("d", "s", "Intro. Reset: hold it.", headings=((7, 1, "Reset"),)))
    [(0, 7), (7, 22)]
    >>> marked = ((0, 1, "Tools"), (8, 2, "Apt"))
    >>> sections(Document("d", "s", "# Tools\\n## Apt\\nUse it.", headings=marked))
    [(8, 22)]
    """
    cuts = sorted({0, *(o for o, _, _ in doc.headings if 0 < o < len(doc.text)), len(doc.text)})
    spans = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if doc.text[a:b].strip()]
    titles = title_lines(doc)
    return [(a, b) for a, b in spans if not _only_titles(doc.text, a, b, titles)] or spans


def _only_titles(text: str, start: int, end: int, titles: list[tuple[int, int]]) -> bool:
    """Is every line of text[start:end] with words in it one of the title lines?"""
    lines, at = [], start
    for line in text[start:end].split("\n"):
        if line.strip():
            lines.append((at, at + len(line)))
        at += len(line) + 1
    return all(any(a <= s and e <= b for a, b in titles) for s, e in lines)


def page_breaks(doc: Document, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """(offset in the chunk, page number) of the page the chunk starts on and of every page
    that begins inside it; () for a document without pages.

    >>> from rag.types import Document
    >>> doc = Document("d", "s", "one. two. three", pages=(0, 5, 10))
    >>> page_breaks(doc, 2, 12)
    ((0, 1), (3, 2), (8, 3))
    """
    if not doc.pages:
        return ()
    first = max(i for i, p in enumerate(doc.pages) if p <= start) if doc.pages[0] <= start else 0
    inside = [(p - start, i + 1) for i, p in enumerate(doc.pages) if start < p < end]
    return ((0, first + 1), *inside)


def title_lines(doc: Document) -> list[tuple[int, int]]:
    r"""(start, end) in the document's text of the lines that are its headings: the line at a
    heading's offset that ends with the heading's words after at most its numbering ("## 1.6.
    What is it?", "Chapter 4. Tools"). HTML pages mostly drop their headings from the extracted
    text; then the line there is the section's first line of text, not a title.

    >>> doc = Document("d", "s", "## 2. Reset\nHold it.\n# run me", headings=((0, 2, "Reset"),))
    >>> [doc.text[a:b] for a, b in title_lines(doc)]
    ['## 2. Reset']
    """
    spans = []
    for offset, _, title in doc.headings:
        end = doc.text.find("\n", offset)
        end = len(doc.text) if end < 0 else end
        line, words = _words(doc.text[offset:end]), _words(title)
        extra = len(line) - len(words)
        if words and line[extra:] == words and 0 <= extra <= _NUMBERING_WORDS:
            spans.append((offset, end))
    return spans


_NUMBERING_WORDS = 3  # a title line may open with its numbering ("Chapter 4.", "12.1.2.")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def chunk_document(doc: Document, size: int, overlap: int) -> list[Chunk]:
    """Split each section on paragraphs, then lines, sentences and words, keeping chunks <=
    `size` chars.

    Each chunk's id hashes the document id, its heading, its text and its occurrence number, so
    unchanged passages keep their ids (and embeddings) when the document around them changes.
    """
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=overlap,
        # paragraphs, then sentence ends (before a space or a line break), then lines: prose
        # wrapped by hand or by a PDF's lines is cut where a sentence ends, not in the middle
        # of one ("... use the" | "lsb_release -a command.")
        separators=["\n\n", r"[.?!][ \n]", "\n", "; ", ", ", " ", ""],
        is_separator_regex=True,
        keep_separator="end",
    )
    chunks: list[Chunk] = []
    seen: Counter[tuple[str, str]] = Counter()
    titles = title_lines(doc)
    for begin, end in sections(doc):
        heading = heading_path(doc.headings, begin)
        section = doc.text[begin:end]
        cursor = 0
        for piece in splitter.split_text(section):
            start = section.find(piece, cursor)
            if start < 0:  # the splitter strips whitespace; pieces always occur in order
                start = section.find(piece)
            seen[heading, piece] += 1
            parts = (heading, piece) if heading else (piece,)
            chunk_id = content_hash(doc.id, *parts, str(seen[heading, piece]))
            a, b = begin + start, begin + start + len(piece)
            inside = tuple((t - a, u - a) for t, u in titles if a <= t and u <= b)
            pages = page_breaks(doc, a, b)
            chunks.append(Chunk(chunk_id, doc.id, piece, a, b, heading, pages, inside))
            cursor = start + 1
    return chunks
