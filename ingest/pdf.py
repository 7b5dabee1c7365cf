"""PDF -> Document with pypdfium2 (chosen by measurement: docs/benchmarks.md): the text of each
page, running headers and footers and page numbers removed, words hyphenated at line ends joined,
headings from the PDF's bookmarks, and the offset where each page begins (citations name the
page). Encrypted, corrupt, empty, oversized and scanned (text-less) files are refused with the
reason."""

from __future__ import annotations

import re
from collections import Counter

from rag.errors import IngestError
from rag.types import Document, content_hash

_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^(page\s+)?(\d{1,4}|[ivxlcdm]{1,6})(\s*(/|of)\s*\d{1,4})?$", re.I)
_NUMBERING = re.compile(r"\d+(\.\d+)*\.?|[•·‣◦∙–-]")
_LEADERS = re.compile(r"(\.\s*(\|\s*)?){4,}\d+$")  # "Title . . . . 12" in a table of contents
CONTENTS_SHARE = 0.4
_HYPHENATED = re.compile(r"(\w+)-\n(\w+)")
_TEX_QUOTE = re.compile(r"(^|\s)\s?\u0300", re.M)  # TeX's ` extracted as a combining accent
_PUNCT = r"[^\w\s]*"  # quotes and dashes a title may print otherwise than its bookmark
MIN_WORDS = 5  # a PDF with less text than this has no text layer worth indexing


def pdf_document(data: bytes, source: str, name: str, collection: str, max_pages: int) -> Document:
    """The PDF's text as a Document with headings and page offsets, or IngestError."""
    pdf = _open(data, name)
    try:
        if len(pdf) == 0:
            raise IngestError(f"{name} has no pages")
        if len(pdf) > max_pages:
            raise IngestError(
                f"{name} has {len(pdf):,} pages, over the limit of {max_pages:,}; "
                "raise max_pdf_pages or split the file"
            )
        bookmarks = _bookmarks(pdf)
        pages = mark_headings(clean_pages([_page_text(pdf[i]) for i in range(len(pdf))]), bookmarks)
        title = (pdf.get_metadata_dict().get("Title") or "").strip()
    finally:
        pdf.close()
    text, starts = join_pages(pages)
    if len(text.split()) < MIN_WORDS:
        raise IngestError(f"{name} has no text layer: scanned pages need OCR (skipped)")
    return Document(
        content_hash(source),
        source,
        text,
        title=title or name.rsplit(".", 1)[0],
        collection=collection,
        headings=place_bookmarks(text, starts, bookmarks),
        pages=starts,
    )


def _open(data: bytes, name: str):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise IngestError(
                f"{name} is encrypted (password-protected); save an unprotected copy to ingest it"
            ) from None
        raise IngestError(f"{name} is not a readable PDF (corrupt or truncated: {exc})") from None


_DASHES = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-"})


def _page_text(page) -> str:
    textpage = page.get_textpage()
    try:
        text = _cells_apart(textpage, textpage.get_text_range())
    finally:
        textpage.close()
        page.close()
    # pdfium marks a hyphen a line break made with U+FFFE: the word goes on on the next line
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufffe\n", "").replace("\ufffe", "")
    # TeX sets a minus and a hyphen as their own characters: users type "-" ("${name:-word}")
    text = text.translate(_DASHES)
    # TeX's opening quote (`like this') comes out as a combining grave accent after a space
    return _TEX_QUOTE.sub(r"\1‘", text)


def _cells_apart(textpage, text: str) -> str:
    """The page text with " | " for a space that spans a wide gap on its line (more than 1.5
    line heights): table cells and columns laid out side by side stay apart."""
    if len(text) != textpage.count_chars():
        return text
    out = list(text)
    for i, ch in enumerate(text):
        if ch != " " or i == 0 or i + 1 >= len(text) or text[i + 1].isspace():
            continue
        if _NUMBERING.fullmatch(text[text.rfind("\n", 0, i) + 1 : i].strip()):
            continue  # "3.1.10   Title", "•   item": a numbered heading or a bullet, not cells
        left, right = textpage.get_charbox(i - 1), textpage.get_charbox(i + 1)
        height = max(left[3] - left[1], right[3] - right[1], 1.0)
        same_line = abs(left[1] - right[1]) < height / 2
        if same_line and right[0] - left[2] > 1.5 * height:
            out[i] = " | "
    return "".join(out)


