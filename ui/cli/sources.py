"""`footnote ingest`, `footnote crawl` and `footnote index rebuild`: getting documents in."""

from __future__ import annotations

import dataclasses
import json
import sys

import click

from ui.cli.feedback import progress_bar, status, warm_up
from ui.cli.options import EXIT_ERROR, EXIT_INTERRUPTED, examples, setting_option
from ui.cli.root import CONTEXT, app_of, root_of

PRIVATE = "fetch private and loopback addresses (intranet sites)"


@click.command(
    context_settings=CONTEXT,
    epilog=examples(
        "footnote ingest ~/handbook/ README.md",
        "footnote ingest --collection support --prune ~/support-docs/",
        "footnote ingest https://example.com/help/faq.html --json",
    ),
)
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--collection",
    default="default",
    show_default=True,
    help="collection to add to; a source already in another collection moves here",
)
@click.option(
    "--prune/--no-prune",
    default=False,
    help="remove documents under the given folders whose file is gone",
)
@click.option("--json", "as_json", is_flag=True, help="print the report as one JSON object")
@click.option("--ray", "ray_address", help="spread the work over a Ray cluster: auto | ADDRESS")
@click.option("--ray-workers", default=2, show_default=True, help="embedding actors on Ray")
@setting_option("allow_private_networks", help=PRIVATE)
@click.pass_context
def ingest(
    ctx: click.Context,
    sources: tuple[str, ...],
    prune: bool,
    collection: str,
    as_json: bool,
    ray_address: str | None,
    ray_workers: int,
) -> None:
    """Ingest files, folders (recursively) and URLs: HTML, Markdown, text, PDF, Word and
    PowerPoint. Unchanged text is not embedded again. Exits 1 when nothing could be ingested."""
    app = app_of(ctx)
    ingestor = app.ingestor()
    if ray_address:
        if prune:
            raise click.UsageError("--prune is not supported with --ray; run it without --ray")
        report = _ray_ingest(app, ingestor, list(sources), ray_address, collection, ray_workers)
    else:
        with progress_bar(root_of(ctx).verbosity, unit="file", desc="ingesting", **_BAR) as bar:
            report = ingestor.ingest(
                list(sources),
                prune=prune,
                collection=collection,
                progress=bar.update,
                on_total=lambda n: setattr(bar, "total", n),
                status=lambda p: bar.set_postfix_str(p.line()),
            )
    if as_json:
        click.echo(json.dumps({"collection": collection, **dataclasses.asdict(report)}))
    else:
        click.echo(report.summary(collection))
    if not report.ok:
        sys.exit(EXIT_ERROR)


# files done, then the chunks' truth (ingest.progress): tqdm's own rate and ETA count files,
# which says little while the model embeds a batch
_BAR = {"bar_format": "{desc}: {n_fmt}/{total_fmt} {unit}s [{elapsed}]{postfix}"}


def _ray_ingest(app, ingestor, sources, address: str, collection: str, workers: int):
    from ingest.distributed import connect, ray_ingest

    connect(address, num_cpus=None)
    return ray_ingest(
        ingestor, sources, embedder=app.embedder_spec, collection=collection, workers=workers
    )


@click.command(
    context_settings=CONTEXT,
    epilog=examples(
        "footnote crawl https://docs.example.com/ --prefix /guide/",
        "footnote crawl https://example.com/sitemap.xml --max-pages 500 --json",
        "footnote crawl http://wiki.intranet:8080/ --allow-private-networks",
    ),
)
@click.argument("url")
@click.option("--collection", default="default", show_default=True, help="collection to add to")
@click.option("--prefix", default="", help="only pages whose path starts so (default: all)")
@click.option("--include", multiple=True, help="only URLs or paths matching this glob")
@click.option("--exclude", multiple=True, help="never URLs or paths matching this glob")
@click.option("--max-pages", type=int, help="most pages fetched [setting crawl_max_pages]")
@click.option("--max-depth", type=int, help="most links from the start [setting crawl_max_depth]")
@click.option(
    "--sitemaps/--no-sitemaps", default=True, help="read sitemaps and feeds, not only links"
)
@click.option("--restart", is_flag=True, help="start over instead of resuming an interrupted crawl")
@click.option("--json", "as_json", is_flag=True, help="print the report as one JSON object")
@setting_option("crawl_rate", help="most requests per second to the site")
@setting_option("allow_private_networks", help=PRIVATE)
@click.pass_context
def crawl(ctx: click.Context, url: str, as_json: bool, **options) -> None:
    """Crawl a website: sitemaps, feeds and links in scope, politely (robots.txt, rate limit);
    a re-crawl syncs only changes. Ctrl-C saves the place: the same command resumes (exit
    130). Exits 1 when every page failed."""
    app = app_of(ctx)
    options = app.crawl_options(
        **{**options, "include": tuple(options["include"]), "exclude": tuple(options["exclude"])}
    )
    with progress_bar(root_of(ctx).verbosity, unit="page", desc="crawling", delay=1) as bar:

        def progress(report) -> None:
            bar.total = report.discovered
            skipped = sum(report.skipped.values())
            bar.n = report.fetched + report.unchanged + report.moved + skipped
            bar.n += len(report.failed)
            bar.set_postfix_str(
                f"fetched {report.fetched} unchanged {report.unchanged} "
                f"skipped {skipped} failed {len(report.failed)}; " + report.progress().line(),
                refresh=True,
            )

        report = app.crawler(options, progress=progress).crawl(url)
    click.echo(json.dumps(report.as_dict()) if as_json else report.summary())
    if report.stopped.startswith("interrupted"):
        sys.exit(EXIT_INTERRUPTED)
    if not (report.new or report.updated or report.unchanged or report.moved) and report.failed:
        sys.exit(EXIT_ERROR)


@click.group(context_settings=CONTEXT, epilog=examples("footnote index rebuild"))
def index() -> None:
    """Manage the vector index (a cache of the store)."""


@index.command("rebuild", epilog=examples("footnote index rebuild", "footnote -q index rebuild"))
@click.pass_context
def index_rebuild(ctx: click.Context) -> None:
    """Rebuild the vector and BM25 indexes from the store (after changing the embedding model
    or chunking); chunks without a stored vector are embedded, with a progress bar."""
    verbosity = root_of(ctx).verbosity
    app = app_of(ctx)
    missing = app.store.embeddings.count_missing(app.embedder.name)
    if missing:  # only then is the model needed: the vectors are cached in the store
        with status("loading the embedding model", verbosity):
            warm_up(app.embedder)
    with progress_bar(verbosity, total=missing, unit="chunk", desc="embedding", delay=0) as bar:
        count = app.indexer.rebuild(progress=bar.update)
    click.echo(f"index rebuilt: {count} vectors ({app.indexer.meta})")
