"""`footnote eval ...`: import datasets, run evaluations, judge, report, gate."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from evals import gate as gates
from evals.report import html_report, markdown_summary
from evals.runs import RunStore
from ui.cli.eval_judges import citations, correctness, edits, judge
from ui.cli.eval_runs import answers, retrieval
from ui.cli.options import examples
from ui.cli.root import CONTEXT, app_of


@click.group(
    "eval",
    context_settings=CONTEXT,
    epilog=examples(
        "footnote eval answers evals/gate/dataset.jsonl",
        "footnote eval report RUN",
        "footnote eval gate RUN --baseline evals/gate/baseline.json",
    ),
)
def eval_group() -> None:
    """Evaluate retrieval and answers on a dataset; report and gate the results."""


for _command in (answers, retrieval, judge, citations, correctness, edits):
    eval_group.add_command(_command)


@eval_group.command(
    "import",
    epilog=examples(
        "footnote eval import squad dev-v2.0.json --out squad --hold-out-articles 5",
        "footnote eval import faq debian-faq-html/ --out faq",
        "footnote eval import summedits summedits/*.jsonl --out pairs.jsonl",
    ),
)
@click.argument(
    "kind",
    type=click.Choice(["squad", "scifact", "faq", "summedits", "wice", "halueval", "begin"]),
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
@click.option(
    "--uncovered",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="faq: JSONL of questions the docs do not cover (one `question` per line)",
)
@click.option(
    "--pdf",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="faq: the same FAQ as one PDF: the questions' gold source, with the pages to cite",
)
def import_cmd(
    kind: str, files: tuple[Path, ...], out: Path, hold_out_articles: int, uncovered, pdf
) -> None:
    """Convert SQuAD or SciFact files into OUT/dataset.jsonl and OUT/corpus/; a docs folder of
    HTML pages, or one PDF manual (FILES: DOCS [QUESTIONS.jsonl]), into a FAQ dataset with
    reference answers; or SummEdits, WiCE, HaluEval or BEGIN files into labelled pairs (JSONL:
    source, claim, label)."""
    from evals.faq import import_faq
    from evals.importers import import_scifact, import_squad
    from evals.judging import READERS, import_pairs

    if kind in READERS:
        click.echo(f"{out}: {import_pairs(kind, list(files), out)}")
        return
    if kind == "faq":
        if len(files) > 2:
            raise click.UsageError("faq takes DOCS_FOLDER_OR_PDF [QUESTIONS.jsonl]")
        questions = files[1] if len(files) == 2 else None
        counts = import_faq(files[0], out, questions, uncovered, pdf)
        corpus = pdf or files[0]
        click.echo(f"{out / 'dataset.jsonl'}: {counts}; next: footnote ingest {corpus}")
        return
    if kind == "squad":
        counts = import_squad(list(files), out, hold_out_articles)
    else:
        counts = import_scifact(list(files), out)
    click.echo(f"{out / 'dataset.jsonl'}: {counts}; next: footnote ingest {out / 'corpus'}")


@eval_group.command(
    "split",
    epilog=examples(
        "footnote eval split ../shared/data/panel/debian-faq/dataset.jsonl",
        "footnote eval split faq/dataset.jsonl --seed 7",
    ),
)
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--seed", default=2026, show_default=True, help="the split's seed (keep it fixed)")
def split_cmd(dataset: Path, seed: int) -> None:
    """Split DATASET at random into a tuning half and a check half, each style evenly (written
    next to it as STEM-tune.jsonl and STEM-check.jsonl): tune rules on the first, report both."""
    from evals.split import split_file

    for half, path in split_file(dataset, seed).items():
        click.echo(f"{half}: {path}")


@eval_group.command(
    "export",
    epilog=examples("footnote eval export RUN faq/dataset-check.jsonl --out to-grade.jsonl"),
)
@click.argument("run_id")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def export_cmd(ctx, run_id: str, dataset: Path, out: Path) -> None:
    """Write RUN_ID's answers as items for a grader who did not tune the rules (the rubric:
    ../shared/GRADING.md), with DATASET's answer points and references."""
    from evals.dataset import load_dataset
    from evals.grading import packet

    items = packet(RunStore(app_of(ctx).store).results(run_id), load_dataset(dataset).examples)
    out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))
    click.echo(f"{out}: {len(items)} answers to grade")


@eval_group.command("grades", epilog=examples("footnote eval grades RUN --labels grades.jsonl"))
@click.argument("run_id")
@click.option("--labels", required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def grades_cmd(ctx, run_id: str, labels: Path) -> None:
    """Count a grader's labels (LABELS: JSONL of id, label, why) of RUN_ID's answers, by kind
    and style: correct = CORRECT of covered questions."""
    from evals.breakdown import markdown_rows
    from evals.grading import read_labels, summary

    rows = summary(read_labels(labels), RunStore(app_of(ctx).store).results(run_id))
    click.echo(markdown_rows(rows))


@eval_group.command(
    "report",
    epilog=examples(
        "footnote eval report RUN", "footnote eval report OLD_RUN NEW_RUN --out cmp.html"
    ),
)
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


@eval_group.command(
    "gate", epilog=examples("footnote eval gate RUN --baseline evals/gate/baseline.json")
)
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


@eval_group.command("list", epilog=examples("footnote eval list"))
@click.pass_context
def list_runs(ctx) -> None:
    """The stored evaluation runs, newest first."""

    for meta in RunStore(app_of(ctx).store).list():
        state = "finished" if meta["finished_at"] else "interrupted"
        click.echo(f"{meta['id']}  {meta['kind']:9}  {state:11}  {meta['dataset']}")


@eval_group.command(
    "extraction",
    epilog=examples(
        "footnote eval extraction --readability readability-test-pages/ --limit 50",
        "footnote eval extraction --trafilatura trafilatura-eval/ --min-f1 0.8 --json",
    ),
)
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
