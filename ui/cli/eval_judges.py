"""`footnote eval judge` (a support scorer on labelled pairs) and `footnote eval citations` (a
finished run's citations judged again by an independent model)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from evals.runs import RunStore
from ui.cli.options import examples
from ui.cli.root import app_of


@click.command(
    "judge",
    epilog=examples(
        "footnote eval import summedits summedits/*.jsonl --out pairs.jsonl",
        "footnote eval judge pairs.jsonl --scorer lexical --sample 500",
    ),
)
@click.argument("pairs", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--scorer",
    type=click.Choice(["lexical", "meaning", "llm", "cascade"]),
    default=None,
    help="support scorer (default: the `verifier` setting; meaning: the own-words rule)",
)
@click.option("--sample", type=int, help="a balanced random sample of N pairs")
@click.option("--seed", default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the figures as one JSON object")
@click.pass_context
def judge(ctx, pairs: Path, scorer: str | None, sample: int | None, seed: int, as_json: bool):
    """Score labelled pairs with the support scorer: ROC-AUC, balanced accuracy, s/pair."""
    import time

    from evals.judging import balanced_accuracy, best_threshold, load_pairs, roc_auc

    app = app_of(ctx)
    rows = load_pairs(pairs, sample, seed)
    chosen = app.support_scorer(scorer)
    t0 = time.perf_counter()
    scores = chosen.scores([(r["claim"], r["source"]) for r in rows])
    seconds = (time.perf_counter() - t0) / len(rows)
    labels = [int(r["label"]) for r in rows]
    threshold = app.limits.min_support
    result = {
        "scorer": chosen.name,
        "pairs": len(rows),
        "roc_auc": roc_auc(scores, labels),
        "balanced_accuracy": balanced_accuracy(scores, labels, threshold),
        "threshold": threshold,
        "best_threshold": best_threshold(scores, labels),
        "seconds_per_pair": seconds,
    }
    result["balanced_accuracy_at_best"] = balanced_accuracy(
        scores, labels, result["best_threshold"]
    )
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo("\n".join(f"{k}: {v}" for k, v in result.items()))


@click.command(
    "citations",
    epilog=examples(
        "footnote models install --judge",
        "footnote -s judge_model=JUDGE.gguf eval citations RUN --sample 100",
    ),
)
@click.argument("run_id")
@click.option(
    "--scorer",
    type=click.Choice(["lexical", "llm", "cascade"]),
    default="llm",
    show_default=True,
    help="the judge; llm uses the `judge_model` setting (e.g. footnote -s judge_model=FILE)",
)
@click.option("--against", type=click.Choice(["passage", "quote"]), default="passage")
@click.option("--threshold", default=0.5, show_default=True, help="judge score that counts as yes")
@click.option("--sample", type=int, help="judge a random sample of N answered questions")
@click.option("--seed", default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the figures as one JSON object")
@click.pass_context
def citations(ctx, run_id, scorer, against, threshold, sample, seed, as_json) -> None:
    """Judge the citations of an answer run again with an independent judge (ALCE citation
    recall and precision, share of shown sentences unsupported); stored in the run's metrics."""
    import time

    from tqdm import tqdm

    from evals.citations import CachedJudge, judge_rows, sample_rows, summarise

    app = app_of(ctx)
    runs = RunStore(app.store)
    meta = runs.get(run_id)
    rows = sample_rows(runs.results(run_id), sample, seed)
    if rows and "passages" not in rows[0]:
        raise click.UsageError(
            f"run {run_id} stored no cited passages (made before this command existed); "
            "run the evaluation again with --fresh"
        )
    judge = CachedJudge(app.support_scorer(scorer), threshold)
    t0 = time.perf_counter()
    with tqdm(total=len(rows), unit="q", desc="judging", file=sys.stderr, disable=None) as bar:
        judged = judge_rows(rows, judge, against, bar.update)
    seconds = time.perf_counter() - t0
    summary = summarise(judged)
    model = app.judge_name
    info = {"scorer": scorer, "model": model if scorer != "lexical" else "", "against": against}
    info |= {"threshold": threshold, "questions": len(judged), "judgements": len(judge.cache)}
    info["seconds_per_judgement"] = seconds / max(1, len(judge.cache))
    metrics = dict(meta["metrics"] or {})
    prefix = "judged_" if against == "passage" else "judged_quote_"
    metrics.update({f"{prefix}{k}": v for k, v in summary.items()})
    by_id = {r["id"]: r for r in rows}
    runs.update_results(  # each sentence's judgement, to see which ones the judge rejected
        run_id,
        {j["id"]: {**by_id[j["id"]], f"{prefix}scores": j["scores"]} for j in judged},
    )
    runs.finish(run_id, metrics)
    if as_json:
        click.echo(json.dumps({"run": run_id, "judge": info, "metrics": summary}))
        return
    click.echo("\n".join(f"{k}: {v}" for k, v in info.items()))
    for name, m in summary.items():
        click.echo(f"{name}: {m['value']:.3f} [{m['low']:.3f}, {m['high']:.3f}] (n={m['n']})")


