"""Run a dataset through retrieval or the whole answer pipeline, resumably, in batches."""

from __future__ import annotations

import functools
import hashlib
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from evals.dataset import Dataset, DatasetError, Example
from evals.metrics import (
    Judge,
    abstention_correct,
    bootstrap_ci,
    citation_scores,
    contains_answer,
    exact_match,
    faithfulness,
    mrr,
    ndcg_at_k,
    point_recall,
    recall_at_k,
    token_f1,
    within,
)
from evals.runs import RunStore
from rag.answering.pipeline import Pipeline
from rag.answering.scorers import SupportScorer
from rag.retrieval.retriever import Filters
from rag.serialise import answer_dict
from rag.storage.store import Store
from rag.text.overlap import support
from rag.types import NOT_IN_SOURCES, Answer

RETRIEVAL_KS = (1, 5, 10, 100)


def scorer_judge(scorer: SupportScorer, threshold: float) -> Judge:
    """A support scorer of the core as a yes/no judge: the passages joined must reach the
    threshold. With the configured verifier, this is the same check live answers pass."""
    return lambda claim, passages: scorer.scores([(claim, "\n".join(passages))])[0] >= threshold


def select(
    examples: list[Example],
    limit: int | None,
    sample: int | None,
    seed: int,
    balanced: bool = False,
) -> list[Example]:
    """A reproducible random sample (if asked), then the first `limit` examples.

    `balanced`: half of the sample from answerable questions and half from the others, so
    abstention accuracy is not dominated by one kind (the sample is then shuffled).
    """
    rng = random.Random(seed)
    if sample and balanced:
        half = sample // 2
        kinds = [[e for e in examples if e.answerable], [e for e in examples if not e.answerable]]
        if min(map(len, kinds)) < half:
            raise DatasetError(
                f"--balanced --sample {sample} needs {half} answerable and {half} unanswerable "
                f"questions; the dataset has {len(kinds[0])} and {len(kinds[1])}: lower --sample"
            )
        examples = [e for kind in kinds for e in rng.sample(kind, half)]
        rng.shuffle(examples)
    elif sample:
        examples = rng.sample(examples, min(sample, len(examples)))
    return examples[:limit] if limit else examples


@functools.cache
def code_fingerprint() -> str:
    """A hash of Footnote's own code and the rules it reads as data (the rag, ingest and evals
    packages: their Python and their word lists and phrase rules, rag/text/lexicon)."""
    import ingest
    import rag

    roots = [Path(package.__file__).parent for package in (rag, ingest, sys.modules[__package__])]
    return fingerprint(roots)


def fingerprint(roots: list[Path]) -> str:
    """A hash of every file under `roots` but compiled caches: editing a lexicon's word list
    changes it as editing code does, so an evaluation never resumes another rule's results."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(path.relative_to(root.parent).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def run_id_for(
    kind: str, dataset: Dataset, settings: dict, options: dict, code: str | None = None
) -> str:
    """Deterministic: the same command on the same data, settings and code resumes the same run;
    changed code (an upgrade, a fix) starts a new run instead of resuming the old code's results."""
    code = code_fingerprint() if code is None else code
    key = json.dumps([kind, dataset.sha256, settings, options, code], sort_keys=True, default=str)
    return f"{kind[:3]}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def check_gold_ingested(dataset: Dataset, examples: list[Example], store: Store) -> dict[str, str]:
    """gold source -> stored source; raise listing the gold sources that were never ingested."""
    keys = store.document_keys()
    resolved = {g: keys.get(dataset.resolve_source(g)) for e in examples for g in e.gold_sources}
    missing = sorted(g for g, source in resolved.items() if source is None)
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise DatasetError(
            f"{len(missing)} gold sources of {dataset.path} were never ingested ({shown}); "
            f"ingest the corpus first, e.g. `footnote ingest {dataset.path.parent / 'corpus'}`"
        )
    return resolved


def score_retrieval(example: Example, hits, gold_map: dict[str, str]) -> dict:
    ranked = list(dict.fromkeys(h.source for h in hits))  # document ranking, best chunk first
    gold = {gold_map[g] for g in example.gold_sources}
    row = {
        "id": example.id,
        "question": example.question,
        "gold": sorted(gold),
        "ranked": ranked[:10],
    }
    if gold:
        row.update({f"recall@{k}": recall_at_k(ranked, gold, k) for k in RETRIEVAL_KS})
        row.update({"mrr": mrr(ranked, gold), "ndcg@10": ndcg_at_k(ranked, gold, 10)})
    return row


