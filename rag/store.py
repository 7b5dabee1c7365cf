"""The store: the single source of truth (SQLAlchemy; SQLite by default, any URL by setting).

Documents, chunks, embeddings (cached by chunk text hash and model), answers and citations.
The vector index is a cache rebuilt from here (`Store.vectors`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from rag import migrate
from rag.errors import ConfigError
from rag.schema import answers, chunks, citations, documents, embeddings
from rag.types import Answer, Chunk, Document, Hit


@dataclass(frozen=True)
class ChunkChanges:
    """What storing a document changed: chunks to embed and index, vector ids to drop."""

    added: tuple[Chunk, ...]
    removed_vector_ids: tuple[int, ...]
    kept: int


class Store:
    """SQL store of documents, chunks, embeddings and answers."""

    def __init__(self, url: str):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(
                parents=True, exist_ok=True
            )
        try:
            if url.startswith(("postgresql://", "postgres://")):  # psycopg 3, not psycopg2
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            self.engine = sa.create_engine(url, pool_pre_ping=True)
            if url.startswith("sqlite"):
                sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            migrate.upgrade(self.engine)
        except ModuleNotFoundError as exc:
            raise ConfigError(
                f"the database {url!r} needs the {exc.name} package: "
                "pip install 'footnote[postgres]'"
            ) from None
        except (SQLAlchemyError, ValueError) as exc:
            raise ConfigError(
                f"cannot open the database {url!r}: {exc}; fix database_url"
            ) from None

    # documents and chunks

    def document_hashes(self) -> dict[str, tuple[str, str]]:
        """source -> (document id, text hash) for every stored document."""
        query = sa.select(documents.c.source, documents.c.id, documents.c.text_hash)
        with self.engine.connect() as conn:
            return {row.source: (row.id, row.text_hash) for row in conn.execute(query)}

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
                        chunks.update().where(chunks.c.id == c.id).values(start=c.start, end=c.end)
                    )
            if added:
                conn.execute(chunks.insert(), [_chunk_row(c) for c in added])
        return ChunkChanges(tuple(added), tuple(old[cid] for cid in gone), len(old) - len(gone))

    def document_texts(self, sources: Iterable[str]) -> dict[str, str]:
        """source -> text for the stored documents among `sources`."""
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for batch in _batches(sorted(set(sources)), 500):
                query = sa.select(documents.c.source, documents.c.text).where(
                    documents.c.source.in_(batch)
                )
                found.update((r.source, r.text) for r in conn.execute(query))
        return found

    def delete_documents(self, doc_ids: Iterable[str]) -> list[int]:
        """Delete documents and their chunks; return the chunks' vector ids."""
        doc_ids = list(doc_ids)
        with self.engine.begin() as conn:
            where = chunks.c.document_id.in_(doc_ids)
            vids = list(conn.scalars(sa.select(chunks.c.vector_id).where(where)))
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
        """(vector ids, texts) of every chunk, for building the lexical index."""
        query = sa.select(chunks.c.vector_id, chunks.c.text).order_by(chunks.c.vector_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return np.array([r.vector_id for r in rows], np.int64), [r.text for r in rows]

    def allowed_vector_ids(self, filters) -> np.ndarray:
        """Vector ids of the chunks whose document matches `filters` (rag.retrieve.Filters)."""
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

    # embeddings (cache by chunk text hash)

    def put_embeddings(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        rows = [
            {"text_hash": h, "model": model, "vector": np.asarray(v, np.float32).tobytes()}
            for h, v in vectors.items()
        ]
        if rows:
            with self.engine.begin() as conn:  # another writer may have cached the same text
                conn.execute(_insert_ignoring_duplicates(conn, embeddings), rows)

    def embeddings_for(self, text_hashes: Iterable[str], model: str) -> dict[str, np.ndarray]:
        """text hash -> cached vector, for the hashes that have one."""
        found: dict[str, np.ndarray] = {}
        with self.engine.connect() as conn:
            for batch in _batches(sorted(set(text_hashes)), 500):
                query = sa.select(embeddings.c.text_hash, embeddings.c.vector).where(
                    embeddings.c.model == model, embeddings.c.text_hash.in_(batch)
                )
                found.update(
                    (r.text_hash, np.frombuffer(r.vector, np.float32)) for r in conn.execute(query)
                )
        return found

    def chunk_texts_without_embedding(self, model: str) -> list[tuple[str, str]]:
        """(text hash, text) of distinct chunk texts with no vector cached for `model`."""
        cached = sa.select(embeddings.c.text_hash).where(embeddings.c.model == model)
        query = (
            sa.select(chunks.c.text_hash, sa.func.min(chunks.c.text))
            .where(chunks.c.text_hash.not_in(cached))
            .group_by(chunks.c.text_hash)
        )
        with self.engine.connect() as conn:
            return [(h, t) for h, t in conn.execute(query)]

    def vectors(self, model: str, batch: int = 10_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (vector_ids (n,), vectors (n, d) float32) for every chunk that has an embedding."""
        query = (
            sa.select(chunks.c.vector_id, embeddings.c.vector)
            .join(embeddings, (embeddings.c.text_hash == chunks.c.text_hash))
            .where(embeddings.c.model == model)
            .order_by(chunks.c.vector_id)
        )
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=batch).execute(query)
            for part in result.partitions():
                ids = np.array([r.vector_id for r in part], np.int64)
                yield ids, np.stack([np.frombuffer(r.vector, np.float32) for r in part])

    # answers

    def save_answer(self, answer: Answer) -> str:
        """Store an answer with its sentences and citations; return its id."""
        answer_id = answer.id or uuid.uuid4().hex
        sentences = [
            {
                "text": s.text,
                "citations": list(s.citations),
                "support": s.support,
                "supported": s.supported,
                "quoted": s.quoted,
                "replaces": s.replaces,
                "quotes": [[q.number, q.chunk_id, q.start, q.end] for q in s.quotes],
            }
            for s in answer.sentences
        ]
        with self.engine.begin() as conn:
            conn.execute(
                answers.insert().values(
                    id=answer_id,
                    question=answer.question,
                    status=answer.status,
                    text=answer.text,
                    sentences=sentences,
                    timings=answer.timings,
                    created_at=time.time(),
                )
            )
            if answer.citations:
                conn.execute(
                    citations.insert(),
                    [
                        {
                            "answer_id": answer_id,
                            "number": c.number,
                            "chunk_id": c.chunk_id,
                            "document_id": c.document_id,
                            "title": c.title,
                            "source": c.source,
                            "passage": c.passage,
                            "quote_start": c.quote_start,
                            "quote_end": c.quote_end,
                        }
                        for c in answer.citations
                    ],
                )
        return answer_id

    def load_answer(self, answer_id: str) -> dict:
        """A stored answer as a plain dict (question, status, text, sentences, citations)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(answers).where(answers.c.id == answer_id)).one_or_none()
            if row is None:
                raise KeyError(answer_id)
            cites = conn.execute(
                sa.select(citations)
                .where(citations.c.answer_id == answer_id)
                .order_by(citations.c.number)
            )
            result = dict(row._mapping)
            result["citations"] = [dict(c._mapping) for c in cites]
        return json.loads(json.dumps(result))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL: readers do not block the writer, and a commit costs no full fsync."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")  # writers in other processes: wait, not fail
    cursor.close()


def _insert_ignoring_duplicates(conn, table: sa.Table):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return table.insert()
    return insert(table).on_conflict_do_nothing()


def _batches(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


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
    }


def _chunk(row) -> Chunk:
    return Chunk(row.id, row.document_id, row.text, row.start, row.end)
