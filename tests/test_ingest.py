"""Ingestion on the hash embedder: idempotence, incremental updates, prune, and bad input."""

import shutil
import time
from dataclasses import replace

import pytest
from conftest import CORPUS

from ingest.chunk import chunk_document
from ingest.extract import extract_html, read_file
from ingest.pipeline import Ingestor
from ingest.safety import NetworkPolicy
from rag.errors import IngestError
from rag.types import Document


class CountingEmbedder:
    def __init__(self, inner):
        self.inner, self.name, self.dim, self.texts = inner, inner.name, inner.dim, []

    def embed(self, texts):
        self.texts += texts
        return self.inner.embed(texts)


def make_ingestor(app, **kw):
    """The App's ingestor, allowed to fetch from loopback, with other options overridden."""
    policy = NetworkPolicy(allow_private=True, allowed_ports=None)
    options = replace(app.ingest_options, fetch_timeout=1.0, user_agent="test", policy=policy)
    return Ingestor(app.store, app.indexer, replace(options, **kw))


@pytest.fixture
def corpus(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def counting(fake_app):
    fake_app._embedder = CountingEmbedder(fake_app._embedder)
    return fake_app


def test_ingest_folder_then_again_adds_nothing(counting, corpus):
    report = make_ingestor(counting).ingest([str(corpus)])
    assert len(report.added) == 4 and not report.failed
    assert counting.store.count_chunks() == len(counting.indexer.index) > 4
    embedded = len(counting.embedder.texts)
    again = make_ingestor(counting).ingest([str(corpus)])
    assert len(again.unchanged) == 4 and not again.added and not again.updated
    assert len(counting.embedder.texts) == embedded  # nothing re-embedded


def test_changed_file_re_embeds_only_changed_chunks(counting, corpus):
    make_ingestor(counting, chunk_size=200, chunk_overlap=0).ingest([str(corpus)])
    before = counting.store.count_chunks()
    path = corpus / "refunds.md"
    path.write_text(path.read_text().replace("5 business days", "7 business days"))
    counting.embedder.texts.clear()
    report = make_ingestor(counting, chunk_size=200, chunk_overlap=0).ingest([str(corpus)])
    assert report.updated == [str(path)] and len(report.unchanged) == 3
    assert len(counting.embedder.texts) == 1 and "7 business days" in counting.embedder.texts[0]
    assert counting.store.count_chunks() == before == len(counting.indexer.index)
    hits = counting.pipeline.retrieve("refunds paid within 7 business days", k=1)
    assert "7 business days" in hits[0].chunk.text


def test_prune_removes_documents_whose_file_is_gone(fake_app, corpus):
    make_ingestor(fake_app).ingest([str(corpus)])
    (corpus / "warranty.txt").unlink()
    report = make_ingestor(fake_app).ingest([str(corpus)], prune=True)
    assert report.removed == [str(corpus / "warranty.txt")]
    assert str(corpus / "warranty.txt") not in fake_app.store.document_hashes()
    assert len(fake_app.indexer.index) == fake_app.store.count_chunks()


def test_index_survives_restart(fake_app, corpus, settings):
    from rag.fakes import HashEmbedder
    from ui.compose import App

    make_ingestor(fake_app).ingest([str(corpus)])
    reopened = App(settings, embedder=HashEmbedder(), generator=fake_app.generator)
    assert len(reopened.indexer.index) == fake_app.store.count_chunks()
    hit = reopened.pipeline.retrieve("error code E42 cooling fan", k=1)[0]
    assert "E42" in hit.chunk.text


def test_chunks_carry_offsets_into_the_document():
    text = ("Paragraph one is here. " * 20 + "\n\n") * 5
    doc = Document("d", "src", text)
    chunks = chunk_document(doc, 200, 40)
    assert len(chunks) > 5
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text and len(c.text) <= 200
    assert len({c.id for c in chunks}) == len(chunks)  # repeated text still gets distinct ids


def test_lines_wrapped_like_a_pdf_are_cut_where_a_sentence_ends():
    # a PDF's text: every line broken at the page width, sentences running across the breaks
    sentence = "To check which release runs, use the\nlsb_release -a command in a shell.\n"
    doc = Document("d", "src", sentence * 12)
    chunks = chunk_document(doc, 200, 0)
    assert len(chunks) > 3
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert c.text.startswith("To check") and c.text.rstrip().endswith("shell.")


def test_a_paragraph_holding_an_empty_anchor_is_kept():
    # DocBook marks index terms with empty anchors (`<a id="idm1856" class="indexterm"></a>`):
    # trafilatura alone drops this page's first section, heading and answer, whole
    html = (CORPUS.parent / "faq" / "index-anchors.html").read_text()
    text = " ".join(extract_html(html, "index-anchors.html")[0].split())
    assert "The lumen-fonts package does this, edit the /etc/lumen/font.conf file." in text
    assert "lower the speeds in those files" in text and "Prev" not in text


def test_extraction_keeps_main_text_and_metadata():
    doc = read_file(CORPUS / "lumen-x2-errors.html", 10**6)
    assert doc.title.startswith("Lumen X2 error codes")
    assert "Error code E42 means" in doc.text
    assert "Cookie settings" not in doc.text and "Contact us" not in doc.text
    assert doc.date == "2025-03-14"


def test_non_utf8_file_is_decoded():
    doc = read_file(CORPUS / "cafe-latin1.txt", 10**6)
    assert "crème brûlée" in doc.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("blob.txt", b"\x00\x01\x02binary\x00", "looks binary"),
        ("empty.html", b"<html><body><nav>Home</nav></body></html>", "no extractable main text"),
        ("empty.md", b"   \n", "is empty"),
        ("image.png", b"\x89PNG", "unsupported type .png"),
    ],
)
def test_bad_files_fail_with_a_clear_reason(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=message):
        read_file(path, 10**6)


