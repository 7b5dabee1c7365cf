"""The store: the single source of truth (SQLAlchemy; SQLite by default, any URL by setting).

`Store` owns documents, chunks and embeddings (cached by chunk text hash and model) and hands
out the owner of every other table: answers, conversations, feedback, collections, crawls,
jobs, API keys, evaluation runs, and PostgreSQL's own vector and text search. Nothing outside
`rag.storage` touches the engine or the schema. The vector index is a cache rebuilt from here
(`Store.embeddings`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import sqlalchemy as sa

from rag.storage.answers import Answers
from rag.storage.catalog import Catalog
from rag.storage.conversations import Collections, Conversations, Feedback
from rag.storage.crawls import CrawlState
from rag.storage.database import batches, open_engine
from rag.storage.embeddings import EmbeddingCache
from rag.storage.jobs import JobRows
from rag.storage.keys import KeyStore
from rag.storage.runs import RunRows
from rag.storage.schema import chunks, crawl_pages, documents
from rag.types import Chunk, Document, Hit


@dataclass(frozen=True)
class ChunkChanges:
    """What storing a document changed: chunks to embed and index, vector ids to drop."""

    added: tuple[Chunk, ...]
    removed_vector_ids: tuple[int, ...]
    kept: int


class Store:
    """SQL store of documents, chunks and embeddings, and the owner of every other table."""

    def __init__(self, url: str):
        self.engine = open_engine(url)

    @cached_property
    def answers(self) -> Answers:
        return Answers(self.engine)

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(self.engine)

    @cached_property
    def feedback(self) -> Feedback:
        return Feedback(self.engine)

    @cached_property
    def collections(self) -> Collections:
        return Collections(self.engine)

    @cached_property
    def catalog(self) -> Catalog:
        """Documents as people manage them: listing, finding, moving between collections."""
        return Catalog(self.engine)

    @cached_property
    def jobs(self) -> JobRows:
        return JobRows(self.engine)

    @cached_property
    def keys(self) -> KeyStore:
        return KeyStore(self.engine)

    @cached_property
    def runs(self) -> RunRows:
        return RunRows(self.engine)

    @cached_property
    def embeddings(self) -> EmbeddingCache:
        """The vector of each chunk text per model (the vector index is rebuilt from it)."""
        return EmbeddingCache(self.engine)

    def crawl_state(self, site: str) -> CrawlState:
        """What crawls of `site` (origin + path prefix) remember between runs."""
        return CrawlState(self.engine, site)

    def vector_index(self, dim: int, ef_search: int):
        """pgvector (HNSW) in this PostgreSQL database: the dense index of `vector_backend =
        pgvector`."""
        from rag.storage.postgres import PgVectorIndex

        return PgVectorIndex(self.engine, dim, ef_search)

    def text_index(self):
        """PostgreSQL full-text search over the chunks: the lexical leg with pgvector."""
        from rag.storage.postgres import PgTextIndex

        return PgTextIndex(self.engine)

    # documents and chunks

    def document_hashes(self) -> dict[str, tuple[str, str, str]]:
        """source -> (document id, text hash, collection) for every stored document."""
        query = sa.select(
            documents.c.source, documents.c.id, documents.c.text_hash, documents.c.collection
        )
        with self.engine.connect() as conn:
            return {r.source: (r.id, r.text_hash, r.collection) for r in conn.execute(query)}

    def put_document(self, doc: Document, doc_chunks: list[Chunk]) -> ChunkChanges:
        """Insert or replace a document; keep chunks whose id is unchanged (no re-embedding).

        Two writers storing the same document at once are serialised (no lost updates)."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(
                    "SELECT pg_advisory_xact_lock(hashtext(%(id)s))", {"id": doc.id}
                )
            old = {
                row.id: row.vector_id
                for row in conn.execute(
                    sa.select(chunks.c.id, chunks.c.vector_id).where(chunks.c.document_id == doc.id)
                )
            }
            new_ids = {c.id for c in doc_chunks}
            gone = [cid for cid in old if cid not in new_ids]
            if gone:
                conn.execute(chunks.delete().where(chunks.c.id.in_(gone)))
            conn.execute(documents.delete().where(documents.c.id == doc.id))
            conn.execute(documents.insert().values(_document_row(doc)))
            added = [c for c in doc_chunks if c.id not in old]
            for c in doc_chunks:  # offsets of kept chunks may move
                if c.id in old:
                    conn.execute(
                        chunks.update()
                        .where(chunks.c.id == c.id)
                        .values(start=c.start, end=c.end, titles=_chunk_row(c)["titles"])
                    )
            if added:
                conn.execute(chunks.insert(), [_chunk_row(c) for c in added])
        return ChunkChanges(tuple(added), tuple(old[cid] for cid in gone), len(old) - len(gone))

    def document_texts(self, sources: Iterable[str]) -> dict[str, str]:
        """source -> text for the stored documents among `sources`."""
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for batch in batches(sorted(set(sources)), 500):
                query = sa.select(documents.c.source, documents.c.text).where(
                    documents.c.source.in_(batch)
                )
                found.update((r.source, r.text) for r in conn.execute(query))
        return found

    def delete_documents(self, doc_ids: Iterable[str]) -> list[int]:
        """Delete documents and their chunks, and what crawls remember of them (a later crawl
        fetches such a page afresh); return the chunks' vector ids."""
        doc_ids = list(doc_ids)
        with self.engine.begin() as conn:
            where = chunks.c.document_id.in_(doc_ids)
            vids = list(conn.scalars(sa.select(chunks.c.vector_id).where(where)))
            sources = sa.select(documents.c.source).where(documents.c.id.in_(doc_ids))
            conn.execute(crawl_pages.delete().where(crawl_pages.c.source.in_(sources)))
            conn.execute(chunks.delete().where(where))
            conn.execute(documents.delete().where(documents.c.id.in_(doc_ids)))
        return vids

    def document_keys(self) -> dict[str, str]:
        """Every name a stored document answers to (id, source, URL) -> its source."""
        query = sa.select(documents.c.id, documents.c.source, documents.c.url)
        keys: dict[str, str] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                keys.update({row.id: row.source, row.source: row.source})
                if row.url:
                    keys[row.url] = row.source
        return keys

    def chunk_texts(self) -> tuple[np.ndarray, list[str]]:
        """(vector ids, indexed texts: heading and passage) of every chunk, for the lexical
        index."""
        query = sa.select(chunks).order_by(chunks.c.vector_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        ids = np.array([r.vector_id for r in rows], np.int64)
        return ids, [_chunk(r).indexed_text for r in rows]

    def allowed_vector_ids(self, filters) -> np.ndarray:
        """Vector ids of the chunks whose document matches `filters` (rag.retrieval.Filters)."""
        query = sa.select(chunks.c.vector_id).join(
            documents, documents.c.id == chunks.c.document_id
        )
        if filters.collections:
            query = query.where(documents.c.collection.in_(filters.collections))
        if filters.source_prefix:
            prefix = filters.source_prefix.replace("%", r"\%").replace("_", r"\_") + "%"
            query = query.where(
                sa.or_(
                    documents.c.source.like(prefix, escape="\\"),
                    documents.c.url.like(prefix, escape="\\"),
                )
            )
        if filters.since:
            query = query.where(documents.c.date != "", documents.c.date >= filters.since)
        if filters.until:
            query = query.where(documents.c.date != "", documents.c.date <= filters.until + "~")
        with self.engine.connect() as conn:
            return np.fromiter(conn.scalars(query), np.int64)

    def count_chunks(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(chunks)) or 0

    def hits(self, vector_ids: list[int], scores: list[float]) -> list[Hit]:
        """Hits for vector ids in the given order; ids no longer stored are skipped."""
        query = (
            sa.select(
                chunks, documents.c.title, documents.c.source, documents.c.url, documents.c.date
            )
            .join(documents, documents.c.id == chunks.c.document_id)
            .where(chunks.c.vector_id.in_(vector_ids))
        )
        with self.engine.connect() as conn:
            rows = {row.vector_id: row for row in conn.execute(query)}
        return [
            Hit(_chunk(rows[v]), s, rows[v].title, rows[v].source, rows[v].url, rows[v].date)
            for v, s in zip(vector_ids, scores, strict=True)
            if v in rows
        ]

    def section_next(self, hit: Hit) -> Hit | None:
        """The chunk that follows `hit`'s in its document when it is in the same section (the
        same heading), as a hit with the same score; None at the section's end (a subsection
        may come between two stretches of one heading's text: they are not one section)."""
        query = (
            sa.select(chunks)
            .where(chunks.c.document_id == hit.chunk.document_id)
            .where(chunks.c.start > hit.chunk.start)
            .order_by(chunks.c.start)
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        if row is None or row.heading != hit.chunk.heading:
            return None
        return replace(hit, chunk=_chunk(row))

    def section_opening(self, hit: Hit) -> Hit:
        """The first chunk of the section `hit` sits in (same document and heading), as a hit
        with the same score; `hit` itself when it is that chunk or has no heading."""
        if not hit.chunk.heading:
            return hit
        query = (
            sa.select(chunks)
            .where(chunks.c.document_id == hit.chunk.document_id)
            .where(chunks.c.heading == hit.chunk.heading)
            .where(chunks.c.start < hit.chunk.start)
            .order_by(chunks.c.start)
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        return hit if row is None else replace(hit, chunk=_chunk(row))


def _document_row(doc: Document) -> dict:
    return {
        "id": doc.id,
        "collection": doc.collection,
        "source": doc.source,
        "title": doc.title,
        "url": doc.url,
        "date": doc.date,
        "text": doc.text,
        "text_hash": doc.text_hash,
        "updated_at": time.time(),
    }


def _chunk_row(c: Chunk) -> dict:
    return {
        "id": c.id,
        "document_id": c.document_id,
        "vector_id": c.vector_id,
        "text": c.text,
        "text_hash": c.text_hash,
        "start": c.start,
        "end": c.end,
        "heading": c.heading,
        "pages": [list(p) for p in c.pages] or None,
        "titles": [list(t) for t in c.titles] or None,
    }


def _chunk(row) -> Chunk:
    pages = tuple(tuple(p) for p in row.pages or ())
    titles = tuple(tuple(t) for t in row.titles or ())
    return Chunk(row.id, row.document_id, row.text, row.start, row.end, row.heading, pages, titles)
