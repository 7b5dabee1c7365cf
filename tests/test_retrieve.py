"""Retrieval modes, filters inside the search, near-duplicate removal, the persisted BM25 index."""

import shutil

import numpy as np
import pytest
from conftest import CORPUS
from test_ingest import make_ingestor

from rag.fakes import HashEmbedder, ScriptedGenerator
from rag.retrieval import Filters
from rag.retrieval.lexical import BM25Index
from ui.compose import App


@pytest.fixture
def app(settings, tmp_path):
    app = App(settings, embedder=HashEmbedder(), generator=ScriptedGenerator("x"))
    make_ingestor(app).ingest([str(CORPUS)], collection="support")
    other = tmp_path / "internal"
    other.mkdir()
    for i in range(6):
        (other / f"memo{i}.txt").write_text(
            f"Internal memo {i}\n\nThe cooling fan supplier for the Lumen X2 changed in week {i}."
        )
    shutil.copy(CORPUS / "warranty.txt", other / "warranty-copy.txt")  # same text, other path
    make_ingestor(app).ingest([str(other)], collection="internal")
    return app


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_every_mode_finds_the_passage(app, mode):
    app.retriever.mode = mode
    hits = app.pipeline.retrieve("Error code E17 means that a firmware update was interrupted", 3)
    assert any("E17" in h.chunk.text for h in hits)
    assert all(-1.0 <= h.score <= 1.0 for h in hits)  # scores are cosines in every mode


def test_collection_filter_applies_inside_retrieval(app):
    question = "cooling fan supplier for the Lumen X2 changed"
    unfiltered = app.pipeline.retrieve(question, 3)
    assert all("memo" in h.source for h in unfiltered)
    hits = app.pipeline.retrieve(question, 3, Filters(collections=("support",)))
    assert len(hits) == 3 and all("/corpus/" in h.source for h in hits)


def test_prefix_and_date_filters(app):
    hits = app.pipeline.retrieve("warranty", 5, Filters(source_prefix=str(CORPUS / "warranty")))
    assert [h.source for h in hits] == [str(CORPUS / "warranty.txt")]
    dated = app.pipeline.retrieve("router", 5, Filters(since="2025-01-01", until="2025-12-31"))
    assert {h.source for h in dated} == {str(CORPUS / "lumen-x2-errors.html")}
    assert app.pipeline.retrieve("router", 5, Filters(since="2026-01-01")) == []


def test_near_duplicates_do_not_crowd_the_results(app):
    hits = app.pipeline.retrieve("three-year warranty covers hardware faults", 4)
    texts = [" ".join(h.chunk.text.split()) for h in hits]
    assert len(texts) == len(set(texts)) and sum("three-year" in t for t in texts) == 1


def test_mmr_prefers_novel_passages(app):
    app.retriever.mmr_lambda = 0.3
    hits = app.pipeline.retrieve("cooling fan supplier memo", 3)
    assert len({h.source for h in hits}) == 3


def test_bm25_index_is_saved_and_reused(app, settings):
    directory = settings.index_path / "lexical"
    assert BM25Index.load(directory, app.indexer.chunking) is not None
    assert BM25Index.load(directory, {"chunk_size": 1}) is None  # other settings: rebuilt
    reopened = App(settings, embedder=HashEmbedder(), generator=ScriptedGenerator("x"))
    reopened.retriever.mode = "lexical"
    assert "E42" in reopened.pipeline.retrieve("E42 cooling fan", 1)[0].chunk.text


class KeywordModel:
    """A relevance judge that says yes to passages mentioning E17."""

    def word_ids(self, words):
        return [0] if words[0] == "yes" else [1]

    def next_token_probs(self, messages):
        passage = messages[-1]["content"].split("PASSAGE:\n")[1]
        return np.array([0.95, 0.05]) if "E17" in passage else np.array([0.1, 0.9])


def test_reranker_reorders_the_top_passages(app):
    from rag.retrieval.rerank import LLMReranker

    question = "cooling fan supplier memo E17"
    before = app.pipeline.retrieve(question, 5)
    assert "E17" not in before[0].chunk.text
    app.retriever.reranker = LLMReranker(KeywordModel(), depth=10)
    after = app.pipeline.retrieve(question, 5)
    assert "E17" in after[0].chunk.text and len(after) == 5


def test_a_passage_stored_but_not_yet_embedded_is_not_returned(app, settings):
    """A writer stores a document's chunks before their vectors are cached; a search between the
    two (found by BM25) used to fail with a KeyError (seen in the two-writers PostgreSQL test)."""
    from ingest.chunk import chunk_document
    from rag.types import Document, content_hash

    text = "Firmware flashing guide\n\nHold the zebra button while the firmware flashes."
    doc = Document(content_hash("/mid-ingest.txt"), "/mid-ingest.txt", text)
    app.store.put_document(doc, chunk_document(doc, 600, 0))  # no indexer.add yet
    reader = App(settings, embedder=HashEmbedder(), generator=ScriptedGenerator("x"))  # another
    reader.retriever.mode = "lexical"  # process: its BM25 index is built from the stored chunks
    hits = reader.pipeline.retrieve("zebra button firmware", 3)
    assert hits and all("zebra" not in h.chunk.text for h in hits)
