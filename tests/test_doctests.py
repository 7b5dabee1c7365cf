"""The worked examples in docstrings are tests too."""

import doctest
import importlib

import pytest

MODULES = [
    "rag.types",
    "rag.answering.citations",
    "rag.answering.meaning",
    "rag.answering.openings",
    "rag.answering.prompt",
    "rag.answering.quotes",
    "rag.answering.sentences",
    "rag.answering.support",
    "rag.answering.words",
    "rag.retrieval.retriever",
    "rag.retrieval.terms",
    "ingest.chunk",
    "ingest.outline",
    "ingest.pdf",
    "ui.web.view",
    "evals.correctness",
    "evals.edits",
    "evals.metrics",
    "evals.faq_pdf",
    "evals.judging",
    "rag.dates",
    "rag.retrying",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
