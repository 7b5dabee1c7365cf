"""`footnote eval retrieval|answers DATASET`: run every question, resumably, and score it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from evals.breakdown import markdown_by_style, markdown_rules
from evals.dataset import DatasetError, load_dataset
from evals.report import markdown_summary
from evals.runner import run, scorer_judge, select
from evals.runs import RunStore
from rag.errors import FootnoteError
from ui.cli.options import examples
from ui.cli.root import app_of


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
    @click.option(
        "--rules-off",
        default="",
        metavar="RULE,...",
        help="answering rules to switch off for this run, to measure what they do "
        "(docs/architecture.md lists them)",
    )
    @click.pass_context
    def command(
        ctx,
        dataset,
        limit,
        sample,
        seed,
        balanced,
        batch_size,
        fresh,
        judge_kind,
        as_json,
        rules_off,
    ):
        options = {"limit": limit, "sample": sample, "seed": seed, "judge": judge_kind}
        if balanced:
            options["balanced"] = True
        app = _without(app_of(ctx), rules_off)
        run_id = _run(app, kind, dataset, options, batch_size, fresh)
        meta = RunStore(app.store).get(run_id)
        if as_json:
            click.echo(json.dumps({"run": run_id, "metrics": meta["metrics"]}))
        else:
            click.echo(markdown_summary([meta]))
            results = RunStore(app.store).results(run_id)
            if kind == "answers" and any(r.get("style") for r in results):
                click.echo("\nBy how the questions were asked:\n" + markdown_by_style(results))
            if kind == "answers":
                click.echo("\nWhich rules decided:\n" + markdown_rules(results))
            click.echo(f"\nrun {run_id}; report: footnote eval report {run_id}")

    command.__doc__ = f"Run every question of DATASET through {kind} and score it (resumable)."
    return command


retrieval = click.command(
    "retrieval",
    epilog=examples(
        "footnote eval retrieval evals/gate/dataset.jsonl",
        "footnote eval retrieval squad/dataset.jsonl --sample 200 --json",
    ),
)(_run_command("retrieval"))
answers = click.command(
    "answers",
    epilog=examples(
        "footnote eval answers evals/gate/dataset.jsonl",
        "footnote eval answers faq/dataset.jsonl --sample 100 --balanced --json",
        "footnote eval answers faq/dataset-tune.jsonl --rules-off lead_meaning,parts",
    ),
)(_run_command("answers"))


def _without(app, rules_off: str):
    """The App with the named answering rules switched off too (validated like the setting)."""
    if not rules_off:
        return app
    from dataclasses import replace

    from rag.settings_rules import validate
    from ui.compose import App

    table = dict(app.settings.answer_rules)
    off = {*str(table.get("off", "")).replace("+", ",").split(","), *rules_off.split(",")}
    table["off"] = tuple(sorted(n.strip() for n in off if n.strip()))
    settings = replace(app.settings, answer_rules=tuple(sorted(table.items())))
    try:
        validate(settings)
    except FootnoteError as exc:
        raise click.BadParameter(str(exc), param_hint="--rules-off") from None
    return App(settings)


def _run(app, kind: str, dataset: Path, options: dict, batch_size: int, fresh: bool) -> str:
    """Run (or resume) the evaluation; bad dataset lines are reported and skipped."""
    from tqdm import tqdm

    data = load_dataset(dataset)
    if data.errors:
        first = data.errors[0]
        click.echo(
            f"skipped {len(data.errors)} bad lines of {dataset} (first: line {first[0]}: "
            f"{first[1]})",
            err=True,
        )
    o = options
    try:
        examples = select(data.examples, o["limit"], o["sample"], o["seed"], "balanced" in o)
    except DatasetError as exc:
        raise click.UsageError(str(exc)) from None
    judge = scorer_judge(app.support_scorer(o["judge"]), app.limits.min_support)
    with tqdm(total=len(examples), unit="q", desc=kind, file=sys.stderr, disable=None) as bar:
        return run(
            kind,
            app.pipeline,
            RunStore(app.store),
            data,
            examples,
            settings=app.eval_settings(),
            options=options,
            judge=judge,
            batch_size=batch_size,
            progress=bar.update,
            fresh=fresh,
        )
