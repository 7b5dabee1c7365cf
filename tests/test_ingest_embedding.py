"""Embedding during ingestion: on its own thread, each text once, the same vectors whatever the
batching, progress numbers that add up, and the device and precision choices (the GPU's too,
decided here without one)."""

import doctest
import shutil
import sys
import threading
import time

import numpy as np
import pytest
from conftest import CORPUS

import ingest.progress
import rag.retrieval.embedding
from ingest.pipeline import Ingestor
from ingest.progress import IngestProgress
from rag.errors import ModelError
from rag.fakes import HashEmbedder
from rag.retrieval.embedding import (
    SentenceTransformerEmbedder,
    choose_batch_size,
    choose_device,
    choose_precision,
)


class SlowCountingEmbedder(HashEmbedder):
    """The hash embedder, slower, counting texts and the threads it ran on."""

    def __init__(self, delay: float = 0.0, fail: bool = False):
        super().__init__()
        self.delay, self.fail, self.texts, self.threads = delay, fail, [], set()
        self.switch_intervals = set()

    def embed(self, texts):
        if self.fail:
            raise RuntimeError("model crashed")
        self.threads.add(threading.current_thread().name)
        self.switch_intervals.add(sys.getswitchinterval())
        self.texts += texts
        time.sleep(self.delay * len(texts))
        return super().embed(texts)


def ingestor(app, **kw) -> Ingestor:
    return Ingestor(app.store, app.indexer, app.ingest_options, **kw)


def vectors_by_chunk(app) -> dict[str, bytes]:
    ids, texts = app.store.chunk_texts()
    by_text = dict(zip(texts, ids, strict=True))
    cached = {}
    for vector_ids, vectors in app.store.embeddings.vectors(app.embedder.name):
        cached.update(zip(vector_ids.tolist(), (v.tobytes() for v in vectors), strict=True))
    return {text: cached[by_text[text]] for text in texts}


