"""Word (.docx) and PowerPoint (.pptx) files -> Documents: paragraphs in order with the document's
headings (Word heading styles, slide titles), tables as rows of cells, and each slide's offset
(citations name the slide). Files that are not the zip they claim to be, or that would unpack
to far more than they weigh (zip bombs), are refused."""

from __future__ import annotations

import io
import zipfile

from rag.errors import IngestError
from rag.types import Document, content_hash

MAX_UNPACKED_RATIO = 100  # an Office file unpacking to more than this many times its size...
MAX_UNPACKED_BYTES = 500_000_000  # ...or to more than this is refused


def check_zip(data: bytes, name: str) -> None:
    """IngestError for data that is not a zip archive or unpacks suspiciously large."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise IngestError(f"{name} is not a valid Office file (corrupt or truncated)") from None
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_UNPACKED_RATIO * max(len(data), 1):
        raise IngestError(
            f"{name} would unpack to {unpacked:,} bytes from {len(data):,} (a zip bomb?); refused"
        )


class _Builder:
    """Text with headings and page (slide) offsets, built paragraph by paragraph."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.headings: list[tuple[int, int, str]] = []
        self.pages: list[int] = []

    def heading(self, level: int, title: str) -> None:
        self.headings.append((self.length, level, title))
        self.add(title)

    def page(self) -> None:
        self.pages.append(self.length)

    def add(self, text: str) -> None:
        text = text.strip()
        if text:
            self.parts.append(text)
            self.length += len(text) + 2  # the blank line that joins paragraphs

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)


def _document(build: _Builder, source: str, name: str, title: str, collection: str) -> Document:
    if len(build.text.split()) < 3:
        raise IngestError(f"{name} has no text")
    return Document(
        content_hash(source),
        source,
        build.text,
        title=title or name.rsplit(".", 1)[0],
        collection=collection,
        headings=tuple(build.headings),
        pages=tuple(build.pages),
    )


def docx_document(data: bytes, source: str, name: str, collection: str) -> Document:
    """A Word document: body paragraphs and tables in order; "Heading N" styles and "Title"
    become headings."""
    check_zip(data, name)
    from docx import Document as open_docx

    try:
        doc = open_docx(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds; we name the file
        raise IngestError(f"{name} is not a readable Word document ({exc})") from None
    build = _Builder()
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            _docx_paragraph(build, block)
        elif tag == "tbl":
            _table(
                build,
                [
                    [_cell_text(c) for c in row.iterchildren(_W + "tc")]
                    for row in block.iterchildren(_W + "tr")
                ],
            )
    return _document(build, source, name, doc.core_properties.title or "", collection)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_paragraph(build: _Builder, element) -> None:
    text = "".join(t.text or "" for t in element.iter(_W + "t"))
    style = element.find(f"{_W}pPr/{_W}pStyle")
    name = (style.get(_W + "val") if style is not None else "") or ""
    level = _heading_level(name)
    if level and text.strip():
        build.heading(level, " ".join(text.split()))
    else:
        build.add(text)


def _heading_level(style: str) -> int:
    """1-6 for "Heading1".."Heading6" (and "Title" as 1), else 0."""
    style = style.replace(" ", "").lower()
    if style == "title":
        return 1
    if style.startswith("heading") and style[7:].isdigit():
        return min(6, max(1, int(style[7:])))
    return 0


def _cell_text(cell) -> str:
    return " ".join("".join(t.text or "" for t in cell.iter(_W + "t")).split())


def _table(build: _Builder, rows: list[list[str]]) -> None:
    """A table as rows of cells, one line per row: "cell | cell | cell"."""
    lines = [" | ".join(cells) for cells in rows if any(cells)]
    build.add("\n".join(lines))


def pptx_document(data: bytes, source: str, name: str, collection: str) -> Document:
    """A slide deck: per slide, its title as a heading, then its text frames and tables; each
    slide is a page."""
    check_zip(data, name)
    from pptx import Presentation

    try:
        deck = Presentation(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-pptx raises many kinds; we name the file
        raise IngestError(f"{name} is not a readable PowerPoint file ({exc})") from None
    build = _Builder()
    for number, slide in enumerate(deck.slides, 1):
        build.page()
        title = slide.shapes.title
        heading = " ".join((title.text_frame.text if title is not None else "").split())
        build.heading(1, heading or f"Slide {number}")
        for shape in slide.shapes:
            if shape is title:
                continue
            if shape.has_text_frame:
                build.add("\n".join(p.text for p in shape.text_frame.paragraphs))
            elif getattr(shape, "has_table", False) and shape.has_table:
                rows = [[" ".join(c.text.split()) for c in row.cells] for row in shape.table.rows]
                _table(build, rows)
    return _document(build, source, name, deck.core_properties.title or "", collection)
