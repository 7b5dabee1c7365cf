"""`footnote docs list|rm` and `footnote collections list`: what is ingested, and taking it out.

A source (a file path or URL) is one document in one collection; ingesting it into another
collection moves it there (docs/documents.md)."""

from __future__ import annotations

import difflib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from ingest.sources import is_url
from ui.cli.feedback import status
from ui.cli.options import EXIT_ERROR, examples
from ui.cli.root import CONTEXT, app_of, root_of


@click.group(
    context_settings=CONTEXT,
    epilog=examples("footnote docs list --collection support", "footnote docs rm ~/old.pdf"),
)
def docs() -> None:
    """List or remove ingested documents."""


@docs.command(
    "list",
    epilog=examples(
        "footnote docs list",
        "footnote docs list --collection support",
        "footnote docs list --json | jq -r '.[].source'",
    ),
)
@click.option("--collection", help="only this collection")
@click.option("--json", "as_json", is_flag=True, help="one JSON array (missing values are null)")
@click.pass_context
def docs_list(ctx: click.Context, collection: str | None, as_json: bool) -> None:
    """Every ingested document: its collection, chunks, pages (PDF, slides), when it was last
    ingested, its source and title."""
    rows = [_public(r) for r in app_of(ctx).store.catalog.documents(collection)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        where = f" in collection {collection!r}" if collection else ""
        click.echo(f"no documents{where}; add some with `footnote ingest PATH_OR_URL`")
        return
    width = max(len("COLLECTION"), *(len(r["collection"]) for r in rows))
    click.echo(f"{'COLLECTION':{width}}  CHUNKS  PAGES  INGESTED          SOURCE")
    for r in rows:
        ingested = r["ingested"][:16].replace("T", " ")
        pages = "-" if r["pages"] is None else str(r["pages"])
        title = f"  ({r['title']})" if r["title"] and r["title"] not in r["source"] else ""
        click.echo(
            f"{r['collection']:{width}}  {r['chunks']:6}  {pages:>5}  {ingested}  "
            f"{r['source']}{title}"
        )
    chunks = sum(r["chunks"] for r in rows)
    click.echo(f"{len(rows)} documents, {chunks} chunks")


def _public(row: dict) -> dict:
    """A catalog row as `docs list --json` writes it: absent values are null."""
    ingested = datetime.fromtimestamp(row["updated_at"], UTC).astimezone()
    return {
        "source": row["source"],
        "title": row["title"] or None,
        "collection": row["collection"],
        "url": row["url"] or None,
        "date": row["date"] or None,
        "chunks": row["chunks"],
        "pages": row["pages"],
        "ingested": ingested.isoformat(timespec="seconds"),
        "id": row["id"],
    }


@docs.command(
    "rm",
    epilog=examples(
        "footnote docs rm ~/handbook/old-policy.md",
        "footnote docs rm https://example.com/help/retired.html",
        "footnote docs rm ~/handbook/archive/",
    ),
)
@click.argument("sources", nargs=-1, required=True)
@click.pass_context
def docs_rm(ctx: click.Context, sources: tuple[str, ...]) -> None:
    """Remove documents (named by path, URL or id; a folder names every document under it)
    with their chunks from the store and the index. Exits 1 when a name matches no document
    (the others are removed)."""
    app = app_of(ctx)
    catalog = app.store.catalog
    found: dict[str, list[dict]] = {}
    for name, doc in catalog.find(sources).items():
        found[name] = [doc] if doc else _by_path(catalog, name)
    unknown = [name for name, matched in found.items() if not matched]
    docs_ = {doc["id"]: doc for matched in found.values() for doc in matched}
    if docs_:
        with status("updating the index", root_of(ctx).verbosity):
            ingestor = app.ingestor()
            ingestor.remove(list(docs_))
            ingestor.flush()
        for doc in docs_.values():
            click.echo(f"removed {doc['source']} (collection {doc['collection']})")
    if unknown:
        known = app.store.catalog.sources()
        for name in unknown:
            match = difflib.get_close_matches(_absolute(name), known, n=1, cutoff=0.6)
            hint = f"; did you mean {match[0]}?" if match else " (`footnote docs list` lists them)"
            click.echo(f"error: no document {name!r}{hint}", err=True)
        sys.exit(EXIT_ERROR)


def _by_path(catalog, name: str) -> list[dict]:
    """The documents a relative or ~ path names: the file, or every file under the folder."""
    if is_url(name):
        return []
    path = _absolute(name)
    doc = catalog.find([path])[path]
    if doc:
        return [doc]
    folder = path.rstrip("/") + "/"
    under = [s for s in catalog.sources() if s.startswith(folder)]
    return [d for d in catalog.find(under).values() if d]


def _absolute(name: str) -> str:
    return name if is_url(name) else str(Path(name).expanduser().resolve())


@click.group(
    context_settings=CONTEXT,
    epilog=examples("footnote collections list", "footnote collections rm drafts"),
)
def collections() -> None:
    """List or remove collections: named groups of documents (API keys and filters use them)."""


@collections.command(
    "list",
    epilog=examples("footnote collections list", "footnote collections list --json"),
)
@click.option("--json", "as_json", is_flag=True, help="one JSON array")
@click.pass_context
def collections_list(ctx: click.Context, as_json: bool) -> None:
    """Every collection with its documents and chunks."""
    rows = app_of(ctx).store.catalog.collections()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no collections yet; `footnote ingest --collection NAME PATH` makes one")
        return
    width = max(len("COLLECTION"), *(len(r["name"]) for r in rows))
    click.echo(f"{'COLLECTION':{width}}  DOCUMENTS  CHUNKS  DESCRIPTION")
    for r in rows:
        click.echo(f"{r['name']:{width}}  {r['documents']:9}  {r['chunks']:6}  {r['description']}")


@collections.command(
    "rm",
    epilog=examples("footnote collections rm drafts", "footnote collections rm old-site staging"),
)
@click.argument("names", nargs=-1, required=True)
@click.pass_context
def collections_rm(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Remove collections with every document in them (chunks and vectors too). API keys
    scoped to them stay, and see nothing. Exits 1 when a name is no collection."""
    app = app_of(ctx)
    catalog = app.store.catalog
    known = {c["name"] for c in catalog.collections()}
    unknown = [n for n in names if n not in known]
    for name in [n for n in names if n in known]:
        doc_ids = [d["id"] for d in catalog.documents(name)]
        if doc_ids:
            with status(f"removing {len(doc_ids)} documents", root_of(ctx).verbosity):
                ingestor = app.ingestor()
                ingestor.remove(doc_ids)
                ingestor.flush()
        catalog.forget_collection(name)
        n = len(doc_ids)
        click.echo(f"removed collection {name} ({n} document{'s' * (n != 1)})")
    for name in unknown:
        match = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; did you mean {match[0]}?" if match else ""
        click.echo(f"error: no collection {name!r}{hint}", err=True)
    if unknown:
        sys.exit(EXIT_ERROR)