@pytest.fixture
def corpus(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def test_the_same_vectors_whatever_the_batching_and_thread(fake_app, settings, corpus, tmp_path):
    from conftest import make_settings

    from ui.compose import App

    fake_app._embedder = SlowCountingEmbedder()
    ingestor(fake_app, flush_chunks=2, background=True).ingest([str(corpus)])
    assert fake_app.embedder.threads == {"embed_0"}  # the model ran off the caller's thread
    assert fake_app.embedder.switch_intervals == {0.0005}  # the GIL comes back to it soon
    assert sys.getswitchinterval() == 0.005  # and Python's default is back afterwards
    other = App(make_settings(tmp_path / "other"), embedder=SlowCountingEmbedder())
    ingestor(other, flush_chunks=512, background=False).ingest([str(corpus)])
    assert other.embedder.threads == {threading.current_thread().name}
    assert vectors_by_chunk(fake_app) == vectors_by_chunk(other)
    assert len(fake_app.indexer.index) == fake_app.store.count_chunks()
    assert fake_app.store.count_chunks() == other.store.count_chunks()
    top = fake_app.pipeline.retrieve("refunds paid within 5 business days", k=1)
    assert "5 business days" in top[0].chunk.text


def test_identical_texts_are_embedded_once_across_pages_and_batches(fake_app, tmp_path):
    fake_app._embedder = SlowCountingEmbedder()
    folder = tmp_path / "pages"
    folder.mkdir()
    boilerplate = "Support hours are nine to five on working days, phone 555 0100."
    for i in range(6):
        (folder / f"page{i}.txt").write_text(boilerplate if i % 2 else f"Page {i} own text.")
    ingestor(fake_app, flush_chunks=1).ingest([str(folder)])  # each page its own batch
    assert fake_app.embedder.texts.count(boilerplate) == 1
    assert fake_app.store.count_chunks() == len(fake_app.indexer.index) == 6


def test_progress_counts_add_up_and_move_while_the_model_works(fake_app, corpus, monkeypatch):
    monkeypatch.setattr("ingest.background.SLICE", 1)  # progress after every text
    fake_app._embedder = SlowCountingEmbedder(delay=0.4)
    seen: list[IngestProgress] = []
    report = ingestor(fake_app, flush_chunks=4).ingest([str(corpus)], status=seen.append)
    last = seen[-1]
    assert last.sources_done == last.sources_total == 4
    assert last.chunks_found == last.chunks_embedded == report.chunks_added > 4
    embedded = [p.chunks_embedded for p in seen]
    assert embedded == sorted(embedded)  # never goes back
    waiting = [p for p in seen if 0 < p.chunks_embedded < report.chunks_added]
    assert waiting  # snapshots came while batches were still being embedded
    assert 0 < report.embed_seconds <= report.seconds
    assert "chunks/s" in report.summary() and "% of the time" in report.summary()


def test_a_failing_model_fails_the_ingest_and_keeps_the_documents(fake_app, corpus):
    fake_app._embedder = SlowCountingEmbedder(fail=True)
    with pytest.raises(RuntimeError, match="model crashed"):
        ingestor(fake_app, flush_chunks=2).ingest([str(corpus)])
    assert fake_app.store.count_chunks() > 0  # stored; the index catches up on the next run
    fake_app._embedder.fail = False
    fake_app.indexer._index = None
    assert len(fake_app.indexer.index) == fake_app.store.count_chunks()


def test_progress_estimates():
    start = IngestProgress(0, 10, 0, 0, 3.0)
    assert start.eta_seconds is None and start.line() == "0/0 chunks embedded"
    half = IngestProgress(5, 10, 50, 25, 5.0)
    assert half.chunks_expected == 100 and half.chunks_per_s == 5.0 and half.eta_seconds == 15.0
    assert half.line() == "25/~100 chunks embedded, 5.0 chunks/s, about 15 s left"
    done = IngestProgress(10, 10, 100, 100, 20.0)
    assert done.line() == "100/100 chunks embedded, 5.0 chunks/s"


@pytest.mark.parametrize("module", [ingest.progress, rag.retrieval.embedding])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def test_device_and_precision_choices():
    assert choose_device(cuda_available=True) == "cuda"
    assert choose_device(cuda_available=False) == "cpu"
    assert choose_precision("auto", "cuda", native_bf16=False) == "fp16"
    assert choose_precision("auto", "cpu", native_bf16=True) == "bf16"
    assert choose_precision("auto", "cpu", native_bf16=False) == "fp32"
    assert choose_precision("fp32", "cpu", native_bf16=True) == "fp32"
    assert choose_precision("bf16", "cpu", native_bf16=False) == "bf16"  # asked for: honoured
    with pytest.raises(ModelError, match="fp8"):
        choose_precision("fp8", "cpu", native_bf16=True)
    assert choose_batch_size(8, "cpu") == 8 and choose_batch_size(8, "cuda") == 128


def test_precision_applies_inside_encode_only():
    import torch

    class Model:
        def encode(self, texts, **kwargs):
            self.seen = torch.is_autocast_enabled("cpu"), torch.get_autocast_dtype("cpu")
            return np.ones((len(texts), 4), np.float32)

    embedder = SentenceTransformerEmbedder("unused", "m", dim=4)
    embedder._model, embedder.device, embedder.precision = Model(), "cpu", "bf16"
    assert embedder.embed(["a", "b"]).dtype == np.float32
    assert embedder._model.seen == (True, torch.bfloat16)
    assert not torch.is_autocast_enabled("cpu")
    embedder.precision = "fp32"
    embedder.embed(["a"])
    assert embedder._model.seen[0] is False


@pytest.mark.real_models
def test_real_embedder_bf16_and_batching_keep_the_vectors():
    from rag.models import embedder_path

    texts = [
        "How do I reset the router?",
        "Refunds are paid within five business days of the return being received. " * 6,
        "Warranty",
    ]
    fp32 = SentenceTransformerEmbedder(embedder_path(""), "m", precision="fp32")
    bf16 = SentenceTransformerEmbedder(embedder_path(""), "m", precision="bf16", batch_size=2)
    reference = fp32.embed(texts)
    one_by_one = np.concatenate([fp32.embed([t]) for t in texts])
    assert np.allclose(reference, one_by_one, atol=1e-5)
    assert fp32.precision == "fp32" and bf16.embed(texts[:1]).shape == (1, 384)
    cosines = (bf16.embed(texts) * reference).sum(axis=1)
    assert cosines.min() > 0.999


@pytest.mark.real_models
def test_real_embedder_reads_only_max_tokens_word_pieces():
    from transformers import AutoTokenizer

    from rag.models import embedder_path

    folder = embedder_path("")
    long = " ".join(f"The warranty covers part {i} for two years." for i in range(40))
    pieces = AutoTokenizer.from_pretrained(folder)(long, add_special_tokens=False)["input_ids"]
    assert len(pieces) > 200  # more than the cap below, within the model's own 256
    cut = SentenceTransformerEmbedder(folder, "m", precision="fp32", max_tokens=64)
    whole = SentenceTransformerEmbedder(folder, "m", precision="fp32")
    head = AutoTokenizer.from_pretrained(folder).decode(pieces[:62])  # 62 + [CLS] + [SEP]
    assert (cut.embed([long]) * cut.embed([head])).sum() > 0.999  # the rest is not read
    assert (cut.embed([long]) * whole.embed([long])).sum() < 0.99
    assert whole._model.max_seq_length == 256 and cut._model.max_seq_length == 64


def test_vectors_are_cached_per_word_pieces_read(settings):
    from dataclasses import replace

    from ui.compose import App

    capped = App(settings).embedder_name
    uncut = App(replace(settings, embed_max_tokens=0)).embedder_name
    assert capped.endswith(f"#{settings.embed_max_tokens}") and settings.embed_max_tokens > 0
    assert uncut == capped.rsplit("#", 1)[0]  # an index built with one will not load with the other
