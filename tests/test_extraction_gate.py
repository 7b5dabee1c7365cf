"""CI gate on HTML extraction quality: a fixed sample of the Readability and trafilatura sets."""

from pathlib import Path

from evals.extraction import readability_scores, snippet_scores

GATE = Path(__file__).parent.parent / "evals" / "extraction_gate"
FLOORS = {"readability": 0.983 - 0.02, "trafilatura": 0.887 - 0.02}


def test_readability_sample_f1():
    scores = readability_scores(GATE / "readability").as_dict()
    assert scores["pages"] == 12
    assert scores["f1"] >= FLOORS["readability"], scores


def test_trafilatura_snippet_sample_f1():
    scores = snippet_scores(GATE / "trafilatura").as_dict()
    assert scores["pages"] == 40
    assert scores["f1"] >= FLOORS["trafilatura"], scores
