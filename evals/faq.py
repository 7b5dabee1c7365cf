"""Support-style datasets from a documentation site: its FAQ questions with a reference answer
(the text of the section that answers each), plus questions the site does not cover.

`import_faq` reads a folder of HTML pages and either a question list (JSONL lines with
`question`, `gold_page` relative to the list's folder, `gold_anchor`) or, without one, every
heading of the pages that ends in "?". The corpus is the folder itself: ingest it (or crawl it)
before running the dataset.
"""

from __future__ import annotations

import json
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
    return cache[page]


def _listed(questions: Path, cache: dict) -> list[Example]:
    examples = []
    for number, line in enumerate(questions.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question, page, anchor = row["question"], row["gold_page"], row["gold_anchor"]
        except (ValueError, KeyError, TypeError):
            raise DatasetError(
                f"{questions} line {number} needs question, gold_page and gold_anchor"
            ) from None
        page_path = (questions.parent / page).resolve()
        found = _page_sections(page_path, cache).get(anchor)
        if found is None:
            raise DatasetError(f"{questions} line {number}: no section #{anchor} in {page_path}")
        examples.append(_example(question, found[1], page_path, anchor))
    return examples


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
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            question = json.loads(line)["question"]
            out.append(Example(question=question, answerable=False, id=content_hash(question)[:16]))
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
    the PDF and each question carries the pages where its section begins. Returns counts."""
    if not docs.is_dir():
        raise DatasetError(f"{docs} is not a folder of HTML pages")
    cache: dict = {}
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
