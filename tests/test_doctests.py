"""The worked examples in docstrings are tests too: every module of the four packages that has
one is run (found by reading the files, so a new module cannot be forgotten)."""

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for package in ("rag", "ingest", "evals", "ui")
    for path in (ROOT / package).rglob("*.py")
    if ">>> " in path.read_text(encoding="utf-8") and "migrations" not in path.parts
)


def test_the_examples_are_found():
    assert {"rag.text.units", "rag.answering.quotes", "evals.metrics"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
