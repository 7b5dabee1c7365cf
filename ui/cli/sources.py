"""`footnote ingest`, `footnote crawl` and `footnote index rebuild`: getting documents in."""

from __future__ import annotations

import json
import sys

import click

from ui.cli.root import app_of


@click.command()
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

    app = app_of(ctx)
    ingestor = app.ingestor()
    if ray_address:
        if prune:
            raise click.UsageError("--prune is not supported with --ray; run it without --ray")
        report = _ray_ingest(app, ingestor, list(sources), ray_address, collection, ray_workers)
    else:
        with tqdm(
            unit="file", desc="ingesting", delay=2, file=sys.stderr, disable=None, **_BAR
        ) as bar:
            report = ingestor.ingest(
                list(sources),
                prune=prune,
                collection=collection,
                progress=bar.update,
                on_total=lambda n: setattr(bar, "total", n),
                status=lambda p: bar.set_postfix_str(p.line()),
            )
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


# files done, then the chunks' truth (ingest.progress): tqdm's own rate and ETA count files,
# which says little while the model embeds a batch
_BAR = {"bar_format": "{desc}: {n_fmt}/{total_fmt} {unit}s [{elapsed}]{postfix}"}


def _ray_ingest(app, ingestor, sources, address: str, collection: str, workers: int):
    from ingest.distributed import connect, ray_ingest

    connect(address, num_cpus=None)
    return ray_ingest(
        ingestor, sources, embedder=app.embedder_spec, collection=collection, workers=workers
    )


@click.command()
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

    app = app_of(ctx)
    options = app.crawl_options(
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
                f"skipped {sum(report.skipped.values())} failed {len(report.failed)}; "
                + report.progress().line(),
                refresh=True,
            )

        report = app.crawler(options, progress=progress).crawl(url)
    click.echo(json.dumps(report.as_dict()) if as_json else report.summary())
    if report.stopped.startswith("interrupted"):
        sys.exit(130)
    if not (report.new or report.updated or report.unchanged) and report.failed:
        sys.exit(1)


@click.group()
def index() -> None:
    """Manage the vector index (a cache of the store)."""


@index.command("rebuild")
@click.pass_context
def index_rebuild(ctx: click.Context) -> None:
    """Rebuild the vector index from the store (after changing the embedding model or chunking)."""
    app = app_of(ctx)
    count = app.indexer.rebuild()
    click.echo(f"index rebuilt: {count} vectors ({app.indexer.meta})")