def _bookmarks(pdf) -> list[tuple[int, str, int]]:
    """(level 1-6, title, page index) of the PDF's outline, in order."""
    out = []
    for bookmark in pdf.get_toc(max_depth=6):
        dest = bookmark.get_dest()
        index = dest.get_index() if dest is not None else None
        title = " ".join((bookmark.get_title() or "").split())
        if title and index is not None:
            out.append((bookmark.level + 1, title, index))
    return out


def clean_pages(pages: list[str]) -> list[str]:
    """Each page without the lines that repeat at the top or bottom of other pages (running
    headers and footers, digits aside), without running heads in capitals that change with the
    section ("CHAPTER 3. CHOOSING | 3.1. WHICH DISTRIBUTION…"), without lone page numbers, and
    without tables of contents.

    >>> pages = [f"Manual v2\\nText of page {i}.\\nPage {i} of 3" for i in (1, 2, 3)]
    >>> clean_pages(pages)
    ['Text of page 1.', 'Text of page 2.', 'Text of page 3.']
    >>> clean_pages([f"PART {t} | {t}…\\nText {t}." for t in ("ONE A", "TWO B", "SIX C")])
    ['Text ONE A.', 'Text TWO B.', 'Text SIX C.']
    """
    lines = [[line.strip() for line in page.split("\n")] for page in pages]
    lines = [[line for line in page if line] for page in lines]
    lines = [[] if _contents(page) else page for page in lines]
    edges = Counter(key for page in lines for key in {_key(page, i) for i in _edge(page)})
    enough = max(2, min(3, len(pages) // 3))
    repeated = {k for k, n in edges.items() if n >= enough}
    capitals = sum(any(_capitals(page[i]) for i in _edge(page)) for page in lines) >= enough
    cleaned = []
    for page in lines:
        edge = _edge(page)
        kept = [
            line
            for i, line in enumerate(page)
            if not (
                i in edge
                and (
                    _key(page, i) in repeated
                    or _PAGE_NUMBER.match(line)
                    or (capitals and _capitals(line))
                )
            )
        ]
        cleaned.append("\n".join(kept))
    return [_join_hyphenated(page, "\n".join(cleaned)) for page in cleaned]


def _contents(page: list[str]) -> bool:
    """A table of contents: lines ending in dot leaders and a page number make CONTENTS_SHARE
    of the page. It answers nothing and holds every heading's words, so retrieval would rank it
    first; its page is kept, empty."""
    leaders = sum(bool(_LEADERS.search(line)) for line in page)
    return bool(page) and leaders >= CONTENTS_SHARE * len(page)


def _capitals(line: str) -> bool:
    """A running head in capitals: at least two words, no lower-case letter."""
    return len(re.findall(r"[^\W\d_]{2,}", line)) >= 2 and not any(c.islower() for c in line)


def _edge(page: list[str]) -> set[int]:
    """Where running headers and footers sit: the first and last two lines (one each on a
    page of four lines or fewer)."""
    n = 2 if len(page) > 4 else 1
    return set(range(min(n, len(page)))) | set(range(max(0, len(page) - n), len(page)))


def _key(page: list[str], i: int) -> str:
    """The line at the top or bottom of its page, digits aside ("top:page # of #")."""
    where = "top" if i < len(page) / 2 else "bottom"
    return f"{where}:" + _DIGITS.sub("#", " ".join(page[i].lower().split()))


def _join_hyphenated(page: str, whole: str) -> str:
    """ "im-\\nproving" becomes "improving" when the document writes "improving" elsewhere;
    a real hyphen ("well-\\nknown") stays, without the line break."""

    def join(match: re.Match[str]) -> str:
        word = match.group(1) + match.group(2)
        if re.search(rf"\b{re.escape(word)}\b", whole, re.I):
            return word
        return f"{match.group(1)}-{match.group(2)}"

    return _HYPHENATED.sub(join, page)


def join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    """The pages as one text (a blank line between pages) and the offset where each begins.

    >>> join_pages(["One.", "Two."])
    ('One.\\n\\nTwo.', (0, 6))
    """
    starts, parts, offset = [], [], 0
    for page in pages:
        starts.append(offset)
        parts.append(page)
        offset += len(page) + 2
    return "\n\n".join(parts), tuple(starts)


def _title_line(title: str) -> re.Pattern[str]:
    """The line that holds a bookmark's title: numbering such as "1.6." (and a "#" mark) may
    come before it, a long title may wrap onto the next line, and its quotes and dashes may be
    printed otherwise than the outline spells them ("testing" as ”testing”)."""
    words = [_loose(w) for w in title.split()]
    # words may be set apart by a wide gap (" | ", as table cells are) as well as by spaces
    return re.compile(r"^(#{1,6} )?[^\n#]{0,12}?" + r"\s+(?:\|\s+)?".join(words), re.I | re.M)


def title_match(title: str, text: str, begin: int, end: int) -> re.Match[str] | None:
    r"""The line of text[begin:end] that holds a bookmark's title: the first one that spells it
    as the outline does, else the first in any case. A page may name the topic before its
    heading does ("• brace expansion" in a list of expansions, above "3.5.1 Brace Expansion").

    >>> page = "The expansions:\n• brace expansion\n3.5.1 Brace Expansion\nText."
    >>> title_match("Brace Expansion", page, 0, len(page)).group(0)
    '3.5.1 Brace Expansion'
    >>> title_match("Brace expansion", "• brace expansion", 0, 17).group(0)
    '• brace expansion'
    """
    found = list(_title_line(title).finditer(text, begin, end))
    words = title.split()
    spelled = (m for m in found if all(w in m.group(0) for w in words))
    return next(spelled, found[0] if found else None)


def _loose(word: str) -> str:
    """A title word's letters and digits, with any punctuation around and between them.

    >>> bool(re.fullmatch(_loose("`frozen'?"), "\u0300frozen’?"))
    True
    """
    runs = [re.escape(run) for run in re.findall(r"\w+", word)]
    return _PUNCT + _PUNCT.join(runs) + _PUNCT if runs else r"\S+"


def mark_headings(pages: list[str], bookmarks: list[tuple[int, str, int]]) -> list[str]:
    """The pages with each bookmark's title line marked as a heading ("## 1.6. Title") and
    joined into one line when it wraps, as Markdown and HTML headings are: a title is never
    quoted as if it were a sentence, nor its last words taken for the section's first.

    >>> mark_headings(["Intro\\n1.2 Why? | Because.", "x"], [(2, "Why?", 0)])
    ['Intro\\n## 1.2 Why? | Because.', 'x']
    >>> mark_headings(["8 Package | tools\\ntoday\\nText."], [(1, "Package tools today", 0)])
    ['# 8 Package tools today\\nText.']
    """
    pages = list(pages)
    for level, title, index in bookmarks:
        if 0 <= index < len(pages):
            page = pages[index]
            found = title_match(title, page, 0, len(page))
            if found and not found.group(1):
                line = " ".join(w for w in found.group(0).split() if w != "|")
                pages[index] = f"{page[: found.start()]}{'#' * level} {line}{page[found.end() :]}"
    return pages


def place_bookmarks(
    text: str, starts: tuple[int, ...], bookmarks: list[tuple[int, str, int]]
) -> tuple[tuple[int, int, str], ...]:
    """(offset, level, title) of each bookmark: the line of its page that holds its title,
    else the start of its page."""
    out = []
    for level, title, index in bookmarks:
        if not 0 <= index < len(starts):
            continue
        begin = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        found = title_match(title, text, begin, end)
        out.append((found.start() if found else begin, level, title))
    return tuple(sorted(out, key=lambda h: h[0]))