@click.command(
    "correctness",
    epilog=examples(
        "footnote -s judge_model=JUDGE.gguf eval correctness RUN",
        "footnote eval correctness RUN --hand-grades graded.jsonl --json",
    ),
)
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="print the figures as one JSON object")
@click.option(
    "--hand-grades",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSONL of answers graded by hand (id, answer, correct, responsive, wrong): print "
    "the judge's agreement with them on this run",
)
@click.pass_context
def correctness(ctx, run_id: str, as_json: bool, hand_grades: Path | None) -> None:
    """Judge an answer run's answers against the dataset's reference answers with the judge model
    (the `judge_model` setting: use a different, larger model than the one that answered):
    correct, responsive, wrong statement shown, with covered answered and uncovered declined.
    Resumable: graded answers are stored with the run and not graded again."""
    from evals.correctness import agreement, correctness_metrics, verdicts
    from evals.dataset import load_dataset

    app = app_of(ctx)
    runs = RunStore(app.store)
    meta = runs.get(run_id)
    examples = {e.id: e for e in load_dataset(Path(meta["dataset"])).examples}
    rows = [{**r, "answerable": examples[r["id"]].answerable} for r in runs.results(run_id)]
    references = {i: e.reference for i, e in examples.items() if e.reference}
    if not references:
        raise click.UsageError(f"{meta['dataset']} has no reference answers to judge against")
    _grade_missing(app, runs, run_id, [r for r in rows if "grades" not in r], references)
    rows = runs.results(run_id)
    # verdicts from the stored scores: a new calibration applies to runs graded before it
    grades = {r["id"]: {**r["grades"], **verdicts(r["grades"])} for r in rows if r.get("grades")}
    rows = [{**r, "answerable": examples[r["id"]].answerable} for r in rows]
    summary = correctness_metrics(rows, grades)
    metrics = dict(meta["metrics"] or {})
    metrics.update({f"judged_{k}": v for k, v in summary.items()})
    runs.finish(run_id, metrics)
    agreed = agreement(rows, _jsonl(hand_grades)) if hand_grades else {}
    if as_json:
        out = {"run": run_id, "judge": app.judge_name, "metrics": summary}
        click.echo(json.dumps({**out, "agreement": agreed} if hand_grades else out))
        return
    click.echo(f"judge: {app.judge_name} and all-mpnet-base-v2")
    for name, m in summary.items():
        click.echo(f"{name}: {m['value']:.3f} [{m['low']:.3f}, {m['high']:.3f}] (n={m['n']})")
    for name, a in agreed.items():
        click.echo(
            f"agreement with hand grades, {name}: {a['agreement']:.3f} on {a['n']} answers "
            f"(judge says yes {a['judge_rate']:.3f}, hand {a['hand_rate']:.3f})"
        )
    if hand_grades and not agreed:
        click.echo(f"none of the answers in {hand_grades} is in this run")


@click.command("edits", epilog=examples("footnote eval edits squad/dev-v2.0.json --passages 100"))
@click.argument("squad_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--passages", default=300, show_default=True, help="passages sampled")
@click.option("--seed", default=0, show_default=True)
@click.option("--rule", type=click.Choice(["live", "order"]), default="live", show_default=True)
@click.pass_context
def edits(ctx, squad_json: Path, passages: int, seed: int, rule: str) -> None:
    """How often an edited passage sentence (negation, number, swapped or foreign name) would
    be shown in the model's words by the live check; passages from a SQuAD-format file."""
    import random

    from evals.edits import live_rule, order_rule, pass_rates

    data = json.loads(squad_json.read_text(encoding="utf-8"))
    contexts = [p["context"] for a in data["data"] for p in a["paragraphs"]]
    sample = random.Random(seed).sample(contexts, min(passages, len(contexts)))
    threshold = app_of(ctx).limits.quote_below
    sure = (live_rule if rule == "live" else order_rule)(threshold)
    for kind, (n, rate) in pass_rates(sample, sure, seed).items():
        click.echo(f"{kind:13} {n:5d} pairs  shown as written {rate:.3f}")


def _grade_missing(app, runs: RunStore, run_id: str, todo: list[dict], references) -> None:
    """Grade the answers not graded yet (the judge models load only then), storing as it goes:
    an interruption resumes."""
    if not todo:
        return
    from tqdm import tqdm

    from evals.correctness import CorrectnessJudge, grade_rows

    judge = CorrectnessJudge(app.judge_model, app.judge_embedder)
    with tqdm(total=len(todo), unit="q", desc="grading", file=sys.stderr, disable=None) as bar:
        for start in range(0, len(todo), 10):
            batch = todo[start : start + 10]
            grades = grade_rows(batch, references, judge, bar.update)
            runs.update_results(
                run_id, {r["id"]: {**r, "grades": grades.get(r["id"])} for r in batch}
            )


def _jsonl(path: Path) -> list[dict]:
    """The rows of a JSONL file of hand grades; a malformed line is a usage error."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append({k: row[k] for k in ("id", "answer", "correct", "responsive", "wrong")})
        except (ValueError, KeyError, TypeError) as exc:
            raise click.UsageError(
                f"{path} line {n} is not a hand grade ({exc}); each line is a JSON object with "
                "id, answer, correct, responsive and wrong"
            ) from None
    return rows
