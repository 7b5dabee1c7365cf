"""PDF, Word and PowerPoint files: clean text, headings, pages cited, and every bad input
refused with its reason while the rest is ingested."""

from __future__ import annotations

import zipfile

import pytest
from pdfs import encrypted, make_docx, make_pdf, make_pptx, with_bookmarks
from test_ingest import make_ingestor

from ingest.chunk import chunk_document
from ingest.extract import read_file
from rag.errors import IngestError
from rag.serialise import answer_dict
from ui.cli.render import sources_text

MANUAL = [
    ["Lumen X2 manual  rev. 3", "Getting started", "The router has four ports and a reset",
     "button on the back. Hold the reset button for ten seconds to re-", "store the factory "
     "settings; to restore them takes about a minute.", "Page 1 of 3"],
    ["Lumen X2 manual  rev. 3", "Cooling", "The fan keeps the router cool.",
     "Error E42 means that the cooling fan has stopped.", "Page 2 of 3"],
    ["Lumen X2 manual  rev. 3", "Warranty", "The router is covered for three years.",
     "Port | Speed | Use", "WAN | 1 Gbit/s | internet", "LAN | 1 Gbit/s | computers",
     "Page 3 of 3"],
]  # fmt: skip


@pytest.fixture
def manual(tmp_path):
    path = tmp_path / "manual.pdf"
    marks = [("Getting started", 0), ("Cooling", 1), ("Warranty", 2)]
    path.write_bytes(with_bookmarks(make_pdf(MANUAL), marks))
    return path


def test_pdf_text_is_clean_and_knows_its_pages(manual):
    doc = read_file(manual, 1_000_000)
    assert "Lumen X2 manual" not in doc.text and "Page 1 of 3" not in doc.text  # running lines
    assert "to restore the factory settings" in " ".join(doc.text.split())  # re-/store joined
    assert "WAN | 1 Gbit/s | internet" in doc.text  # a table row keeps its cells
    assert len(doc.pages) == 3 and doc.text[doc.pages[1] :].startswith("# Cooling")
    chunks = {c.heading: c for c in chunk_document(doc, 800, 100)}
    assert chunks["Cooling"].page_at(0) == 2 and "E42" in chunks["Cooling"].text
    assert chunks["Warranty"].page_at(0) == 3


FAQS = [
    (1, "Why is the sky blue?", "Sunlight is scattered by the air, blue light the most."),
    (2, "Why is grass green?", "Chlorophyll in the leaves reflects green light."),
    (3, "Why is snow white?", "Ice crystals scatter every colour of light alike."),
]
FAQ_BOOK = [
    ["Contents"] + [f"1.{n} {q} . . . . . . . . . . {n + 1}" for n, q, _ in FAQS],
    *(
        [f"CHAPTER 1. BASICS | 1.{n}. {q.upper()}", f"1.{n} {q}", a, "More about it follows."]
        for n, q, a in FAQS
    ),
]


def test_pdf_question_headings_are_headings_and_running_heads_go(fake_app, tmp_path):
    path = tmp_path / "faq.pdf"
    marks = [(q, n) for n, q, _ in FAQS]  # page indexes from 0: the contents are page 1
    path.write_bytes(with_bookmarks(make_pdf(FAQ_BOOK), marks))
    doc = read_file(path, 1_000_000)
    assert "CHAPTER" not in doc.text and "SKY" not in doc.text  # capitals changing per section
    assert doc.text.count("Why is grass green?") == 1 and len(doc.pages) == 4  # contents gone
    assert "# 1.2 Why is grass green?" in doc.text  # a bookmark's title line is a heading
    make_ingestor(fake_app).ingest([str(path)])
    answer = fake_app.pipeline.ask("Why is grass green?")
    assert answer.sentences[0].quoted and answer.sentences[0].text.startswith("Chlorophyll")
    assert answer.citations[0].page == 3


def test_pdf_titles_that_wrap_or_print_other_quotes_are_still_headings(fake_app, tmp_path):
    path = tmp_path / "tools.pdf"
    page = ["Chapter 8 The package management", "tools", '8.1 What does "hold" mean?',
            "A held package keeps its version when the system is upgraded."]  # fmt: skip
    marks = [("The package management tools", 0), ("What does 'hold' mean?", 0)]
    path.write_bytes(with_bookmarks(make_pdf([page]), marks))
    doc = read_file(path, 1_000_000)
    assert "# Chapter 8 The package management tools\n" in doc.text  # one line, not two
    assert '# 8.1 What does "hold" mean?' in doc.text  # found despite the other quotes
    chunks = chunk_document(doc, 800, 100)
    assert all(any(not line.startswith("#") for line in c.text.splitlines()) for c in chunks)
    make_ingestor(fake_app).ingest([str(path)])
    answer = fake_app.pipeline.ask("What does hold mean?")
    assert answer.sentences[0].text == page[-1]  # the section, not its title


