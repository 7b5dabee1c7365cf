"""PostgreSQL backends: pgvector (HNSW) for the dense leg and PostgreSQL full-text search for the
lexical leg. Vectors live in the same database as the chunks: one source of truth, nothing to copy
to each replica. Same contracts as rag.retrieval.vectors.FaissIndex and
rag.retrieval.lexical.BM25Index."""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from rag.arrays import checked_vectors
from rag.errors import ConfigError, IndexMismatchError

TABLE = "chunk_vectors"
EXACT_FILTER_MAX = 50_000  # filtered searches over at most this many chunks scan them exactly


def _raw(engine: sa.Engine):
    """A DBAPI (psycopg 3) connection with the pgvector type registered."""
    from pgvector.psycopg import register_vector

    conn = engine.raw_connection()
    if not conn.info.get("vector_registered"):
        register_vector(conn.driver_connection)
        conn.info["vector_registered"] = True
    return conn


class PgVectorIndex:
    """Vectors in a pgvector column with an HNSW index (cosine); filtered searches over a
    small allowed set scan it exactly, so they always return k results when k exist."""

    def __init__(self, engine: sa.Engine, dim: int, ef_search: int = 200):
        if engine.dialect.name != "postgresql":
            raise ConfigError("vector_backend = pgvector needs a postgresql database_url")
        self.engine, self.dim, self.ef_search = engine, dim, ef_search
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
            conn.exec_driver_sql(
                f"CREATE TABLE IF NOT EXISTS {TABLE} "
                f"(vector_id bigint PRIMARY KEY, embedding vector({dim}) NOT NULL)"
            )
            conn.exec_driver_sql(
                f"CREATE INDEX IF NOT EXISTS {TABLE}_hnsw ON {TABLE} "
                "USING hnsw (embedding vector_cosine_ops)"
            )
            stored = conn.exec_driver_sql(
                "SELECT atttypmod FROM pg_attribute WHERE attrelid = %(t)s::regclass "
                "AND attname = 'embedding'",
                {"t": TABLE},
            ).scalar()
        if stored != dim:
            raise IndexMismatchError(
                f"the {TABLE} table holds {stored}-d vectors, the embedder makes {dim}-d ones; "
                "run `footnote index rebuild`"
            )

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Bulk load through COPY into a temporary table, then upsert (re-adding replaces)."""
        vectors = checked_vectors(vectors, self.dim)
        ids = np.asarray(ids, np.int64)
        if not len(ids):
            return
        conn = _raw(self.engine)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS incoming "
                    f"(vector_id bigint, embedding vector({self.dim})) ON COMMIT DELETE ROWS"
                )
                with cur.copy(
                    "COPY incoming (vector_id, embedding) FROM STDIN (FORMAT BINARY)"
                ) as cp:
                    cp.set_types(["int8", "vector"])
                    for vid, vec in zip(ids.tolist(), vectors, strict=True):
                        cp.write_row((vid, vec))
                cur.execute(
                    f"INSERT INTO {TABLE} SELECT DISTINCT ON (vector_id) * FROM incoming "
                    "ON CONFLICT (vector_id) DO UPDATE SET embedding = EXCLUDED.embedding"
                )
            conn.commit()
        finally:
            conn.close()

    def remove(self, ids: np.ndarray) -> None:
        ids = np.asarray(ids, np.int64).tolist()
        if ids:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(
                    f"DELETE FROM {TABLE} WHERE vector_id = ANY(%(ids)s)", {"ids": ids}
                )

    def clear(self) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {TABLE}")

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        queries = checked_vectors(queries, self.dim)
        out_scores = np.full((len(queries), k), -np.inf, np.float32)
        out_ids = np.full((len(queries), k), -1, np.int64)
        exact = allowed is not None and len(allowed) <= EXACT_FILTER_MAX
        where = "WHERE vector_id = ANY(%s)" if allowed is not None else ""
        sql = (
            f"SELECT vector_id, 1 - (embedding <=> %s) FROM {TABLE} {where} "
            "ORDER BY embedding <=> %s LIMIT %s"
        )
        conn = _raw(self.engine)
        try:
            with conn.cursor() as cur:
                cur.execute(f"SET hnsw.ef_search = {max(self.ef_search, 2 * k)}")
                cur.execute(f"SET enable_indexscan = {'off' if exact else 'on'}")
                members = None if allowed is None else np.asarray(allowed, np.int64).tolist()
                for row, query in enumerate(queries):
                    args = (query, query, k) if members is None else (query, members, query, k)
                    cur.execute(sql, args)
                    found = cur.fetchall()
                    for col, (vid, score) in enumerate(found):
                        out_ids[row, col], out_scores[row, col] = vid, score
            conn.rollback()  # the SETs end with the transaction
        finally:
            conn.close()
        return out_scores, out_ids

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql(f"SELECT count(*) FROM {TABLE}").scalar() or 0)


class PgTextIndex:
    """PostgreSQL full-text search over the chunks table: the lexical leg of hybrid retrieval
    (the GIN expression index comes from migration 0002)."""

    def __init__(self, engine: sa.Engine, language: str = "english"):
        if not language.isalpha():
            raise ConfigError(f"text search language {language!r} must be a word, e.g. english")
        self.engine, self.language = engine, language

    def search(
        self, queries: list[str], k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[list[int], list[float]]]:
        where = "AND vector_id = ANY(:allowed)" if allowed is not None else ""
        vector = f"to_tsvector('{self.language}', heading || ' ' || text)"  # as indexed
        sql = sa.text(
            f"SELECT vector_id, ts_rank_cd({vector}, q) AS r "
            # any of the words, like BM25 (plainto_tsquery alone requires all of them)
            f"FROM chunks, CAST(replace(CAST(plainto_tsquery('{self.language}', :query) AS text),"
            " '&', '|') AS tsquery) q "
            f"WHERE {vector} @@ q {where} ORDER BY r DESC LIMIT :k"
        )
        out = []
        with self.engine.connect() as conn:
            for query in queries:
                params = {"query": query, "k": k}
                if allowed is not None:
                    params["allowed"] = np.asarray(allowed, np.int64).tolist()
                rows = conn.execute(sql, params).all()
                out.append(([r[0] for r in rows], [float(r[1]) for r in rows]))
        return out

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM chunks")).scalar() or 0)
