"""Headings from extraction to chunks: section boundaries, heading paths, FAQ references."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES
from lxml import etree
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


def test_a_panel_question_list_keeps_its_point_style_and_element_anchors(tmp_path):
    """The development panel's sets: `answer_point` and `style` per row; an anchor may name a
    definition term or a table (a reference manual's option entry), not only a section;
    uncovered rows keep their kind (easy, hard)."""
    page = tmp_path / "docs" / "config.html"
    page.parent.mkdir()
    page.write_text(
        "<html><body><h1>Resource settings</h1><dl>"
        '<dt id="GUC-WORK-MEM">work_mem (integer)</dt><dd><p>Sets the memory of a sort.</p></dd>'
        '<dt id="GUC-OTHER">other (integer)</dt><dd><p>Something else.</p></dd></dl>'
        '<div class="table" id="T1"><table><tr><td>serial</td><td>4 bytes</td></tr></table></div>'
        "</body></html>"
    )
    rows = [
        {"question": "sort memory per query?", "gold_page": "docs/config.html",
         "gold_anchor": "GUC-WORK-MEM", "answer_point": "work_mem, per sort", "style": "terse"},
        {"question": "serial size", "gold_page": "docs/config.html", "gold_anchor": "T1",
         "answer_point": "4 bytes", "style": "keyword"},
    ]  # fmt: skip
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows))
    uncovered = tmp_path / "uncovered.jsonl"
    uncovered.write_text(json.dumps({"question": "pg_repack?", "kind": "easy"}) + "\n")
    import_faq(page.parent, tmp_path / "out", questions, uncovered)
    work, serial, other = load_dataset(tmp_path / "out" / "dataset.jsonl").examples
    assert work.reference == "work_mem (integer) Sets the memory of a sort."
    assert (work.point, work.style) == ("work_mem, per sort", "terse")
    assert serial.reference == "serial 4 bytes"  # cells set apart, not glued
    assert (other.answerable, other.style) == (False, "easy")


def test_questions_over_a_pdf_manual_carry_their_gold_pages(tmp_path):
    pdf = tmp_path / "manual.pdf"
    pdf.write_bytes(make_pdf(FAQ_PAGES))
    questions = tmp_path / "questions.jsonl"
    row = {"question": "remove but keep config", "gold_pages": [3], "answer_point": "apt remove"}
    questions.write_text(json.dumps(row) + "\n")
    import_faq(pdf, tmp_path / "out", questions)
    (example,) = load_dataset(tmp_path / "out" / "dataset.jsonl").examples
    assert example.gold_pages == (3,) and example.gold_sources == (str(pdf.resolve()),)
    assert example.reference == example.point == "apt remove"


def test_a_hand_written_faq_of_bold_questions_is_cut_by_question(tmp_path):
    """Questions in bold paragraphs with anchors (no heading tags) head sections as headings
    do: each answer is its own chunk, under its question, which is a title line, not text."""
    chunks = chunks_of("bold.html")
    by_heading = {c.heading.rsplit(" > ", 1)[-1]: c for c in chunks}
    light = by_heading["Why is the status light red?"]
    assert light.text.startswith("Why is the status light red?\nA red status light")
    assert "recessed reset button" not in light.text and "guest" not in light.text
    assert [light.text[a:b] for a, b in light.titles] == ["Why is the status light red?"]
    sections = {s.title: s for s in html_sections((FAQ / "bold.html").read_text())}
    assert sections["Can I run a guest network?"].anchors == [] and len(sections) == 5


def test_definition_terms_with_long_definitions_are_sections_and_the_text_after_returns():
    """An AsciiDoc FAQ (questions as <dt>) and a reference's options: a term whose definition
    is long heads a section below the heading; a short one ("-q Quiet.") does not; the text
    after the list is back under the heading above it."""
    chunks = {c.heading: c for c in chunks_of("terms.html")}
    logs = chunks["Frequently asked questions > How do I keep the logs after a restart?"]
    assert "lumen logs --persist" in logs.text and "offline" not in logs.text
    assert logs.text[slice(*logs.titles[0])].endswith("How do I keep the logs after a restart?")
    after = chunks["Frequently asked questions"]
    assert after.text.startswith("More questions are answered") and after.titles == ()
    timeout = chunks["Options > --timeout SECONDS"]
    assert "Quiet." in timeout.text and not any("-q" in h for h in chunks)


def test_the_text_after_a_list_of_terms_returns_to_its_heading_in_every_run():
    """A reference page's option lists (long definitions: sections) beside environment lists
    (short ones: not), as PostgreSQL's pages have them. Which list started sections was once
    remembered by id() of lxml's element objects, which lxml makes on demand and lets go: in a
    fresh process a later list took the address of an earlier one, and chunks differed from one
    ingest to the next (14,128 to 14,133 over PostgreSQL's manual)."""
    long = "<p>" + "word " * 50 + "</p>"

    def terms(name: str, definition: str) -> str:
        items = "".join(f"<dt><code>{name}{i}</code></dt><dd>{definition}</dd>" for i in range(3))
        return f'<div class="variablelist"><dl>{items}</dl></div>'

    page = "".join(
        f'<div class="refsect1"><h2>Options {n}</h2><p>intro</p>{terms(f"--o{n}", long)}'
        f'<p>after {n}</p></div><div class="refsect1"><h2>Environment {n}</h2>'
        f"{terms(f'VAR{n}', '<p>short</p>')}<p>the environment</p></div>"
        for n in range(8)
    )
    page = f"<html><body>{page}</body></html>"
    expected = [""]
    for n in range(8):
        expected += [f"Options {n}", f"--o{n}0", f"--o{n}1", f"--o{n}2", f"Options {n}"]
        expected += [f"Environment {n}"]
    code = (
        "import json, sys; from ingest.outline import html_sections; "
        "print(json.dumps([s.title for s in html_sections(sys.stdin.read())]))"
    )
    for _ in range(3):  # a fresh process each time, where the addresses were reused
        done = subprocess.run(
            [sys.executable, "-c", code], input=page, capture_output=True, text=True, check=True
        )
        assert json.loads(done.stdout) == expected
    for i in range(30):  # and in one process, other elements made and let go in between
        made = [etree.Element("x") for _ in range(i)]
        assert [s.title for s in html_sections(page)] == expected, i
        del made


def test_settings_whose_descriptions_open_alike_each_keep_their_own_title(tmp_path):
    """A reference's settings often open with the same words ("Enables or disables the query
    planner's use of ..."; "Terminate any session that has been idle ..."). Each section was
    placed where those words first occur, so every such setting after the first took the
    first one's place: over PostgreSQL 15's manual, 130 sections on 51 pages, and the
    description of idle_in_transaction_session_timeout was filed under idle_session_timeout."""
    plans = ["hash join", "merge join", "nested-loop join", "sequential scan"]
    items = "".join(
        f'<dt id="guc-{n}"><span class="term"><code>enable_{n} (boolean)</code></span></dt>'
        f"<dd><p>Enables or disables the query planner's use of {plan} plan types. The "
        f"default is <code>on</code>. If the planner has no other choice it uses them "
        f"anyway, but turning this setting off discourages the planner from them ({n}).</p></dd>"
        for n, plan in enumerate(plans)
    )
    idle = (
        "<dt><code>idle_in_transaction_session_timeout (integer)</code></dt><dd><p>Terminate "
        "any session that has been idle (that is, waiting for a client query) within an open "
        "transaction for longer than the specified amount of time. A value of zero (the "
        "default) disables the timeout.</p></dd>"
        "<dt><code>idle_session_timeout (integer)</code></dt><dd><p>Terminate any session "
        "that has been idle (that is, waiting for a client query), but not within an open "
        "transaction, for longer than the specified amount of time. A value of zero (the "
        "default) disables the timeout.</p></dd>"
    )
    page = tmp_path / "runtime-config.html"
    page.write_text(
        "<html><head><title>Planner Method Configuration</title></head><body>"
        '<div class="sect2"><h3>20.7.1. Planner Method Configuration</h3><p>These '
        "configuration parameters provide a crude method of influencing the query plans "
        f"chosen by the query optimizer.</p><dl>{items}{idle}</dl></div></body></html>"
    )
    chunks = chunk_document(read_file(page, 1_000_000), 800, 100)
    by_term = {c.section: c.text for c in chunks}
    for n, plan in enumerate(plans):
        assert f"use of {plan} plan types" in by_term[f"enable_{n} (boolean)"]
        assert f"from them ({n})" in by_term[f"enable_{n} (boolean)"]
    assert "within an open" in by_term["idle_in_transaction_session_timeout (integer)"]
    assert "but not within" in by_term["idle_session_timeout (integer)"]
    assert "within an open transaction for" not in by_term["idle_session_timeout (integer)"]


def test_a_root_prompt_in_an_html_page_is_a_command_not_a_title(tmp_path):
    """Markdown and PDF headings stay in the text as "#" lines; in an HTML page a "#" line is a
    root shell prompt (the Debian Handbook's "# mdadm --create ..."): ingest records which
    lines are titles, and answering reads that, never the "#"."""
    page = tmp_path / "raid.html"
    page.write_text(
        "<html><body><h1>Setting up RAID</h1><p>Let's start with the RAID-0 volume, made of "
        "two disks of the same size, as root:</p><pre># mdadm --create /dev/md0 --level=0 "
        "--raid-devices=2 /dev/sdb /dev/sdc\nmdadm: array /dev/md0 started.</pre>"
        "<p>The array is then formatted like any disk.</p></body></html>"
    )
    (chunk,) = chunk_document(read_file(page, 100_000), 800, 100)
    assert "# mdadm --create" in chunk.text and chunk.titles == ()
    markdown = tmp_path / "raid.md"
    markdown.write_text("# Setting up RAID\n\nRun this as root:\n\n    # mdadm --create /dev/md0\n")
    (chunk,) = chunk_document(read_file(markdown, 100_000), 800, 100)
    assert [chunk.text[a:b] for a, b in chunk.titles] == ["# Setting up RAID"]


def test_a_markdown_faq_of_bold_questions_is_cut_by_question(tmp_path):
    faq = tmp_path / "faq.md"
    faq.write_text(
        "# Router FAQ\n\n**Is the router free?**\n\nYes, it comes with the subscription.\n\n"
        "**Where is the reset button?**\n\nOn the back, next to the power socket.\n"
    )
    chunks = chunk_document(read_file(faq, 10_000), 800, 0)
    assert [c.heading for c in chunks] == [
        "Router FAQ > Is the router free?",
        "Router FAQ > Where is the reset button?",
    ]
    assert chunks[1].text[slice(*chunks[1].titles[0])] == "**Where is the reset button?**"


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