def test_a_pdf_heading_is_its_title_line_not_a_list_item_naming_the_topic(tmp_path):
    """The Bash manual lists the expansions ("• brace expansion", ...) on the page where "3.5.1
    Brace Expansion" begins; the first match on the page, in any case, was taken for the
    heading, so the list item became "### • brace expansion" and the section began there."""
    path = tmp_path / "bash.pdf"
    page = ["3.5 Shell Expansions", "The expansions are performed in this order:",
            "- brace expansion", "- tilde expansion", "3.5.1 Brace Expansion",
            "Brace expansion is a mechanism by which strings may be generated."]  # fmt: skip
    marks = [("Shell Expansions", 0), ("Brace Expansion", 0)]
    path.write_bytes(with_bookmarks(make_pdf([page]), marks))
    doc = read_file(path, 1_000_000)
    assert "# 3.5.1 Brace Expansion\n" in doc.text and "\n- brace expansion\n" in doc.text
    by_title = {c.section: c.text for c in chunk_document(doc, 800, 100)}
    assert "- tilde expansion" in by_title["Shell Expansions"]
    assert "- tilde expansion" not in by_title["Brace Expansion"]


def test_an_answer_from_a_pdf_cites_its_page(fake_app, manual):
    make_ingestor(fake_app).ingest([str(manual)])
    answer = fake_app.pipeline.ask("What does error E42 mean for the cooling fan?")
    assert answer.citations and answer.citations[0].page == 2
    stored = fake_app.store.answers.load(answer.id)
    assert stored.citations[0].page == 2
    assert "manual.pdf, p. 2" in sources_text(answer)  # what footnote ask prints
    assert answer_dict(answer)["sources"][0]["page"] == 2  # --json and the API


def test_word_headings_tables_and_slides_become_structure(tmp_path):
    docx = tmp_path / "procedure.docx"
    docx.write_bytes(
        make_docx(
            [
                ("h1", "Returns procedure"),
                ("p", "Customers return a product within 30 days of delivery."),
                ("h2", "Refunds"),
                ("p", "Refunds are paid within 5 business days."),
                ("table", [["Item", "Days"], ["Router", "30"], ["Cable", "14"]]),
            ]
        )
    )
    doc = read_file(docx, 1_000_000)
    chunks = chunk_document(doc, 800, 100)
    refunds = next(c for c in chunks if c.heading.endswith("Refunds"))
    assert refunds.heading == "Returns procedure > Refunds"
    assert "Router | 30" in refunds.text and "5 business days" in refunds.text
    pptx = tmp_path / "training.pptx"
    pptx.write_bytes(make_pptx([("Welcome", ["Lumen training"]), ("Reset", ["Hold ten seconds"])]))
    slides = chunk_document(read_file(pptx, 1_000_000), 800, 100)
    reset = next(c for c in slides if c.heading == "Reset")
    assert reset.page_at(0) == 2 and "Hold ten seconds" in reset.text


def bad_inputs(tmp_path) -> dict[str, str]:
    """file name -> the reason its refusal must give."""
    files = {
        "locked.pdf": (encrypted(make_pdf([["Secret text of the manual."]])), "encrypted"),
        "cut.pdf": (make_pdf(MANUAL)[:300], "corrupt or truncated"),
        "scan.pdf": (make_pdf([[], []]), "no text layer: scanned pages need OCR"),
        "bomb.docx": (None, "zip bomb"),
        "fake.docx": (b"this is not a zip file at all", "corrupt or truncated"),
        "long.pdf": (make_pdf([["A page of text here."]] * 5), "over the limit of 4"),
    }
    for name, (data, _) in files.items():
        if name == "bomb.docx":
            with zipfile.ZipFile(tmp_path / name, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("word/document.xml", "x" * 50_000_000)
        else:
            (tmp_path / name).write_bytes(data)
    return {name: reason for name, (_, reason) in files.items()}


def test_bad_documents_are_refused_with_their_reason_and_the_rest_ingested(
    fake_app, tmp_path, manual
):
    reasons = bad_inputs(tmp_path)
    for name, reason in reasons.items():
        with pytest.raises(IngestError, match=reason):
            read_file(tmp_path / name, 1_000_000, max_pages=4)
    ingestor = make_ingestor(fake_app, max_pdf_pages=4)
    report = ingestor.ingest([str(tmp_path)])
    assert sorted(p.rsplit("/", 1)[-1] for p, _ in report.failed) == sorted(reasons)
    assert [p.rsplit("/", 1)[-1] for p in report.added] == ["manual.pdf"]
