"""Bytes -> Document: detect the encoding, extract an HTML page's main text with trafilatura."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.outline import clean_heading, html_sections, markdown_outline, outline, text_outline
from rag.errors import IngestError
from rag.types import Document, content_hash

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text", ".rst"}
BINARY_SUFFIXES = {".pdf", ".docx", ".pptx"}
SUPPORTED_SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES | BINARY_SUFFIXES
# what a server calls the binary documents Footnote reads
BINARY_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}


def decode(data: bytes, name: str) -> str:
    """UTF-8 if it is, else the detected encoding; binary data is refused."""
    if b"\0" in data[:8192]:
        raise IngestError(
            f"{name} looks binary (NUL bytes); Footnote ingests HTML, Markdown, text, PDF, "
            "Word (.docx) and PowerPoint (.pptx)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: detect instead
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise IngestError(
            f"{name} is not text in any encoding Footnote can detect; convert it to UTF-8"
        )
    # short texts are ambiguous; among equally plausible encodings prefer the Western ones
    for match in matches:
        if match.encoding in _PREFERRED and match.chaos <= best.chaos + 0.01:
            return str(match)
    return str(best)


def decode_or_empty(body: bytes, name: str) -> str:
    try:
        return decode(body, name)
    except IngestError:
        return ""


_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)
_PREFERRED = ("cp1252", "latin_1", "iso8859_15")
MIN_WORDS = 5  # an HTML page with less main text than this is treated as empty
# an anchor with nothing in it (DocBook's index targets, `<a id="idm1856"></a>`): trafilatura
# drops a paragraph that holds one, measured on the Debian FAQ ("The kbd package supports this",
# whole short sections, the steps of a procedure); it carries no text, so it goes first
_EMPTY_LINK = re.compile(r"<a\b[^>]*>\s*</a\s*>", re.I)


def extract_html(html: str, name: str, url: str = "") -> tuple[str, str, str, str]:
    """(text, title, date, url) of an HTML page's main content, via trafilatura (empty anchors
    taken out first: they cost trafilatura whole paragraphs)."""
    import trafilatura

    result = trafilatura.bare_extraction(
        _EMPTY_LINK.sub("", html),
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        deduplicate=False,
    )
    text = (result.text if result is not None else "") or ""
    text = _PERMALINK.sub("", text)
    if len(text.split()) < MIN_WORDS:
        raise IngestError(f"{name} has no extractable main text (empty page or only boilerplate)")
    return (
        text.strip(),
        (result.title or "").strip(),
        (result.date or "").strip(),
        (result.url or url or "").strip(),
    )


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_TITLE = re.compile(r"<title[^>]*>([^<]{1,300})</title>", re.I)
_FORMATTER_HYPHEN = re.compile(r"\u2010\n\s*")  # "exit sta\u2010\n       tus" -> "exit status"
_PERMALINK = re.compile(r"(?<=\S)¶(?=\s|$)")  # Sphinx's heading links, glued to the text


def text_document(text: str, source: str, name: str, collection: str) -> Document:
    """A Markdown or plain-text document; its title is its first heading or its file name. A
    plain text's headings are its underlined lines and, in a man page, its section names in
    capitals (`ingest.outline.text_outline`); a word that a formatter hyphenated at a line's
    end (U+2010, as `man` prints) is joined again."""
    text = _FORMATTER_HYPHEN.sub("", text.replace("\r\n", "\n")).strip()
    if not text:
        raise IngestError(f"{name} is empty")
    heading = _HEADING.search(text)
    first_line = text.split("\n", 1)[0].strip()
    title = (
        heading.group(1) if heading else first_line if len(first_line) <= 80 else Path(name).stem
    )
    markdown = name.lower().endswith((".md", ".markdown"))
    headings = markdown_outline(text) if markdown else text_outline(text)
    return Document(
        content_hash(source), source, text, title=title, collection=collection, headings=headings
    )


def html_document(html: str, source: str, url: str, collection: str) -> Document:
    """An HTML page's main text, with the page's headings placed in it (`ingest.outline`)."""
    text, title, date, page_url = extract_html(html, source, url)
    headings = outline(text, html_sections(html))
    named = _TITLE.search(html[:20_000])
    page = clean_heading(named.group(1)) if named else ""
    if page and headings and headings[0][2] == page:  # the page's own title heads it
        title, headings = page, titled(headings, page)
    return Document(
        content_hash(source),
        source,
        text,
        title=title or Path(source).stem,
        url=page_url,
        date=date,
        collection=collection,
        headings=headings,
    )


def titled(
    headings: tuple[tuple[int, int, str], ...], title: str
) -> tuple[tuple[int, int, str], ...]:
    """The page's headings with the first one above the others when it is the page's title but
    set at their level (a reference page: "CREATE INDEX", then "Description", "Parameters"),
    so every section's heading path names the page.

    >>> titled(((0, 2, "CREATE INDEX"), (9, 2, "Parameters"), (20, 3, "Notes")), "CREATE INDEX")
    ((0, 1, 'CREATE INDEX'), (9, 2, 'Parameters'), (20, 3, 'Notes'))
    """
    if not headings or headings[0][2] != title:
        return headings
    offset, level, name = headings[0]
    if not any(lv <= level for _, lv, _ in headings[1:]):
        return headings
    return ((offset, max(0, min(lv for _, lv, _ in headings[1:]) - 1), name), *headings[1:])


def binary_document(
    data: bytes, suffix: str, source: str, name: str, collection: str, max_pages: int | None
) -> Document:
    """A PDF, Word or PowerPoint file (by `suffix`) as a Document."""
    from ingest.office import docx_document, pptx_document
    from ingest.pdf import pdf_document

    if suffix == ".pdf":
        return pdf_document(data, source, name, collection, max_pages or 10**9)
    if suffix == ".docx":
        return docx_document(data, source, name, collection)
    return pptx_document(data, source, name, collection)


def read_file(
    path: Path, max_bytes: int, collection: str = "default", max_pages: int | None = None
) -> Document:
    """Load one local file as a Document, or raise IngestError naming the problem.
    `max_pages`: the most pages a PDF may have (None: any)."""
    if not path.exists():
        raise IngestError(f"{path} does not exist; check the path")
    if not path.is_file():
        raise IngestError(f"{path} is not a regular file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            f"{path} has unsupported type {suffix or '(none)'}; "
            f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(
            f"{path} is {size:,} bytes, over the limit of {max_bytes:,}; "
            "raise max_file_bytes or split the file"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path} cannot be read: {exc.strerror}") from None
    source = str(path.resolve())
    if suffix in BINARY_SUFFIXES:
        return binary_document(data, suffix, source, path.name, collection, max_pages)
    text = decode(data, str(path))
    if suffix in HTML_SUFFIXES:
        return html_document(text, source, "", collection)
    return text_document(text, source, path.name, collection)
