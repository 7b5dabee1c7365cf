"""The documents as a person manages them: listed with their collection, chunks and pages,
found by any name they answer to, moved between collections, counted by what a filter leaves
out. (Storing and deleting documents with their chunks is `Store`'s.)"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from rag.storage.schema import chunks, collections, documents


class Catalog:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def documents(self, collection: str | None = None) -> list[dict]:
        """Every document (of `collection`), by source: id, source, url, title, collection,
        date, chunks, pages (of a PDF or slide deck; None for others), updated_at."""
        counts = (
            sa.select(chunks.c.document_id, sa.func.count().label("chunks"))
            .group_by(chunks.c.document_id)
            .subquery()
        )
        query = (
            sa.select(
                documents.c.id,
                documents.c.source,
                documents.c.url,
                documents.c.title,
                documents.c.collection,
                documents.c.date,
                sa.func.coalesce(counts.c.chunks, 0).label("chunks"),
                documents.c.updated_at,
            )
            .outerjoin(counts, counts.c.document_id == documents.c.id)
            .order_by(documents.c.collection, documents.c.source)
        )
        if collection is not None:
            query = query.where(documents.c.collection == collection)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        pages = self._pages([r["id"] for r in rows])
        for row in rows:
            row["pages"] = pages.get(row["id"])
        return rows

    def _pages(self, doc_ids: list[str]) -> dict[str, int]:
        """document id -> its last page, for the documents whose chunks record pages."""
        query = sa.select(chunks.c.document_id, chunks.c.pages).where(chunks.c.pages.is_not(None))
        wanted, last = set(doc_ids), {}
        with self.engine.connect() as conn:
            for doc_id, pages in conn.execute(query):
                if doc_id in wanted and pages:
                    last[doc_id] = max(last.get(doc_id, 0), *(p for _, p in pages))
        return last

    def find(self, names: Iterable[str]) -> dict[str, dict | None]:
        """Each name (document id, source path or URL, or the page URL) -> the document it
        names (id, source, collection), or None."""
        query = sa.select(
            documents.c.id, documents.c.source, documents.c.url, documents.c.collection
        )
        by_name: dict[str, dict] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                found = {"id": row.id, "source": row.source, "collection": row.collection}
                for key in (row.id, row.source, row.url):
                    if key:
                        by_name.setdefault(key, found)
        return {name: by_name.get(name) for name in names}

    def sources(self) -> list[str]:
        """Every stored source (for "did you mean" suggestions)."""
        with self.engine.connect() as conn:
            return list(conn.scalars(sa.select(documents.c.source)))

    def move(self, doc_id: str, collection: str) -> None:
        """Put a document (its chunks follow) into another collection."""
        with self.engine.begin() as conn:
            conn.execute(
                documents.update().where(documents.c.id == doc_id).values(collection=collection)
            )

    def collections(self) -> list[dict]:
        """Every collection, created or holding documents: name, documents, chunks,
        description."""
        per_doc = (
            sa.select(chunks.c.document_id, sa.func.count().label("n"))
            .group_by(chunks.c.document_id)
            .subquery()
        )
        query = (
            sa.select(
                documents.c.collection,
                sa.func.count().label("documents"),
                sa.func.coalesce(sa.func.sum(per_doc.c.n), 0).label("chunks"),
            )
            .outerjoin(per_doc, per_doc.c.document_id == documents.c.id)
            .group_by(documents.c.collection)
        )
        with self.engine.connect() as conn:
            rows = {
                r.collection: {"documents": r.documents, "chunks": int(r.chunks)}
                for r in conn.execute(query)
            }
            query = sa.select(collections.c.name, collections.c.description)
            described = {r.name: r.description for r in conn.execute(query)}
        names = sorted({*rows, *described})
        empty = {"documents": 0, "chunks": 0}
        return [
            {"name": n, **rows.get(n, empty), "description": described.get(n) or ""} for n in names
        ]

    def forget_collection(self, name: str) -> None:
        """Drop a collection's own row (its name and description); its documents are removed
        separately, with their vectors."""
        with self.engine.begin() as conn:
            conn.execute(collections.delete().where(collections.c.name == name))

    def undated(self, collections_: tuple[str, ...] = (), source_prefix: str = "") -> int:
        """Documents without a date (among the collections and source prefix given): what a
        date filter always leaves out."""
        query = sa.select(sa.func.count()).select_from(documents).where(documents.c.date == "")
        if collections_:
            query = query.where(documents.c.collection.in_(collections_))
        if source_prefix:
            prefix = source_prefix.replace("%", r"\%").replace("_", r"\_") + "%"
            query = query.where(
                sa.or_(
                    documents.c.source.like(prefix, escape="\\"),
                    documents.c.url.like(prefix, escape="\\"),
                )
            )
        with self.engine.connect() as conn:
            return conn.scalar(query) or 0
