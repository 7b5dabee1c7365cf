"""Background ingestion jobs as rows: what was asked, its status and its last known progress."""

from __future__ import annotations

import time

import sqlalchemy as sa

from rag.storage.schema import jobs


class JobRows:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def add(self, job_id: str, kind: str, collection: str, target: str) -> None:
        """A new running job."""
        with self.engine.begin() as conn:
            conn.execute(
                jobs.insert().values(
                    id=job_id,
                    kind=kind,
                    collection=collection,
                    target=target,
                    status="running",
                    progress={},
                    error="",
                    created_at=time.time(),
                )
            )

    def update(
        self, job_id: str, status: str, progress: dict, error: str, finished: bool = False
    ) -> None:
        values = {"status": status, "progress": progress, "error": error}
        if finished:
            values["finished_at"] = time.time()
        with self.engine.begin() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job_id).values(**values))

    def get(self, job_id: str) -> dict | None:
        found = self._query(sa.select(jobs).where(jobs.c.id == job_id))
        return found[0] if found else None

    def latest(self, limit: int = 20) -> list[dict]:
        """The latest jobs, newest first."""
        return self._query(sa.select(jobs).order_by(jobs.c.created_at.desc()).limit(limit))

    def _query(self, query) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
