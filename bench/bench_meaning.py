"""Does a small trained support classifier beat the live check's rules? Trained on CPU on the
labelled sets (WiCE, HaluEval QA, BEGIN) plus synthetic pairs made from SQuAD passages (the
MiniCheck recipe: a passage sentence or a shortened one is supported; the same sentence with a
negation, a changed number, two names swapped or a name from elsewhere, or with its evidence left
out of the passage, is not), and tested on data it never saw: each set in turn held out, then
all four against SummEdits. Figures: ROC-AUC of lexical support, lexical + order (the live
check's cheap signals), the live `meaning` scorer and the trained classifier, with a bootstrap
95% interval for the classifier's gain on SummEdits.

    python bench/bench_meaning.py     (about 2 minutes on 2 cores)

The classifier is logistic regression over the check's own cheap signals (support, order,
the best sentence's support, shared word pairs, numbers and names found, a flipped "not", a
novel fact, length); the live check ships it only if it wins on unseen data (docs/citations.md).
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evals.edits import edits  # noqa: E402
from evals.judging import READERS, roc_auc  # noqa: E402
from rag.answering.citations import align_quote, best_span  # noqa: E402
from rag.answering.meaning import MeaningScorer  # noqa: E402
from rag.text.overlap import in_order, negations, novel_facts, support  # noqa: E402
from rag.text.units import sentence_spans  # noqa: E402
from rag.text.words import content_words  # noqa: E402

DATA = Path(os.environ.get("FOOTNOTE_DATA", Path(__file__).parents[1].parent / "shared" / "data"))
SETS = {
    "wice": sorted((DATA / "wice" / "entailment_retrieval").rglob("*.jsonl")),
    "halueval": [DATA / "halueval-qa" / "qa_data.part.jsonl"],
    "begin": sorted((DATA / "begin").rglob("*.tsv")),
}
SUMMEDITS = [DATA / "summedits" / "summedits_evaluation.jsonl"]
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_NAME = re.compile(r"\b[A-Z][a-zA-Z]+\b")
FEATURES = "support order sentence pairs numbers names negation novel length support+order"


def features(claim: str, passage: str) -> list[float]:
    claim, passage = claim[:2000], passage[:6000]
    words = content_words(claim)
    lexical = support(claim, passage)
    start, end = align_quote(claim, passage, finished=True)
    aligned = passage[start:end]
    order = in_order(claim, aligned) if aligned else 0.0
    start, end = best_span(claim, passage, sentence_spans(passage) or [(0, len(passage))])
    sentence = passage[start:end]
    pairs = set(zip(words, words[1:], strict=False))
    passage_words = content_words(passage)
    shared = (
        len(pairs & set(zip(passage_words, passage_words[1:], strict=False))) / len(pairs)
        if pairs
        else 1
    )
    numbers = _NUMBER.findall(claim)
    names = _NAME.findall(claim[1:])
    return [
        lexical,
        order,
        support(claim, sentence),
        shared,
        sum(n in passage for n in numbers) / len(numbers) if numbers else 1.0,
        sum(n in passage for n in names) / len(names) if names else 1.0,
        float(negations(claim) != negations(aligned or sentence)),
        float(bool(novel_facts(claim, sentence))),
        math.log1p(len(words)),
        min(lexical, order),
    ]


def synthetic(passages: list[str], rng: random.Random) -> list[dict]:
    out = []
    for passage in passages:
        spans = [(a, b) for a, b in sentence_spans(passage) if len(passage[a:b].split()) >= 6]
        if not spans:
            continue
        a, b = rng.choice(spans)
        sentence = passage[a:b]
        clauses = re.split(r",\s+", sentence)
        shorter = ", ".join(clauses[:-1]).rstrip(".") + "."
        claim = sentence if len(clauses) < 3 or rng.random() < 0.5 else shorter
        out.append({"source": passage, "claim": claim, "label": 1})
        edited = edits(sentence, passage, rng)
        if edited:
            out.append({"source": passage, "claim": rng.choice(edited)[1], "label": 0})
        rest = (passage[:a] + passage[b:]).strip()  # the evidence left out
        if rng.random() < 0.5 and len(rest) > 50:
            out.append({"source": rest, "claim": sentence, "label": 0})
    return out


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50):
    """Logistic regression by Newton's method on standardised features: (mean, scale, w)."""
    mean, scale = x.mean(0), x.std(0) + 1e-9
    z = np.column_stack([(x - mean) / scale, np.ones(len(x))])
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + l2 * np.r_[w[:-1], 0]
        hess = (z * (p * (1 - p))[:, None]).T @ z + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return mean, scale, w


