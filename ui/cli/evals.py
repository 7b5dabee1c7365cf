"""`footnote eval ...`: import datasets, run evaluations, judge, report, gate."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from evals import gate as gates
from evals.dataset import DatasetError, load_dataset
from evals.report import html_report, markdown_summary
from evals.runs import RunStore
from ui.cli.root import app_of


@click.group("eval")
def eval_group() -> None:
    """Evaluate retrieval and answers on a dataset; report and gate the results."""


@eval_group.command("import")
@click.argument(
    "kind", type=click.Choice(["squad", "scifact", "summedits", "wice", "halueval", "begin"])
)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="output folder (squad, scifact) or JSONL file of labelled pairs (the others)",
)
@click.option(
    "--hold-out-articles",
    default=0,
    show_default=True,
    help="SQuAD: leave the last N articles out of the corpus (unanswerable questions)",
)
def import_cmd(kind: str, files: tuple[Path, ...], out: Path, hold_out_articles: int) -> None:
    """Convert SQuAD or SciFact files into OUT/dataset.jsonl and OUT/corpus/, or SummEdits,
    WiCE, HaluEval or BEGIN files into labelled support pairs (JSONL: source, claim, label)."""
    from evals.importers import import_scifact, import_squad
    from evals.judging import READERS, import_pairs

    if kind in READERS:
        click.echo(f"{out}: {import_pairs(kind, list(files), out)}")
        return
    if kind == "squad":
        counts = import_squad(list(files), out, hold_out_articles)
    else:
        counts = import_scifact(list(files), out)
    click.echo(f"{out / 'dataset.jsonl'}: {counts}; next: footnote ingest {out / 'corpus'}")


def _run_command(kind: str):
    @click.argument("dataset", type=click.Path(path_type=Path))
    @click.option("--limit", type=int, help="only the first N questions (after --sample)")
    @click.option("--sample", type=int, help="a random sample of N questions")
    @click.option("--seed", default=0, show_default=True, help="seed of --sample")
    @click.option(
        "--balanced",
        is_flag=True,
        help="--sample half answerable and half unanswerable questions",
    )
    @click.option("--batch-size", default=32 if kind == "retrieval" else 4, show_default=True)
    @click.option("--fresh", is_flag=True, help="discard stored results of this run first")
    @click.option(
        "--judge",
        "judge_kind",
        type=click.Choice(["lexical", "llm", "cascade"]),
        default=None,
        help="support judge of the citation metrics (default: verifier)",
    )
    @click.option("--json", "as_json", is_flag=True, help="print the metrics as one JSON object")
    @click.pass_context
    def command(
        ctx, dataset, limit, sample, seed, balanced, batch_size, fresh, judge_kind, as_json
    ):
        from tqdm import tqdm

        from evals.runner import run, scorer_judge, select

        app = app_of(ctx)
        data = load_dataset(dataset)
        if data.errors:
            click.echo(
                f"skipped {len(data.errors)} bad lines of {dataset} (first: line "
                f"{data.errors[0][0]}: {data.errors[0][1]})",
                err=True,
            )
        try:
            examples = select(data.examples, limit, sample, seed, balanced)
        except DatasetError as exc:
            raise click.UsageError(str(exc)) from None
        with tqdm(total=len(examples), unit="q", desc=kind, file=sys.stderr, disable=None) as bar:
            run_id = run(
                kind,
                app.pipeline,
                RunStore(app.store),
                data,
                examples,
                settings=app.eval_settings(),
                options={
                    "limit": limit,
                    "sample": sample,
                    "seed": seed,
                    "judge": judge_kind,
                    **({"balanced": True} if balanced else {}),
                },
                judge=scorer_judge(app.support_scorer(judge_kind), app.limits.min_support),
                batch_size=batch_size,
                progress=bar.update,
                fresh=fresh,
            )
        meta = RunStore(app.store).get(run_id)
        if as_json:
            click.echo(json.dumps({"run": run_id, "metrics": meta["metrics"]}))
        else:
            click.echo(markdown_summary([meta]))
            click.echo(f"\nrun {run_id}; report: footnote eval report {run_id}")

    command.__doc__ = f"Run every question of DATASET through {kind} and score it (resumable)."
    return command


eval_group.command("retrieval")(_run_command("retrieval"))
eval_group.command("answers")(_run_command("answers"))


@eval_group.command("judge")
@click.argument("pairs", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--scorer",
    type=click.Choice(["lexical", "llm", "cascade"]),
    default=None,
    help="support scorer (default: the `verifier` setting)",
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


@eval_group.command("citations")
@click.argument("run_id")
@click.option(
    "--scorer",
    type=click.Choice(["lexical", "llm", "cascade"]),
    default="llm",
    show_default=True,
    help="the judge; llm uses the `judge_model` setting (e.g. footnote --judge-model FILE)",
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


@eval_group.command("report")
@click.argument("runs", nargs=-1, required=True)
@click.option("--out", type=click.Path(path_type=Path), help="HTML file (default: report-RUN.html)")
@click.pass_context
def report(ctx, runs: tuple[str, ...], out: Path | None) -> None:
    """Write a self-contained HTML report of one run or a comparison; print a Markdown summary."""

    store = RunStore(app_of(ctx).store)
    loaded = [(store.get(r), store.results(r)) for r in runs]
    out = out or Path(f"report-{'-vs-'.join(runs)}.html")
    out.write_text(html_report(loaded), encoding="utf-8")
    click.echo(markdown_summary([meta for meta, _ in loaded]))
    click.echo(f"\nHTML report: {out}")


@eval_group.command("gate")
@click.argument("run_id")
@click.option("--baseline", required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def gate(ctx, run_id: str, baseline: Path) -> None:
    """Fail (exit 1) when a metric of RUN_ID falls below its floor in the baseline file."""

    meta = RunStore(app_of(ctx).store).get(run_id)
    failures = gates.check(meta["metrics"] or {}, gates.load_baseline(baseline))
    click.echo(markdown_summary([meta]))
    if failures:
        click.echo("gate FAILED:\n  " + "\n  ".join(failures), err=True)
        sys.exit(1)
    click.echo("gate passed")


@eval_group.command("list")
@click.pass_context
def list_runs(ctx) -> None:
    """The stored evaluation runs, newest first."""

    for meta in RunStore(app_of(ctx).store).list():
        state = "finished" if meta["finished_at"] else "interrupted"
        click.echo(f"{meta['id']}  {meta['kind']:9}  {state:11}  {meta['dataset']}")


@eval_group.command("extraction")
@click.option(
    "--readability",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Mozilla Readability test pages (folders with source.html + expected.html)",
)
@click.option(
    "--trafilatura",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="trafilatura's evaluation set (evaldata.json + html/*.gz)",
)
@click.option("--limit", type=int, help="score only the first N pages of each set")
@click.option("--min-f1", type=float, help="fail (exit 1) when a set's F1 is below this")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def extraction(readability, trafilatura, limit, min_f1, as_json) -> None:
    """Precision / recall / F1 of Footnote's HTML main-text extraction against gold sets."""
    from evals.extraction import readability_scores, snippet_scores

    if not (readability or trafilatura):
        raise click.UsageError("give --readability DIR and/or --trafilatura DIR")
    results = {}
    if readability:
        results["readability"] = readability_scores(readability, limit).as_dict()
    if trafilatura:
        results["trafilatura"] = snippet_scores(trafilatura, limit).as_dict()
    if as_json:
        click.echo(json.dumps(results))
    else:
        for name, r in results.items():
            click.echo(
                f"{name}: {r['pages']} pages  precision {r['precision']:.3f}  "
                f"recall {r['recall']:.3f}  F1 {r['f1']:.3f}  "
                f"{r['seconds_per_page'] * 1000:.0f} ms/page"
            )
    low = [n for n, r in results.items() if min_f1 is not None and r["f1"] < min_f1]
    if low:
        click.echo(f"extraction gate FAILED: F1 below {min_f1} on {', '.join(low)}", err=True)
        sys.exit(1)
