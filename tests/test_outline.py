"""Headings from extraction to chunks: section boundaries, heading paths, FAQ references."""

from __future__ import annotations

import json

from conftest import FIXTURES
from pdfs import make_pdf

from evals.dataset import load_dataset
from evals.faq import import_faq
from ingest.chunk import chunk_document
from ingest.extract import read_file
from ingest.outline import html_sections

FAQ = FIXTURES / "faq"


def chunks_of(name: str):
    return chunk_document(read_file(FAQ / name, 1_000_000), 800, 100)


def test_docbook_headings_dropped_by_extraction_come_back_as_heading_paths():
    by_heading = {c.heading: c.text for c in chunks_of("docbook.html")}
    install = by_heading["Chapter 3. Packages > 3.1. How do I install a package?"]
    remove = by_heading["Chapter 3. Packages > 3.2. How do I remove a package?"]
    assert install.startswith("Use the apt tool") and "dpkg -i" in install
    assert "apt remove" not in install and remove.startswith("Run apt remove")


def test_sphinx_sections_are_chunked_apart_without_permalink_signs():
    chunks = {c.heading: c for c in chunks_of("sphinx.html")}
    argv = chunks["Programming FAQ > How do I read command-line arguments?"]
    assert argv.text.startswith("How do I read command-line arguments?\n")
    assert "sys.argv[1]" in argv.text and "copy()" not in argv.text
    assert "¶" not in "".join(c.text for c in chunks.values())
    assert argv.indexed_text.startswith("Programming FAQ > How do I read command-line arguments?")


def test_section_anchors_come_from_the_heading_or_its_section():
    sections = {s.title: s for s in html_sections((FAQ / "sphinx.html").read_text())}
    assert "how-do-i-copy-a-list" in sections["How do I copy a list?"].anchors
    docbook = {s.title: s for s in html_sections((FAQ / "docbook.html").read_text())}
    assert docbook["3.2. How do I remove a package?"].anchors == ["remove"]
    assert docbook["3.2. How do I remove a package?"].text.startswith("Run apt remove hello to")


def test_markdown_chunks_carry_their_heading(tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text("# Guide\n\nIntro text here.\n\n## Reset\n\nHold the button ten seconds.\n")
    chunks = chunk_document(read_file(guide, 10_000), 800, 0)
    assert [c.heading for c in chunks] == ["Guide", "Guide > Reset"]
    assert chunks[1].text.startswith("## Reset")


def test_faq_import_with_a_question_list_and_uncovered_questions(tmp_path):
    uncovered = tmp_path / "uncovered.jsonl"
    uncovered.write_text(json.dumps({"question": "How do I install Docker?"}) + "\n")
    counts = import_faq(FAQ, tmp_path / "out", FAQ / "questions.jsonl", uncovered)
    assert counts == {"covered": 2, "uncovered": 1}
    examples = load_dataset(tmp_path / "out" / "dataset.jsonl").examples
    remove = next(e for e in examples if e.gold_anchor == "remove")
    assert remove.reference.startswith("Run apt remove hello") and "apt purge" in remove.reference
    assert remove.gold_sources == (str((FAQ / "docbook.html").resolve()),)
    assert [e.answerable for e in examples] == [True, True, False]


def test_faq_import_without_a_list_asks_the_headings_that_are_questions(tmp_path):
    import_faq(FAQ, tmp_path / "out")
    questions = {e.question for e in load_dataset(tmp_path / "out" / "dataset.jsonl").examples}
    assert {"How do I install a package?", "How do I read command-line arguments?"} <= questions
    assert "Mirrors" not in questions and "Programming FAQ" not in questions


FAQ_PAGES = [
    ["Chapter 3. Packages", "3.1. How do I install a package?", "3.2. How do I remove a package?"],
    [
        "3.1. How do I install a package?",
        "Use the apt tool to install a package: run apt install hello as root.",
        "The package and everything it depends on are downloaded from a mirror and unpacked.",
    ],
    [
        "3.2. How do I remove a package?",
        "Run apt remove hello to remove a package but keep its configuration files.",
        "To remove the configuration files as well, run apt purge hello instead.",
    ],
]


def test_faq_import_over_the_pdf_edition_knows_the_gold_pages(tmp_path):
    pdf = tmp_path / "faq.pdf"
    pdf.write_bytes(make_pdf(FAQ_PAGES))  # page 1 is the table of contents: not the answer
    counts = import_faq(FAQ, tmp_path / "out", FAQ / "questions.jsonl", pdf=pdf)
    assert counts == {"covered": 2, "uncovered": 0, "not_found_in_pdf": 0}
    examples = {e.gold_anchor: e for e in load_dataset(tmp_path / "out" / "dataset.jsonl").examples}
    assert examples["install"].gold_pages[0] == 2 and examples["remove"].gold_pages == (3,)
    assert examples["remove"].gold_sources == (str(pdf.resolve()),)
    assert examples["remove"].reference.startswith("Run apt remove hello")  # from the HTML


def test_markdown_headings_are_read_as_commonmark():
    """A `#` comment in a code block was taken for a heading (docs/models.md has one), and
    underlined headings were missed."""
    from ingest.outline import markdown_outline

    text = (
        "Install\n=======\n\nRun:\n\n```sh\n# ~/.footnote/config.toml\ntop_k = 4\n```\n\n"
        "Options\n-------\n\n#hashtag is text\n\n## Reset ##\n"
    )
    assert [(level, title) for _, level, title in markdown_outline(text)] == [
        (1, "Install"),
        (2, "Options"),
        (2, "Reset"),
    ]
    assert text[markdown_outline(text)[1][0] :].startswith("Options\n---")