def predict(model, x: np.ndarray) -> np.ndarray:
    mean, scale, w = model
    return np.column_stack([(x - mean) / scale, np.ones(len(x))]) @ w


def load(kind: str, files: list[Path], limit: int, rng: random.Random) -> list[dict]:
    rows = [row for path in files for row in READERS[kind](path)]
    return rng.sample(rows, limit) if len(rows) > limit else rows


def main() -> None:
    rng = random.Random(7)
    squad = json.loads((DATA / "squad-v1.1" / "dev-v1.1.part.json").read_text())
    passages = [p["context"] for a in squad["data"] for p in a["paragraphs"]]
    rng.shuffle(passages)
    sets = {kind: load(kind, files, 2000, rng) for kind, files in SETS.items()}
    sets["synthetic"] = synthetic(passages[:600], rng)
    sets["summedits"] = load("summedits", SUMMEDITS, 10**6, rng)
    began, pairs = time.perf_counter(), 0
    x, y = {}, {}
    for name, rows in sets.items():
        x[name] = np.array([features(r["claim"], r["source"]) for r in rows])
        y[name] = np.array([r["label"] for r in rows], dtype=float)
        pairs += len(rows)
    per_pair = (time.perf_counter() - began) / pairs * 1000
    meaning = MeaningScorer(0.9)
    print(f"features: {FEATURES}; {per_pair:.1f} ms per pair")
    print(
        f"{'held out':<10} {'pairs':>6} {'pos':>5} {'lexical':>8} {'lex+ord':>8} "
        f"{'meaning':>8} {'trained':>8}"
    )
    training = ["wice", "halueval", "begin", "synthetic"]
    for held in [*training, "summedits"]:
        rest = [k for k in training if k != held]
        model = fit(np.vstack([x[k] for k in rest]), np.concatenate([y[k] for k in rest]))
        labels = y[held]
        rows = sets[held]
        live = meaning.scores([(r["claim"][:2000], r["source"][:6000]) for r in rows])
        trained = predict(model, x[held])
        print(
            f"{held:<10} {len(rows):>6} {np.mean(labels):>5.2f} "
            f"{roc_auc(x[held][:, 0], labels):>8.3f} "
            f"{roc_auc(x[held][:, -1], labels):>8.3f} {roc_auc(live, labels):>8.3f} "
            f"{roc_auc(trained, labels):>8.3f}"
        )
    boot = np.random.default_rng(0)
    labels, trained = y["summedits"], predict(model, x["summedits"])
    gains = {"lexical": [], "lex+ord": []}
    for _ in range(1000):
        i = boot.integers(0, len(labels), len(labels))
        base = roc_auc(trained[i], labels[i])
        gains["lexical"].append(base - roc_auc(x["summedits"][i, 0], labels[i]))
        gains["lex+ord"].append(base - roc_auc(x["summedits"][i, -1], labels[i]))
    for name, values in gains.items():
        low, high = np.percentile(values, [2.5, 97.5])
        print(f"SummEdits: trained - {name}: {np.mean(values):+.3f} [{low:+.3f}, {high:+.3f}]")


if __name__ == "__main__":
    main()
