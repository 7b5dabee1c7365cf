"""Answering's stages on real passages, one case file per document style: tests/cases/*.jsonl
(faq, reference, manpage, prose, readme, pdf), each line a passage (with its heading path and
title lines), a question and what a stage must make of them. The stages are called directly:
no App, no database. Cases that need closeness in meaning use the packaged embedder.

A case's `stage`:
- "claim": the check's verdict on a generated sentence `claim` (`expect`: its action, and
  optionally `rule`);
- "lead": the plan's opening excerpt (`expect`: "none", or "lead" with `contains`: strings
  it must hold and `absent`: strings it must not);
- "kind": `rag.text.units.unit_kind` of `text`; "intent": the question's intent; "parts": how
  many questions it asks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.answering.check import Check, Policy
from rag.answering.gate import Gate
from rag.answering.ledger import Ledger
from rag.answering.passage import passage
from rag.answering.plan import plan
from rag.answering.question import Question, analyse
from rag.answering.rules import GENERAL
from rag.answering.scorers import LexicalScorer
from rag.retrieval.terms import TermStats
from rag.text.units import unit_kind
from rag.types import Chunk, Hit

CASES = Path(__file__).parent / "cases"
STYLES = ("faq", "reference", "manpage", "prose", "readme", "pdf")
POLICY = Policy(min_support=0.5, quote_below=0.9, min_responsive=0.3)


def _cases(styles=STYLES, gaps: bool = False) -> list:
    out = []
    for style in styles:
        for number, line in enumerate((CASES / f"{style}.jsonl").read_text().splitlines(), 1):
            if line.strip():
                case = json.loads(line)
                marks = [pytest.mark.xfail(strict=True, reason=case["why"])] if gaps else []
                out.append(pytest.param(case, id=f"{style}-{number}-{case['stage']}", marks=marks))
    return out


def test_every_style_has_twenty_cases_from_real_pages():
    for style in STYLES:
        lines = [json.loads(x) for x in (CASES / f"{style}.jsonl").read_text().splitlines() if x]
        assert len(lines) >= 20, style
        assert all(case.get("source") for case in lines), style


@pytest.fixture(scope="session")
def similarity():
    from rag.models import embedder_path
    from rag.retrieval.embedding import SentenceTransformerEmbedder
    from rag.retrieval.similarity import Similarity

    # fp32 whatever the CPU (bf16 where it has the instructions moves cosines by ~1e-4, which
    # flips the closest unit of a borderline case): the cases mean the same on every machine
    model = SentenceTransformerEmbedder(embedder_path(""), "all-MiniLM-L6-v2", precision="fp32")
    return Similarity(model)


def _passage(case: dict, question: Question, similarity=None):
    text = case["passage"]
    titles = tuple(tuple(t) for t in case.get("titles", ()))
    chunk = Chunk("case", "doc", text, 0, len(text), case.get("heading", ""), titles=titles)
    hit = Hit(chunk, case.get("score", 0.6), source=case["source"])
    if similarity is None:
        return passage(hit, 1, GENERAL)
    parts = tuple(lambda texts, p=p: similarity.cosines(p, texts) for p in question.parts)
    return passage(hit, 1, GENERAL, lambda texts: similarity.cosines(question.text, texts), parts)


def _question(case: dict) -> Question:
    """The case's question with its words weighed over the passage (a tiny corpus: the passage
    and, when given, its `others`)."""
    texts = [case["passage"], *case.get("others", [])]
    return analyse(case["question"], TermStats.build(texts))


@pytest.mark.parametrize("case", _cases(("gaps",), gaps=True))
def test_known_gap(case, request):
    """What answering still gets wrong (tests/cases/gaps.jsonl, each with why): expected to
    fail; one that passes must move to its style's file (strict)."""
    test_case(case, request)


@pytest.mark.parametrize("case", _cases())
def test_case(case, request):
    stage = case["stage"]
    if stage == "kind":
        assert unit_kind(case["text"]) == case["expect"]
        return
    if stage in ("intent", "parts"):
        asked = analyse(case["question"], None)
        found = asked.intent if stage == "intent" else max(1, len(asked.parts))
        assert found == case["expect"]
        return
    asked = _question(case)
    if stage == "claim":
        read = _passage(case, asked)
        check = Check((read,), asked.weights, POLICY, GENERAL, LexicalScorer())
        verdict = check.claim(case["claim"], Ledger())
        assert verdict.action == case["expect"], verdict
        if case.get("rule"):
            assert verdict.rule == case["rule"], verdict
        return
    assert stage == "lead", stage
    similar = request.getfixturevalue("similarity")
    read = _passage(case, asked, similar)
    gate = Gate(1.0, (read,), 1, case.get("section", False))
    chosen = plan(asked, gate, (read,), "best", True, GENERAL)
    meaning = lambda texts: similar.cosines(asked.text, texts)  # noqa: E731
    check = Check((read,), asked.weights, POLICY, GENERAL, LexicalScorer(), meaning)
    ledger, shown = Ledger(), []
    for e in chosen.leads:  # as the pipeline shows them: each through the quote check
        verdict = check.quote(e.position, e.start, e.end, ledger, e.rule, steps=e.steps)
        if ledger.record(verdict, check.passages) is not None:
            shown.append(verdict.text)
    if case["expect"] == "none":
        assert not shown, shown
        return
    assert shown, f"no lead: {chosen}"
    text = " ".join(shown)
    for wanted in case.get("contains", []):
        assert wanted in text, text
    for unwanted in case.get("absent", []):
        assert unwanted not in text, text
