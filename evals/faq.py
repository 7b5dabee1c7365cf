"""Support-style datasets from a documentation site: its FAQ questions with a reference answer
(the text of the section that answers each), plus questions the site does not cover.

`import_faq` reads a folder of HTML pages and either a question list (JSONL lines with
`question`, `gold_page` relative to the list's folder, `gold_anchor`) or, without one, every
heading of the pages that ends in "?". The corpus is the folder itself: ingest it (or crawl it)
before running the dataset. A question list may also carry `answer_point` (what a correct answer
must say) and `style` (how it is asked), as the development panel's sets do; over one PDF
manual, its rows give `gold_pages` instead of a page and an anchor.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from evals.dataset import DatasetError, Example, write_dataset
from ingest.outline import Section, html_sections
from rag.types import content_hash

MAX_REFERENCE_CHARS = 4000


def section_texts(sections: list[Section]) -> dict[str, tuple[str, str]]:
    """anchor -> (heading, text of the section including its subsections)."""
    out: dict[str, tuple[str, str]] = {}
    for i, section in enumerate(sections):
        parts = [section.text]
        for later in sections[i + 1 :]:
            if later.level <= section.level:
                break
            parts += [later.title, later.text]
        text = " ".join(p for p in parts if p)[:MAX_REFERENCE_CHARS]
        for anchor in section.anchors:
            out.setdefault(anchor, (section.title, text))
    return out


def _page_sections(page: Path, cache: dict) -> dict[str, tuple[str, str]]:
    if page not in cache:
        if not page.is_file():
            raise DatasetError(f"gold page {page} does not exist; check the question list")
        markup = page.read_text(encoding="utf-8", errors="replace")
        cache[page] = section_texts(html_sections(markup))
        cache[page, "markup"] = markup
    return cache[page]


def element_text(markup: str, anchor: str) -> tuple[str, str] | None:
    """(title, text) of the element whose id is `anchor` when it heads no section (a table, a
    definition term, a reference page's part): its text, and for a term (`<dt>`) the
    definition that follows it; None when no element has that id.

    >>> element_text('<dl><dt id="W">work_mem</dt><dd>Sets memory.</dd></dl>', "W")
    ('work_mem', 'work_mem Sets memory.')
    """
    from lxml import html

    found = html.document_fromstring(markup.encode()).xpath("//*[@id=$a]", a=anchor)
    if not found:
        return None
    element = found[0]
    title = _words_of(element)
    parts = [title]
    if element.tag == "dt":
        follower = element.getnext()
        while follower is not None and follower.tag == "dd":
            parts.append(_words_of(follower))
            follower = follower.getnext()
    return title[:200], " ".join(parts)[:MAX_REFERENCE_CHARS]


def _rows(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) of each non-empty line of a JSONL file."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except ValueError:
                raise DatasetError(f"{path} line {number} is not JSON") from None
            if not isinstance(row, dict) or not isinstance(row.get("question"), str):
                raise DatasetError(f"{path} line {number} needs a `question`")
            out.append((number, row))
    return out


def _words_of(element) -> str:
    """An element's text, its pieces (table cells, list items) set apart by spaces."""
    return " ".join(" ".join(element.itertext()).split())


def _listed(questions: Path, cache: dict) -> list[Example]:
    examples = []
    for number, row in _rows(questions):
        page, anchor = row.get("gold_page"), row.get("gold_anchor")
        if not isinstance(page, str) or not isinstance(anchor, str):
            raise DatasetError(
                f"{questions} line {number} needs question, gold_page and gold_anchor"
            )
        page_path = (questions.parent / page).resolve()
        found = _page_sections(page_path, cache).get(anchor)
        if found is None:
            found = element_text(cache[page_path, "markup"], anchor)
        if found is None:
            raise DatasetError(f"{questions} line {number}: no section #{anchor} in {page_path}")
        example = _example(row["question"], found[1], page_path, anchor)
        examples.append(_described(example, row))
    return examples


def _on_pages(questions: Path, pdf: Path) -> list[Example]:
    """Questions over one PDF manual: rows with `gold_pages` (1-based) and an `answer_point`,
    which is also the reference (there is no section text to compare with)."""
    examples = []
    for number, row in _rows(questions):
        pages = row.get("gold_pages")
        if not isinstance(pages, list) or not all(isinstance(p, int) and p > 0 for p in pages):
            raise DatasetError(f"{questions} line {number} needs gold_pages (page numbers)")
        point = str(row.get("answer_point") or "")
        example = Example(
            question=row["question"].strip(),
            reference=point,
            gold_sources=(str(pdf.resolve()),),
            gold_pages=tuple(pages),
            id=content_hash(row["question"], str(pages))[:16],
        )
        examples.append(_described(example, row))
    return examples


def _described(example: Example, row: dict) -> Example:
    """The example with the row's `answer_point` and `style`, when it has them."""
    return replace(
        example, point=str(row.get("answer_point") or ""), style=str(row.get("style") or "")
    )


def _headings(docs: Path, cache: dict) -> list[Example]:
    examples = []
    for page in sorted(docs.rglob("*.htm*")):
        for anchor, (title, text) in _page_sections(page.resolve(), cache).items():
            question = title.split(". ", 1)[-1] if title[:1].isdigit() else title
            if question.endswith("?") and text:
                examples.append(_example(question, text, page.resolve(), anchor))
    return list({e.id: e for e in examples}.values())


def _example(question: str, reference: str, page: Path, anchor: str) -> Example:
    return Example(
        question=question,
        reference=reference,
        gold_sources=(str(page),),
        gold_anchor=anchor,
        id=content_hash(question, anchor)[:16],
    )


def _uncovered(path: Path) -> list[Example]:
    """Questions the docs do not answer; a row's `kind` (easy, hard) becomes its style."""
    out = []
    for _, row in _rows(path):
        question = row["question"].strip()
        style = str(row.get("kind") or row.get("style") or "")
        out.append(
            Example(
                question=question, answerable=False, id=content_hash(question)[:16], style=style
            )
        )
    return out


def import_faq(
    docs: Path,
    out: Path,
    questions: Path | None = None,
    uncovered: Path | None = None,
    pdf: Path | None = None,
) -> dict:
    """Write OUT/dataset.jsonl: the covered questions with their reference answers, then the
    uncovered ones (answerable false). With `pdf` (the same FAQ as one PDF), the gold source is
    the PDF and each question carries the pages where its section begins. `docs` may also be
    one PDF manual, whose `questions` give their gold pages. Returns counts."""
    manual = docs.is_file() and docs.suffix.lower() == ".pdf"
    if not docs.is_dir() and not manual:
        raise DatasetError(f"{docs} is neither a folder of HTML pages nor a PDF")
    if manual and questions is None:
        raise DatasetError(f"questions over the PDF {docs} need a list with their gold_pages")
    cache: dict = {}
    if manual:
        covered = _on_pages(questions, docs)
    else:
        covered = _listed(questions, cache) if questions else _headings(docs, cache)
    if not covered:
        raise DatasetError(f"no FAQ questions found under {docs}; give a question list")
    others = _uncovered(uncovered) if uncovered else []
    counts = {"covered": len(covered), "uncovered": len(others)}
    if pdf is not None:
        from evals.faq_pdf import on_pdf

        covered, counts["not_found_in_pdf"] = on_pdf(covered, pdf)
    write_dataset(out / "dataset.jsonl", covered + others)
    return counts