def score_answer(example: Example, answer: Answer, gold_map: dict[str, str], judge: Judge) -> dict:
    declined = answer.status == NOT_IN_SOURCES
    data = answer_dict(answer)
    passages = {c.number: c.passage for c in answer.citations}
    sources = [c.source for c in answer.citations]
    gold = {gold_map[g] for g in example.gold_sources}
    row = {
        "id": example.id,
        "question": example.question,
        "status": answer.status,
        "answer": answer.text,
        "answers": list(example.answers),
        "gold": sorted(gold),
        "answer_id": answer.id,
        "sentences": data["sentences"],
        "passages": {str(n): p for n, p in passages.items()},  # for judging the run again later
        "sources": sources,
        "latency_s": answer.timings.get("total_s", 0.0),
        "timings": data["timings"],
        "relevance": data["relevance"],
        "fallback": data["fallback"],
        "counts": data["counts"],
        "decisions": data["decisions"],
        "answerable": example.answerable,
        "abstention": abstention_correct(example.answerable, declined),
        ("covered_answered" if example.answerable else "uncovered_declined"): float(
            declined != example.answerable
        ),
    }
    if example.answerable and example.answers:
        text = "" if declined else " ".join(s.text for s in answer.sentences)
        row.update(
            em=exact_match(text, example.answers),
            f1=token_f1(text, example.answers),
            contains=contains_answer(text, example.answers),
        )
    if example.style:
        row["style"] = example.style
    shown = " ".join(s.text for s in answer.sentences if s.supported)
    if example.reference and not declined:  # a cheap proxy of correctness, for iterating
        row["reference_support"] = support(shown, example.reference)
    if example.point and example.answerable:  # another: the point's words said (0 declined)
        row["point_recall"] = 0.0 if declined else point_recall(shown, example.point)
    if example.gold_anchor and example.reference and not declined:
        quotes = [c.quote for c in answer.citations]
        row["cited_gold_section"] = float(any(within(q, example.reference) for q in quotes))
    if gold:
        row["cited_gold"] = float(bool(gold & set(sources)))
        row["retrieved_gold"] = float(bool(gold & {h.source for h in answer.closest}))
    if gold and example.gold_pages:  # a paged source: the right page, not only the right file
        cited = {(c.source, c.page) for c in answer.citations}
        wanted = {(g, p) for g in gold for p in example.gold_pages}
        row["cited_gold_page"] = float(bool(cited & wanted))
        if not declined:  # of answered questions: a gold page cited, or the page after one
            near = wanted | {(g, p + 1) for g, p in wanted}
            row["answered_gold_page"] = float(bool(cited & near))
    if gold and not declined:  # of answered questions: the right file cited
        row["answered_gold"] = float(bool(gold & set(sources)))
    if not declined and answer.sentences:
        pairs = [(s.text, [passages[n] for n in s.citations]) for s in answer.sentences]
        row["citation_recall"], row["citation_precision"] = citation_scores(pairs, judge)
        context = [h.chunk.text for h in answer.closest]
        row["faithfulness"] = faithfulness([s.text for s in answer.sentences], context, judge)
    return row


def aggregate(rows: list[dict], names: list[str]) -> dict[str, dict]:
    """name -> {value, low, high, n} over the rows that have the metric."""
    out = {}
    for name in names:
        values = [float(r[name]) for r in rows if r.get(name) is not None]
        if values:
            value, low, high = bootstrap_ci(values)
            out[name] = {"value": value, "low": low, "high": high, "n": len(values)}
    return out


RETRIEVAL_METRICS = [*(f"recall@{k}" for k in RETRIEVAL_KS), "mrr", "ndcg@10"]
ANSWER_METRICS = [
    "em",
    "f1",
    "contains",
    "citation_recall",
    "citation_precision",
    "faithfulness",
    "abstention",
    "covered_answered",
    "uncovered_declined",
    "reference_support",
    "point_recall",
    "cited_gold_section",
    "cited_gold",
    "cited_gold_page",
    "answered_gold",
    "answered_gold_page",
    "retrieved_gold",
    "latency_s",
]


def run(
    kind: str,
    pipeline: Pipeline,
    runs: RunStore,
    dataset: Dataset,
    examples: list[Example],
    *,
    settings: dict,
    options: dict,
    judge: Judge,
    batch_size: int = 16,
    progress: Callable[[int], None] | None = None,
    fresh: bool = False,
) -> str:
    """Score every example not yet scored in this run; return the run id."""
    gold_map = check_gold_ingested(dataset, examples, pipeline.store)
    run_id = run_id_for(kind, dataset, settings, options)
    if fresh:
        runs.delete(run_id)
    runs.open(run_id, kind, str(dataset.path), dataset.sha256, settings, options)
    done = runs.done_ids(run_id)
    if progress:
        progress(len(done))
    todo = [(i, e) for i, e in enumerate(examples) if e.id not in done]
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        rows = _score_batch(kind, pipeline, [e for _, e in batch], gold_map, judge)
        runs.add_results(run_id, [(i, e.id, r) for (i, e), r in zip(batch, rows, strict=True)])
        if progress:
            progress(len(batch))
    results = runs.results(run_id)
    names = RETRIEVAL_METRICS if kind == "retrieval" else ANSWER_METRICS
    runs.finish(run_id, aggregate(results, names))
    return run_id


def _score_batch(kind, pipeline, examples, gold_map, judge) -> list[dict]:
    if kind == "answers":
        return [
            score_answer(e, pipeline.ask(e.question, _filters(e)), gold_map, judge)
            for e in examples
        ]
    rows: dict[str, dict] = {}
    for collection in dict.fromkeys(e.collection for e in examples):  # one search per filter
        group = [e for e in examples if e.collection == collection]
        t0 = time.perf_counter()
        hits = pipeline.retrieve_many(
            [e.question for e in group], max(RETRIEVAL_KS), _filters(group[0])
        )
        per_q = (time.perf_counter() - t0) / len(group)
        for e, h in zip(group, hits, strict=True):
            rows[e.id] = {**score_retrieval(e, h, gold_map), "latency_s": per_q}
    return [rows[e.id] for e in examples]


def _filters(example: Example) -> Filters | None:
    return Filters(collections=(example.collection,)) if example.collection else None


__all__ = ["run", "scorer_judge", "select"]