def test_too_large_and_missing_files(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000)
    with pytest.raises(IngestError, match="over the limit of 100"):
        read_file(big, 100)
    with pytest.raises(IngestError, match="does not exist"):
        read_file(tmp_path / "nope.md", 100)


def test_batch_skips_bad_items_and_keeps_stored_data(fake_app, corpus, tmp_path, http_server):
    make_ingestor(fake_app).ingest([str(corpus)])
    stored = fake_app.store.count_chunks()
    (corpus / "junk.txt").write_bytes(b"\x00\x00binary")
    report = make_ingestor(fake_app).ingest(
        [
            str(corpus),
            str(tmp_path / "missing.md"),
            f"{http_server}/nope.html",
            f"{http_server}/slow",
            f"{http_server}/binary",
            "http://127.0.0.1:9/dead",
        ]
    )
    reasons = " | ".join(r for _, r in report.failed)
    assert len(report.failed) == 6, reasons
    for expected in (
        "looks binary",
        "does not exist",
        "HTTP 404",
        "did not answer within 1 s",
        "could not be fetched",
    ):
        assert expected in reasons
    assert report.ok and len(report.unchanged) == 4
    assert fake_app.store.count_chunks() == stored


def test_url_ingest(fake_app, http_server):
    report = make_ingestor(fake_app).ingest(
        [f"{http_server}/lumen-x2-errors.html", f"{http_server}/refunds.md"]
    )
    assert len(report.added) == 2, report.failed
    hits = fake_app.pipeline.retrieve("Error code E17 means that a firmware update", k=2)
    page = [h for h in hits if h.source == f"{http_server}/lumen-x2-errors.html"]
    assert page and page[0].title.startswith("Lumen X2") and "E17" in page[0].chunk.text


def test_nothing_ingested_is_not_ok(fake_app, tmp_path):
    report = make_ingestor(fake_app).ingest([str(tmp_path / "missing.md")])
    assert not report.ok and "does not exist" in report.summary()


def test_a_second_process_sees_documents_ingested_by_another(settings, tmp_path):
    """Two Apps on one home stand for two processes (say the API and a CLI ingest)."""
    from rag.fakes import HashEmbedder, ScriptedGenerator
    from ui.compose import App

    server = App(settings, embedder=HashEmbedder(), generator=ScriptedGenerator("x"))
    writer = App(settings, embedder=HashEmbedder(), generator=ScriptedGenerator("x"))
    make_ingestor(writer).ingest([str(CORPUS)])
    assert server.retriever.search(["warranty"], 3)[0]  # loaded now
    extra = tmp_path / "new"
    extra.mkdir()
    (extra / "ferry.md").write_text(
        "# Ferry\n\nThe ferry to Texel leaves every hour from Den Helder.\n"
    )
    time.sleep(0.02)  # a distinct modification time for the index metadata
    make_ingestor(writer).ingest([str(extra)])
    hits = server.retriever.search(["ferry to Texel from Den Helder"], 1)[0]
    assert hits and hits[0].source.endswith("ferry.md")
