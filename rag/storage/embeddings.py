"""The embedding cache: one vector per distinct chunk text and model, so unchanged text is never
embedded twice and the vector index can be rebuilt from the database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import sqlalchemy as sa

from rag.storage.database import batches, insert_ignoring_duplicates
from rag.storage.schema import chunks, embeddings


class EmbeddingCache:
    """Vectors by chunk text hash and model (`Store.embeddings`)."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def put(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        rows = [
            {"text_hash": h, "model": model, "vector": np.asarray(v, np.float32).tobytes()}
            for h, v in vectors.items()
        ]
        if rows:
            with self.engine.begin() as conn:  # another writer may have cached the same text
                conn.execute(insert_ignoring_duplicates(conn, embeddings), rows)

    def get(self, text_hashes: Iterable[str], model: str) -> dict[str, np.ndarray]:
        """text hash -> cached vector, for the hashes that have one."""
        found: dict[str, np.ndarray] = {}
        with self.engine.connect() as conn:
            for batch in batches(sorted(set(text_hashes)), 500):
                query = sa.select(embeddings.c.text_hash, embeddings.c.vector).where(
                    embeddings.c.model == model, embeddings.c.text_hash.in_(batch)
                )
                found.update(
                    (r.text_hash, np.frombuffer(r.vector, np.float32)) for r in conn.execute(query)
                )
        return found

    def missing(self, model: str) -> list[tuple[str, str]]:
        """(text hash, indexed text) of distinct chunks with no vector cached for `model`."""
        cached = sa.select(embeddings.c.text_hash).where(embeddings.c.model == model)
        query = (
            sa.select(chunks.c.text_hash, sa.func.min(chunks.c.heading), sa.func.min(chunks.c.text))
            .where(chunks.c.text_hash.not_in(cached))
            .group_by(chunks.c.text_hash)
        )
        with self.engine.connect() as conn:
            return [(h, f"{head}\n\n{t}" if head else t) for h, head, t in conn.execute(query)]

    def count_missing(self, model: str) -> int:
        """How many distinct chunk texts have no vector cached for `model` (what a rebuild
        embeds)."""
        cached = sa.select(embeddings.c.text_hash).where(embeddings.c.model == model)
        query = sa.select(sa.func.count(sa.distinct(chunks.c.text_hash))).where(
            chunks.c.text_hash.not_in(cached)
        )
        with self.engine.connect() as conn:
            return conn.scalar(query) or 0

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
